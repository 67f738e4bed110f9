/**
 * Real-shaped tenant data. The SMS options follow Auth0's `ConnectionOptionsSMS`
 * (https://auth0.com/docs/api/management/v2/connections/patch-connections-by-id), the recordings of
 * a live tenant in https://github.com/auth0/go-auth0/tree/v1.45.0/test/data/recordings, and
 * https://auth0.com/docs/authenticate/passwordless/authentication-methods/use-sms-gateway-passwordless.
 * Every secret is a distinctive string listed in SEED_SECRETS, so tests can scan any output for a leak.
 */
import type { ActionSeed, SandboxConnection, PhoneProviderSeed, SandboxClient } from './types.js';

export const SEED_TWILIO_TOKEN = 'sbx-twilio-token-4f7c1e9a2b6d8e03c5a7f1b9d2e4c6a8';
export const SEED_GATEWAY_SECRET = 'sbx-gateway-secret-9b3e7d1f5a2c8e6b0d4f7a1c3e5b9d2f';

const READ = 'read:connections';
const UPDATE = 'update:connections';
const READ_OPTIONS = 'read:connections_options';
const UPDATE_OPTIONS = 'update:connections_options';
const CONNECTION_SCOPES = [READ, UPDATE, READ_OPTIONS, UPDATE_OPTIONS];
/** The Unified Phone Experience's scopes: tenant settings, the phone provider, and its Action. */
const TENANT_SCOPES = ['read:tenant_settings', 'update:tenant_settings'];
const PHONE_PROVIDER_SCOPES = ['read:phone_providers', 'create:phone_providers', 'update:phone_providers', 'delete:phone_providers'];
const ACTION_SCOPES = ['read:actions', 'create:actions', 'update:actions', 'delete:actions'];

/** The application Passwordless logins come from: every seed connection is enabled for it (/passwordless/start takes its id). */
export const SEED_LOGIN_CLIENT_ID = 'SbxSpaLoginApp000000000000000005';

/** Client ids are 32 alphanumerics, like Auth0's. */
export const SEED_CLIENTS = {
  /** Every scope the CLI may need: the connection scopes, and those of tenant settings, phone providers and Actions. */
  full: {
    clientId: 'SbxFullAccessClient0000000000001',
    clientSecret: 'sbx-client-secret-full-6e2a9c4f1b7d3e8a0c5f2b9d7e1a4c6f',
    scopes: [...CONNECTION_SCOPES, ...TENANT_SCOPES, ...PHONE_PROVIDER_SCOPES, ...ACTION_SCOPES],
  },
  /**
   * The pre-2025 grant: no options scopes, so GET carries no `options`
   * (https://auth0.com/docs/troubleshoot/product-lifecycle/deprecations-and-migrations/migrate-connection-options-scope).
   */
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
    scopes: [...CONNECTION_SCOPES],
    authorized: false,
  },
  /** Just the four connection scopes: the grant a tool for the legacy SMS gateway needed. */
  connectionsOnly: {
    clientId: 'SbxConnectionsOnlyClient00000006',
    clientSecret: 'sbx-client-secret-connonly-2f7b4d9e1a6c3f8b5d0e7a2c9f4b1d6e',
    scopes: [...CONNECTION_SCOPES],
  },
  /** Everything but the Actions scopes: it can read and change the phone provider, not its Action. */
  noActions: {
    clientId: 'SbxNoActionsClient00000000000007',
    clientSecret: 'sbx-client-secret-noactions-7c1e5a9d3f6b2e8c4a0d7f1b5e9c3a6d',
    scopes: [...CONNECTION_SCOPES, ...TENANT_SCOPES, ...PHONE_PROVIDER_SCOPES],
  },
  /** Every read scope and no write scope: what a status report needs. */
  readAll: {
    clientId: 'SbxReadAllClient0000000000000008',
    clientSecret: 'sbx-client-secret-readall-4a8e2c6f0b3d7a1e9c5f2b8d4a6e0c3f',
    scopes: [READ, READ_OPTIONS, 'read:tenant_settings', 'read:phone_providers', 'read:actions'],
  },
} as const satisfies Record<string, SandboxClient & { clientSecret: string }>;

/** Connection ids: `con_` and 16 alphanumerics, as Auth0's. */
export const SEED_IDS = {
  /** `sms`, on Twilio. */
  twilio: 'con_Tw1l1oSmsSeed001',
  /** `sms-gateway`, already on a custom gateway. */
  gateway: 'con_GatewaySmsSeed02',
  email: 'con_EmailSeed0000003',
  database: 'con_DatabaseSeed0004',
} as const;

/** The auth token of seedTwilioPhoneProvider() (write-only in the API). */
export const SEED_PHONE_TWILIO_TOKEN = 'sbx-phone-provider-twilio-token-8d2f6a0c4e7b1d5f9a3c';
/** The secret value of seedForeignPhoneAction(). */
export const SEED_ACTION_SECRET = 'sbx-foreign-action-api-key-5b9d3f7a1c6e0b4d8f2a6c9e';
/** The id of seedForeignPhoneAction(). */
export const SEED_FOREIGN_ACTION_ID = '0d6c3b5e-8f1a-4c7d-9e2b-6a4f1c8d3e70';

