import { inputError } from '../core/errors.js';
import { isTruthy, type Connection } from '../core/options.js';
import { audienceSchema, base64urlSecretSchema, subjectSchema, DEFAULT_SUBJECT } from '../core/validate.js';
import type { GatewayAuthenticationSettings, GatewayClientSettings } from '../gateway/client.js';
import { authMethodFromFlags, type SettingsFlags } from './settings-flags.js';

/** The settings Auth0 would use to call the gateway, as a connection holds them. */
export function settingsOfConnection(connection: Connection): Partial<GatewayClientSettings> {
  const o = connection.options ?? {};
  const auth = o.gateway_authentication;
  return {
    ...(typeof o.gateway_url === 'string' ? { gatewayUrl: o.gateway_url } : {}),
    authentication:
      auth !== null && auth !== undefined && typeof auth.secret === 'string' && typeof auth.audience === 'string'
        ? { subject: typeof auth.subject === 'string' ? auth.subject : undefined, audience: auth.audience, secret: auth.secret, secretBase64Encoded: auth.secret_base64_encoded === true }
        : null,
    forwardReqInfo: isTruthy(o.forward_req_info),
    from: typeof o.from === 'string' ? o.from : undefined,
    template: typeof o.template === 'string' ? o.template : undefined,
    syntax: typeof o.syntax === 'string' ? o.syntax : undefined,
  };
}

/**
 * Flags over a base (the connection's settings, or nothing): what test-gateway sends with.
 * http:// is allowed here, for a gateway on the developer's machine.
 */
export function overlayGatewayFlags(base: Partial<GatewayClientSettings>, flags: SettingsFlags, secret: string | undefined): GatewayClientSettings {
  const gatewayUrl = flags.gatewayUrl ?? base.gatewayUrl;
  if (gatewayUrl === undefined) {
    throw inputError('no gateway URL: the connection has none', 'pass --gateway-url, or name a connection that is configured for a gateway');
  }
  let url: URL;
  try {
    url = new URL(gatewayUrl);
  } catch {
    throw inputError(`--gateway-url: "${gatewayUrl}" is not a URL`, 'e.g. --gateway-url https://sms.example.com/send (http:// is fine for a local gateway)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw inputError(`--gateway-url: ${url.protocol} is not http or https`, 'e.g. --gateway-url http://127.0.0.1:8787/sms');
  }
  const authentication = resolveBearer(base.authentication ?? null, flags, secret);
  return {
    gatewayUrl,
    authentication,
    forwardReqInfo: flags.forwardReqInfo ?? base.forwardReqInfo ?? false,
    from: flags.from ?? base.from,
    template: flags.template ?? base.template,
    syntax: base.syntax,
  };
}

/**
 * The bearer settings test-gateway and serve work with: the flags over `base` (a connection's,
 * or none), complete and validated, or null for no authentication.
 */
export function resolveBearer(base: GatewayAuthenticationSettings | null, flags: SettingsFlags, secret: string | undefined): GatewayAuthenticationSettings | null {
  const method = authMethodFromFlags(flags, secret);
  if (method === 'none') return null;
  if (method === undefined) return base;
  const audience = flags.audience ?? base?.audience;
  const chosenSecret = secret ?? base?.secret;
  if (audience === undefined) throw inputError('bearer authentication needs an audience', 'pass --audience <aud>, the value your gateway expects in the JWT aud claim');
  if (chosenSecret === undefined) throw inputError('bearer authentication needs the signing secret', 'pass --secret-env <VAR> or --secret-file <path>, or set AUTH0_SMS_GATEWAY_SECRET');
  const subject = flags.subject ?? base?.subject ?? DEFAULT_SUBJECT;
  for (const [flag, schema, value] of [['--audience', audienceSchema, audience], ['--subject', subjectSchema, subject]] as const) {
    const result = schema.safeParse(value);
    if (!result.success) throw inputError(`${flag}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  const secretBase64Encoded = flags.secretBase64Encoded ?? base?.secretBase64Encoded ?? false;
  if (secretBase64Encoded) {
    const result = base64urlSecretSchema.safeParse(chosenSecret);
    if (!result.success) throw inputError(`--secret-base64-encoded: ${result.error.issues[0]?.message ?? 'the secret is not base64url'}`, 'use the base64url alphabet (A-Z a-z 0-9 - _), or drop --secret-base64-encoded');
  }
  return { subject, audience, secret: chosenSecret, secretBase64Encoded };
}
