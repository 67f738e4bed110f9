import { describe, expect, it } from 'vitest';
import {
  SEED_CLIENTS,
  SEED_GATEWAY_SECRET,
  SEED_IDS,
  SEED_SECRETS,
  SEED_TWILIO_TOKEN,
  SEED_UNKNOWN_OPTION,
  generateConnections,
  seedClients,
  seedConnections,
} from '../../src/sandbox/index.js';

describe('seed data', () => {
  it('has a Twilio SMS connection with every SMS option of the reference, plus an unknown key', () => {
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
    const everything = JSON.stringify([seedConnections(), seedClients(), generateConnections(3)]);
    expect(SEED_SECRETS).toHaveLength(6);
    for (const secret of SEED_SECRETS) {
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(everything).toContain(secret);
    }
    expect(new Set(SEED_SECRETS).size).toBe(SEED_SECRETS.length);
  });

  it('has four clients: full, without the options scopes, read-only, and without a grant', () => {
    expect(seedClients().map((c) => [c.clientId, c.scopes, c.authorized])).toEqual([
      [SEED_CLIENTS.full.clientId, ['read:connections', 'update:connections', 'read:connections_options', 'update:connections_options'], undefined],
      [SEED_CLIENTS.noOptions.clientId, ['read:connections', 'update:connections'], undefined],
      [SEED_CLIENTS.readOnly.clientId, ['read:connections', 'read:connections_options'], undefined],
      [SEED_CLIENTS.unauthorized.clientId, expect.any(Array), false],
    ]);
    const copy = seedClients();
    copy[0]?.scopes.pop();
    expect(seedClients()[0]?.scopes).toHaveLength(4);
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