/** An option Auth0 may add in future: tools must keep keys they do not model. */
export const SEED_UNKNOWN_OPTION = { key: 'future_delivery_policy', value: { mode: 'preferred', fallback_channel: 'voice' } } as const;

/** Order kept stable: the Twilio token, the gateway secret, then the client secrets in SEED_CLIENTS order, then the rest. */
export const SEED_SECRETS: string[] = [
  SEED_TWILIO_TOKEN,
  SEED_GATEWAY_SECRET,
  ...Object.values(SEED_CLIENTS).map((client) => client.clientSecret),
  SEED_PHONE_TWILIO_TOKEN,
  SEED_ACTION_SECRET,
];

const TWILIO_SID = 'AC5f3e9a1c7b2d8e4f6a0c3b9d1e7f2a5c'; // ^AC[0-9a-fA-F]{32}$ (ConnectionOptionsSMS.twilio_sid)

function twilioSmsOptions(name: string): Record<string, unknown> {
  return {
    name,
    from: '+15551234567',
    syntax: 'md_with_macros',
    template: 'Your verification code is: @@password@@',
    totp: { time_step: 300, length: 6 },
    twilio_sid: TWILIO_SID,
    twilio_token: SEED_TWILIO_TOKEN,
    messaging_service_sid: null, // what GET shows for an unset service (go-auth0's recordings of a live tenant)
    brute_force_protection: true,
    disable_signup: false,
    forward_req_info: 'true', // a string, as in Auth0's own example (use-sms-gateway-passwordless); tools must read both
    upstream_params: { screen_name: { alias: 'login_hint' } },
    authParams: { scope: 'openid profile' },
    [SEED_UNKNOWN_OPTION.key]: structuredClone(SEED_UNKNOWN_OPTION.value),
  };
}

export function seedConnections(): SandboxConnection[] {
  return [
    {
      id: SEED_IDS.twilio,
      name: 'sms',
      display_name: 'SMS',
      strategy: 'sms',
      options: twilioSmsOptions('sms'),
      enabled_clients: [SEED_CLIENTS.full.clientId, SEED_LOGIN_CLIENT_ID],
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
      enabled_clients: [SEED_LOGIN_CLIENT_ID],
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
      enabled_clients: [SEED_LOGIN_CLIENT_ID],
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
      enabled_clients: [SEED_LOGIN_CLIENT_ID],
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
 * alternate between email and database connections. Ids (`con_Generated0000001`, …) and names
 * (`sms-00001`, …) are stable.
 */
export function generateConnections(count: number, smsEvery = 3): SandboxConnection[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!Number.isInteger(smsEvery) || smsEvery < 1) throw new RangeError(`smsEvery must be a positive integer, got ${smsEvery}`);
  return Array.from({ length: count }, (_, index): SandboxConnection => {
    const serial = String(index + 1).padStart(5, '0');
    const id = `con_Generated${String(index + 1).padStart(7, '0')}`;
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

/**
 * A Twilio phone provider as Auth0 stores one (configuration as in go-auth0's recordings); pass it
 * as SandboxOptions.phoneProvider. Its auth token is SEED_PHONE_TWILIO_TOKEN.
 */
export function seedTwilioPhoneProvider(): PhoneProviderSeed {
  return {
    id: 'pro_SbxTwilioPhoneProv0001',
    name: 'twilio',
    disabled: false,
    configuration: { sid: TWILIO_SID, default_from: '+15551234567', delivery_methods: ['text'] },
    credentials: { auth_token: SEED_PHONE_TWILIO_TOKEN },
  };
}

/** A `custom` phone provider (its Action comes separately, e.g. seedForeignPhoneAction()). */
export function seedCustomPhoneProvider(): PhoneProviderSeed {
  return { id: 'pro_SbxCustomPhoneProv0001', name: 'custom', disabled: false, configuration: { delivery_methods: ['text'] }, credentials: {} };
}

/**
 * Another vendor's custom-phone-provider Action, deployed; bind it with
 * `bindings: { 'custom-phone-provider': [{ action: SEED_FOREIGN_ACTION_ID }] }` to start from
 * "another Action is bound". It only logs; its one secret is SEED_ACTION_SECRET.
 */
export function seedForeignPhoneAction(): ActionSeed {
  return {
    id: SEED_FOREIGN_ACTION_ID,
    name: 'acme-sms-provider',
    supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }],
    code: [
      '/** Acme SMS: sends phone messages through the Acme API. */',
      'exports.onExecuteCustomPhoneProvider = async (event, api) => {',
      "  console.log(`acme: ${event.notification.message_type} for ${event.notification.recipient}`);",
      '};',
      '',
    ].join('\n'),
    runtime: 'node22',
    secrets: [{ name: 'ACME_API_KEY', value: SEED_ACTION_SECRET }],
    deployed: true,
  };
}
