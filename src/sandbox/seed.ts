/**
 * Real-shaped tenant data. The SMS options follow Auth0's `ConnectionOptionsSMS` and the live
 * recordings quoted in reference/auth0-api.md §2 (GO-REC, GW-DOC). Every secret is a distinctive
 * string listed in SEED_SECRETS, so tests can scan any output for a leak.
 */
import type { Connection, SandboxClient } from './types.js';

export const SEED_TWILIO_TOKEN = 'sbx-twilio-token-4f7c1e9a2b6d8e03c5a7f1b9d2e4c6a8';
export const SEED_GATEWAY_SECRET = 'sbx-gateway-secret-9b3e7d1f5a2c8e6b0d4f7a1c3e5b9d2f';

const READ = 'read:connections';
const UPDATE = 'update:connections';
const READ_OPTIONS = 'read:connections_options';
const UPDATE_OPTIONS = 'update:connections_options';

/** Client ids are 32 alphanumerics, like Auth0's. */
export const SEED_CLIENTS = {
  /** Every scope the CLI needs (cli-contract.md, "Credentials"). */
  full: {
    clientId: 'SbxFullAccessClient0000000000001',
    clientSecret: 'sbx-client-secret-full-6e2a9c4f1b7d3e8a0c5f2b9d7e1a4c6f',
    scopes: [READ, UPDATE, READ_OPTIONS, UPDATE_OPTIONS],
  },
  /** The pre-2025 grant: no options scopes, so GET carries no `options` (OPT-SCOPES-DOC). */
  noOptions: {
    clientId: 'SbxNoOptionsClient00000000000002',
    clientSecret: 'sbx-client-secret-noopts-3d8f1a6c9e2b5d7f0a4c8e1b3f6d9a2c',
    scopes: [READ, UPDATE],
  },
  readOnly: {
    clientId: 'SbxReadOnlyClient000000000000003',
    clientSecret: 'sbx-client-secret-readonly-8a1c5e9f3b7d2a6c0e4f8b1d5a9c3e7f',
    scopes: [READ, READ_OPTIONS],
  },
  /** No client grant for the Management API: /oauth/token answers 403. */
  unauthorized: {
    clientId: 'SbxUnauthorizedClient00000000004',
    clientSecret: 'sbx-client-secret-unauth-5c9e3a7f1d4b8e2a6c0f3d7b9e1a5c8f',
    scopes: [READ, UPDATE, READ_OPTIONS, UPDATE_OPTIONS],
    authorized: false,
  },
} as const satisfies Record<string, SandboxClient & { clientSecret: string }>;

export const SEED_IDS = {
  /** `sms`, on Twilio. */
  twilio: 'con_Tw1l1oSmsSeed0001',
  /** `sms-gateway`, already on a custom gateway. */
  gateway: 'con_GatewaySmsSeed002',
  email: 'con_EmailSeed00000003',
  database: 'con_DatabaseSeed00004',
} as const;

/** An option Auth0 may add in future: tools must keep keys they do not model. */
export const SEED_UNKNOWN_OPTION = { key: 'future_delivery_policy', value: { mode: 'preferred', fallback_channel: 'voice' } } as const;

export const SEED_SECRETS: string[] = [
  SEED_TWILIO_TOKEN,
  SEED_GATEWAY_SECRET,
  ...Object.values(SEED_CLIENTS).map((client) => client.clientSecret),
];

const TWILIO_SID = 'AC5f3e9a1c7b2d8e4f6a0c3b9d1e7f2a5c'; // ^AC[0-9a-fA-F]{32}$ (SPEC)

function twilioSmsOptions(name: string): Record<string, unknown> {
  return {
    name,
    from: '+15551234567',
    syntax: 'md_with_macros',
    template: 'Your verification code is: @@password@@',
    totp: { time_step: 300, length: 6 },
    twilio_sid: TWILIO_SID,
    twilio_token: SEED_TWILIO_TOKEN,
    messaging_service_sid: null, // what GET shows for an unset service (GO-REC)
    brute_force_protection: true,
    disable_signup: false,
    forward_req_info: 'true', // a string, as in Auth0's own example (GW-DOC); tools must read both
    upstream_params: { screen_name: { alias: 'login_hint' } },
    authParams: { scope: 'openid profile' },
    [SEED_UNKNOWN_OPTION.key]: structuredClone(SEED_UNKNOWN_OPTION.value),
  };
}

