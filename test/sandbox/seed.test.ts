import { describe, expect, it } from 'vitest';
import {
  SEED_ACTION_SECRET,
  SEED_CLIENTS,
  SEED_GATEWAY_SECRET,
  SEED_IDS,
  SEED_LOGIN_CLIENT_ID,
  SEED_PHONE_TWILIO_TOKEN,
  SEED_SECRETS,
  SEED_TWILIO_TOKEN,
  SEED_UNKNOWN_OPTION,
  generateConnections,
  seedClients,
  seedConnections,
  seedCustomPhoneProvider,
  seedForeignPhoneAction,
  seedTwilioPhoneProvider,
} from '../../src/sandbox/index.js';

/** Auth0's connection id shape (the id pattern of get-connections-by-id). */
const CONNECTION_ID = /^con_[A-Za-z0-9]{16}$/;
const CONNECTION_SCOPES = ['read:connections', 'update:connections', 'read:connections_options', 'update:connections_options'];

describe('seed data', () => {
  it('has a Twilio SMS connection with every SMS option Auth0 documents, plus an unknown key', () => {
    const sms = seedConnections().find((c) => c.id === SEED_IDS.twilio);
    expect(sms).toMatchObject({ name: 'sms', strategy: 'sms', display_name: 'SMS' });
    expect(sms?.options).toEqual({
      name: 'sms',
      from: '+15551234567',
      syntax: 'md_with_macros',
      template: 'Your verification code is: @@password@@',
      totp: { time_step: 300, length: 6 },
      twilio_sid: expect.stringMatching(/^AC[0-9a-fA-F]{32}$/),
      twilio_token: SEED_TWILIO_TOKEN,
      messaging_service_sid: null,
      brute_force_protection: true,
      disable_signup: false,
      forward_req_info: 'true',
      upstream_params: { screen_name: { alias: 'login_hint' } },
      authParams: { scope: 'openid profile' },
      [SEED_UNKNOWN_OPTION.key]: SEED_UNKNOWN_OPTION.value,
    });
    expect(SEED_TWILIO_TOKEN.length).toBeGreaterThanOrEqual(32);
    expect(sms?.enabled_clients?.length).toBeGreaterThan(0);
    expect(sms?.realms).toEqual(['sms']);
  });

  it('has a gateway SMS connection, an email and a database connection', () => {
    const [, gateway, email, database] = seedConnections();
    expect(gateway).toMatchObject({
      id: SEED_IDS.gateway,
      name: 'sms-gateway',
      strategy: 'sms',
      options: {
        provider: 'sms_gateway',
        gateway_url: expect.stringMatching(/^https:\/\//),
        gateway_authentication: { method: 'bearer', subject: 'urn:Auth0', audience: expect.any(String), secret: SEED_GATEWAY_SECRET },
      },
    });
    expect(email).toMatchObject({ id: SEED_IDS.email, strategy: 'email' });
    expect(database).toMatchObject({ id: SEED_IDS.database, name: 'Username-Password-Authentication', strategy: 'auth0' });
  });

  it('lists every secret in SEED_SECRETS, each distinctive and present in the seeds', () => {
    const everything = JSON.stringify([seedConnections(), seedClients(), generateConnections(3), seedTwilioPhoneProvider(), seedForeignPhoneAction()]);
    expect(SEED_SECRETS).toHaveLength(2 + Object.keys(SEED_CLIENTS).length + 2);
    // Other tests index into it: the gateway secret second, the full client's secret third.
    expect(SEED_SECRETS.slice(0, 3)).toEqual([SEED_TWILIO_TOKEN, SEED_GATEWAY_SECRET, SEED_CLIENTS.full.clientSecret]);
    expect(SEED_SECRETS).toEqual(expect.arrayContaining([SEED_PHONE_TWILIO_TOKEN, SEED_ACTION_SECRET, SEED_CLIENTS.connectionsOnly.clientSecret]));
    for (const secret of SEED_SECRETS) {
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(everything).toContain(secret);
    }
    expect(new Set(SEED_SECRETS).size).toBe(SEED_SECRETS.length);
  });

  it('has clients for every grant the tests need: full, legacy ones, without Actions, read-only everything, without a grant', () => {
    const full = [
      ...CONNECTION_SCOPES,
      'read:tenant_settings',
      'update:tenant_settings',
      'read:phone_providers',
      'create:phone_providers',
      'update:phone_providers',
      'delete:phone_providers',
      'read:actions',
      'create:actions',
      'update:actions',
      'delete:actions',
    ];
    expect(seedClients().map((c) => [c.clientId, c.scopes, c.authorized])).toEqual([
      [SEED_CLIENTS.full.clientId, full, undefined],
      [SEED_CLIENTS.noOptions.clientId, ['read:connections', 'update:connections'], undefined],
      [SEED_CLIENTS.readOnly.clientId, ['read:connections', 'read:connections_options'], undefined],
      [SEED_CLIENTS.unauthorized.clientId, expect.any(Array), false],
      [SEED_CLIENTS.connectionsOnly.clientId, CONNECTION_SCOPES, undefined],
      [SEED_CLIENTS.noActions.clientId, full.filter((scope) => !scope.endsWith(':actions')), undefined],
      [SEED_CLIENTS.readAll.clientId, full.filter((scope) => scope.startsWith('read:')), undefined],
    ]);
    for (const client of seedClients()) expect(client.clientId).toMatch(/^[A-Za-z0-9]{32}$/);
    const copy = seedClients();
    copy[0]?.scopes.pop();
    expect(seedClients()[0]?.scopes).toHaveLength(full.length);
  });

  it('gives every seed and generated connection an id Auth0 would accept', () => {
    for (const id of Object.values(SEED_IDS)) expect(id).toMatch(CONNECTION_ID);
    for (const connection of [...seedConnections(), ...generateConnections(1200)]) expect(connection.id).toMatch(CONNECTION_ID);
    expect(generateConnections(2).map((c) => c.id)).toEqual(['con_Generated0000001', 'con_Generated0000002']);
    expect(seedConnections().every((c) => c.enabled_clients?.includes(SEED_LOGIN_CLIENT_ID))).toBe(true);
  });

  it('has phone provider and Action seeds shaped like Auth0\'s', () => {
    expect(seedTwilioPhoneProvider()).toMatchObject({ id: expect.stringMatching(/^pro_[A-Za-z0-9]{22}$/), name: 'twilio', credentials: { auth_token: SEED_PHONE_TWILIO_TOKEN } });
    expect(seedTwilioPhoneProvider().configuration).toEqual({ sid: expect.stringMatching(/^AC/), default_from: expect.any(String), delivery_methods: ['text'] });
    expect(seedCustomPhoneProvider()).toMatchObject({ id: expect.stringMatching(/^pro_[A-Za-z0-9]{22}$/), name: 'custom', credentials: {} });
    expect(seedForeignPhoneAction()).toMatchObject({ supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }], deployed: true, secrets: [{ value: SEED_ACTION_SECRET }] });
    expect(seedForeignPhoneAction().code).toContain('exports.onExecuteCustomPhoneProvider');
  });

  it('returns fresh copies', () => {
    const first = seedConnections();
    first[0]!.options!.template = 'changed';
    expect(seedConnections()[0]?.options?.template).toBe('Your verification code is: @@password@@');
  });

  it('generates many connections with unique ids and names, every smsEvery-th one SMS', () => {
    const many = generateConnections(1200);
    expect(many).toHaveLength(1200);
    expect(new Set(many.map((c) => c.id)).size).toBe(1200);
    expect(new Set(many.map((c) => c.name)).size).toBe(1200);
    expect(many.filter((c) => c.strategy === 'sms')).toHaveLength(400);
    expect(generateConnections(10, 5).map((c) => c.strategy === 'sms')).toEqual([true, false, false, false, false, true, false, false, false, false]);
    expect(generateConnections(4, 1).every((c) => c.strategy === 'sms')).toBe(true);
    expect(() => generateConnections(5, 0)).toThrow(RangeError);
    expect(() => generateConnections(-1)).toThrow(RangeError);
  });
});
