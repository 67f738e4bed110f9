import { inputError } from '../core/errors.js';
import { isTruthy, type Connection } from '../core/options.js';
import { audienceSchema, isBase64url, subjectSchema, DEFAULT_SUBJECT } from '../core/validate.js';
import type { GatewayClientSettings } from '../gateway/client.js';
import type { SettingsFlags } from './settings-flags.js';

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
  let authentication = base.authentication ?? null;
  const bearerFlags = flags.subject !== undefined || flags.audience !== undefined || secret !== undefined || flags.secretBase64Encoded !== undefined;
  if (flags.auth === 'none') {
    if (bearerFlags) throw inputError('--auth none takes no --subject, --audience, secret or --secret-base64-encoded', 'drop those flags, or use --auth bearer');
    authentication = null;
  } else if (flags.auth === 'bearer' || bearerFlags) {
    const audience = flags.audience ?? authentication?.audience;
    const chosenSecret = secret ?? authentication?.secret;
    if (audience === undefined) throw inputError('bearer authentication needs an audience', 'pass --audience <aud>, the value your gateway expects in the JWT aud claim');
    if (chosenSecret === undefined) throw inputError('bearer authentication needs the signing secret', 'pass --secret-env <VAR> or --secret-file <path>, or set AUTH0_SMS_GATEWAY_SECRET');
    const subject = flags.subject ?? authentication?.subject ?? DEFAULT_SUBJECT;
    for (const [flag, schema, value] of [['--audience', audienceSchema, audience], ['--subject', subjectSchema, subject]] as const) {
      const result = schema.safeParse(value);
      if (!result.success) throw inputError(`${flag}: ${result.error.issues[0]?.message ?? 'invalid'}`);
    }
    const secretBase64Encoded = flags.secretBase64Encoded ?? authentication?.secretBase64Encoded ?? false;
    if (secretBase64Encoded && !isBase64url(chosenSecret)) {
      throw inputError('the secret is not base64url, but --secret-base64-encoded says it is', 'use the base64url alphabet (A-Z a-z 0-9 - _), or drop --secret-base64-encoded');
    }
    authentication = { subject, audience, secret: chosenSecret, secretBase64Encoded };
  }
  return {
    gatewayUrl,
    authentication,
    forwardReqInfo: flags.forwardReqInfo ?? base.forwardReqInfo ?? false,
    from: flags.from ?? base.from,
    template: flags.template ?? base.template,
    syntax: base.syntax,
  };
}
