// Real-shaped SMS connections, modelled on Auth0's gateway how-to and go-auth0's live-tenant
// recordings (docs/auth0-facts.md#connection-options). Secret values are long and distinctive, so a test can
// search any output for them.
import type { Connection } from '../../src/core/options.js';

export const TWILIO_TOKEN = 'twilio-token-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
export const GATEWAY_SECRET = 'gateway-secret-Zq81mX0vLw5pRt7yUc3nBk9sHd2fGj4a';
export const NEW_SECRET = 'new-gateway-secret-Q2w3E4r5T6y7U8i9O0pAsDfGhJkL';

/** Twilio-backed, every known option, unknown keys, and `forward_req_info` as Auth0's doc writes it. */
export const twilioConnection = (): Connection => ({
  id: 'con_Tw1l1o0000000001',
  options: {
    // Auth0's own doc example carries `strategy` inside options; nothing models it, so it must survive.
    strategy: 'sms',
    name: 'sms',
    twilio_sid: 'AC0123456789abcdef0123456789abcdef',
    twilio_token: TWILIO_TOKEN,
    messaging_service_sid: null,
    from: '+1 234 567',
    template: 'Your verification code is: @@password@@',
    brute_force_protection: true,
    disable_signup: false,
    forward_req_info: 'true',
    syntax: 'md_with_macros',
    totp: { time_step: 300, length: 6 },
    upstream_params: { screen_name: { alias: 'login_hint' } },
    authParams: { scope: 'openid profile' },
    non_persistent_attrs: ['ip', 'user_agent'],
    future_flag: { nested: [1, { deep: null }], enabled: false },
  },
  strategy: 'sms',
  name: 'sms',
  display_name: 'SMS',
  is_domain_connection: false,
  enabled_clients: ['8Xy0aBcDeFgHiJkLmNoPqRsTuVwXyZ12'],
  realms: ['sms'],
  metadata: {},
});

/** Already on the gateway with bearer authentication (go-auth0 recording). */
export const gatewayConnection = (): Connection => ({
  id: 'con_Gatew4y000000002',
  name: 'Test-Connection-Custom-SMS',
  display_name: 'Custom SMS',
  strategy: 'sms',
  options: {
    name: 'Test-Connection-Custom-SMS',
    from: '+17777777777',
    syntax: 'liquid',
    template: 'Your verification code is {{ code }}',
    totp: { time_step: 110, length: 5 },
    messaging_service_sid: null,
    provider: 'sms_gateway',
    gateway_url: 'https://test.com/sms-gateway',
    gateway_authentication: {
      method: 'bearer',
      subject: 'test.us.auth0.com:sms',
      audience: 'test.com/sms-gateway',
      secret: GATEWAY_SECRET,
      secret_base64_encoded: false,
    },
    forward_req_info: true,
    disable_signup: true,
    brute_force_protection: true,
    upstream_params: { screen_name: { alias: 'login_hint' } },
  },
  enabled_clients: [],
  realms: ['Test-Connection-Custom-SMS'],
});

/** A tenant on the Unified Phone Experience: Auth0 ignores the gateway while the flag is on. */
export const phoneProviderConnection = (): Connection => ({
  id: 'con_Ph0neProv1der003',
  name: 'sms-upe',
  strategy: 'sms',
  options: {
    name: 'sms-upe',
    syntax: 'md_with_macros',
    template: 'Your code is @@password@@',
    totp: { time_step: 300, length: 6 },
    use_phone_provider: true,
    brute_force_protection: true,
  },
});

/** What GET returns to a token without read:connections_options (docs/auth0-facts.md#the-options-scopes). */
export const optionlessConnection = (): Connection => ({
  id: 'con_N0Opt10ns0000004',
  name: 'sms',
  strategy: 'sms',
  enabled_clients: [],
});

export const emailConnection = (): Connection => ({
  id: 'con_Ema1l00000000005',
  name: 'email',
  strategy: 'email',
  options: { name: 'email', totp: { time_step: 300, length: 6 }, brute_force_protection: true },
});