export function seedConnections(): Connection[] {
  return [
    {
      id: SEED_IDS.twilio,
      name: 'sms',
      display_name: 'SMS',
      strategy: 'sms',
      options: twilioSmsOptions('sms'),
      enabled_clients: [SEED_CLIENTS.full.clientId, 'SbxSpaLoginApp000000000000000005'],
      is_domain_connection: false,
      realms: ['sms'],
      metadata: { owner: 'identity-team' },
    },
    {
      id: SEED_IDS.gateway,
      name: 'sms-gateway',
      display_name: 'SMS (gateway)',
      strategy: 'sms',
      options: {
        name: 'sms-gateway',
        from: '+15557654321',
        syntax: 'md_with_macros',
        template: 'Your code is @@password@@',
        totp: { time_step: 180, length: 6 },
        messaging_service_sid: null,
        provider: 'sms_gateway',
        gateway_url: 'https://sms-gateway.example.com/v1/messages',
        gateway_authentication: {
          method: 'bearer',
          subject: 'urn:Auth0',
          audience: 'https://sms-gateway.example.com',
          secret: SEED_GATEWAY_SECRET,
          secret_base64_encoded: false,
        },
        forward_req_info: true,
        brute_force_protection: true,
        disable_signup: true,
      },
      enabled_clients: ['SbxSpaLoginApp000000000000000005'],
      is_domain_connection: false,
      realms: ['sms-gateway'],
      metadata: {},
    },
    {
      id: SEED_IDS.email,
      name: 'email',
      display_name: 'Email',
      strategy: 'email',
      options: {
        name: 'email',
        from: '{{ application.name }} <no-reply@example.com>',
        subject: 'Welcome to {{ application.name }}',
        syntax: 'liquid',
        template: '<p>Your verification code is {{ code }}</p>',
        totp: { time_step: 180, length: 6 },
        brute_force_protection: true,
        disable_signup: false,
      },
      enabled_clients: ['SbxSpaLoginApp000000000000000005'],
      is_domain_connection: false,
      realms: ['email'],
      metadata: {},
    },
    {
      id: SEED_IDS.database,
      name: 'Username-Password-Authentication',
      display_name: 'Username-Password-Authentication',
      strategy: 'auth0',
      options: {
        mfa: { active: true, return_enroll_settings: true },
        passwordPolicy: 'good',
        password_complexity_options: { min_length: 8 },
        strategy_version: 2,
        brute_force_protection: true,
        requires_username: false,
      },
      enabled_clients: ['SbxSpaLoginApp000000000000000005'],
      is_domain_connection: false,
      realms: ['Username-Password-Authentication'],
      metadata: {},
    },
  ];
}

export function seedClients(): SandboxClient[] {
  return Object.values(SEED_CLIENTS).map((client) => ({ ...client, scopes: [...client.scopes] }));
}

/**
 * `count` connections for paging tests (Auth0 needs checkpoint paging past 1,000 connections):
 * every `smsEvery`-th one, starting with the first, is a Twilio SMS connection, the others
 * alternate between email and database connections. Ids and names are stable.
 */
export function generateConnections(count: number, smsEvery = 3): Connection[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!Number.isInteger(smsEvery) || smsEvery < 1) throw new RangeError(`smsEvery must be a positive integer, got ${smsEvery}`);
  return Array.from({ length: count }, (_, index): Connection => {
    const serial = String(index + 1).padStart(5, '0');
    const id = `con_Generated${serial}`;
    if (index % smsEvery === 0) {
      const name = `sms-${serial}`;
      return { id, name, display_name: name, strategy: 'sms', options: twilioSmsOptions(name), enabled_clients: [], realms: [name] };
    }
    const email = index % 2 === 0;
    const name = `${email ? 'email' : 'db'}-${serial}`;
    return {
      id,
      name,
      display_name: name,
      strategy: email ? 'email' : 'auth0',
      options: email ? { name, syntax: 'liquid', template: '{{ code }}' } : { passwordPolicy: 'good' },
      enabled_clients: [],
      realms: [name],
    };
  });
}
