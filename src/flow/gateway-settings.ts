import { bearerOfOptions, resolveBearer, type BearerSettings } from '../core/bearer.js';
import { inputError } from '../core/errors.js';
import { gatewayUrlProblem } from '../core/gateway-url.js';
import { isTruthy, type Connection } from '../core/options.js';
import { registerSecretsIn } from '../core/redact.js';
import { audienceSchema, formatZodError, subjectSchema } from '../core/validate.js';
import type { GatewayClientSettings } from '../gateway/client.js';
import { authMethodFromFlags, type SettingsFlags } from './settings-flags.js';

/** The settings Auth0 would use to call the gateway, as a connection holds them. */
export function settingsOfConnection(connection: Connection): Partial<GatewayClientSettings> {
  const o = connection.options ?? {};
  const bearer = bearerOfOptions(o.gateway_authentication);
  return {
    ...(typeof o.gateway_url === 'string' ? { gatewayUrl: o.gateway_url } : {}),
    authentication:
      bearer?.audience !== undefined && bearer.secret !== undefined
        ? { subject: bearer.subject, audience: bearer.audience, secret: bearer.secret, secretBase64Encoded: bearer.secretBase64Encoded === true }
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
  // Its credentials stay hidden even where a gateway echoes them back without the URL around them.
  registerSecretsIn({ gateway_url: gatewayUrl });
  const problem = gatewayUrlProblem(gatewayUrl, { allowHttp: true });
  if (problem !== undefined) {
    throw flags.gatewayUrl === undefined
      ? inputError(`the connection's gateway_url: ${problem}`, 'pass --gateway-url to test another URL, or correct the connection with `auth0-sms-gateway configure`')
      : inputError(`--gateway-url: ${problem}`, 'e.g. --gateway-url https://sms.example.com/send (http:// is fine for a local gateway)');
  }
  return {
    gatewayUrl,
    authentication: bearerFromFlags(base.authentication ?? null, flags, secret),
    forwardReqInfo: flags.forwardReqInfo ?? base.forwardReqInfo ?? false,
    from: flags.from ?? base.from,
    template: flags.template ?? base.template,
    syntax: base.syntax,
  };
}

/**
 * The bearer settings test-gateway and serve work with: the flags over `base` (a connection's,
 * or none), complete and validated by the same rule configure's planner uses, or null for no
 * authentication.
 */
export function bearerFromFlags(base: BearerSettings | null, flags: SettingsFlags, secret: string | undefined): BearerSettings | null {
  const method = authMethodFromFlags(flags, secret);
  if (method === 'none') return null;
  if (method === undefined) return base;
  for (const [flag, schema, value] of [['--audience', audienceSchema, flags.audience], ['--subject', subjectSchema, flags.subject]] as const) {
    if (value === undefined) continue;
    const result = schema.safeParse(value);
    if (!result.success) throw inputError(`${flag}: ${formatZodError(result.error)}`);
  }
  return resolveBearer(base ?? undefined, { method, subject: flags.subject, audience: flags.audience, secret, secretBase64Encoded: flags.secretBase64Encoded }, 'the gateway');
}
