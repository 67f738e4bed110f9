import { diffOptions, isPlainObject, type Change } from './diff.js';
import { inputError } from './errors.js';
import { isTruthy, requireSmsConnection, requireSmsOptions, type Connection, type GatewayAuthentication, type SmsOptions } from './options.js';
import {
  DEFAULT_SUBJECT,
  desiredSettingsSchemaFor,
  gatewayUrlSchema,
  gatewayUrlWarnings,
  isBase64url,
  parseInput,
  secretWarnings,
  type DesiredSettings,
} from './validate.js';

export type { DesiredSettings };

export interface SmsPlan {
  /** The complete options object to PATCH: Auth0 replaces `options` whole (reference §1.3). */
  next: SmsOptions;
  /** `diffOptions(current.options, next)`: what the user is shown and approves. */
  changes: Change[];
  noop: boolean;
  warnings: string[];
}

/** The only option keys a plan may touch; every other key is copied as it is. */
export const REWRITTEN_KEYS = [
  'provider',
  'gateway_url',
  'gateway_authentication',
  'forward_req_info',
  'from',
  'template',
  'twilio_sid',
  'twilio_token',
] as const;

/**
 * The options that make `current` deliver codes through the gateway: a deep copy of the
 * current options with only the requested rewrites (GW-DOC switch procedure, reference
 * §2.2). Never built from scratch, so options this tool does not model survive, in order.
 *
 * Throws exit 2 for a non-SMS connection, invalid settings or a required setting the
 * connection does not have yet; exit 1 when the read carried no options (missing scope).
 */
export function planSmsUpdate(current: Connection, desired: DesiredSettings): SmsPlan {
  const label = `${current.name} (${current.id})`;
  const before = requireSmsOptions(requireSmsConnection(current));
  // Checked here too, not only by the caller: the template rule depends on this connection's syntax.
  const wanted = parseInput(desiredSettingsSchemaFor(before.syntax), desired);
  const next = structuredClone(before);

  next.provider = 'sms_gateway';
  if (wanted.gatewayUrl !== undefined) {
    next.gateway_url = wanted.gatewayUrl;
  } else if (nonEmpty(next.gateway_url) === undefined) {
    throw inputError(`${label} has no gateway URL yet: pass --gateway-url`, 'e.g. --gateway-url https://sms.example.com/send');
  }
  if (wanted.authentication !== undefined) planAuthentication(next, wanted.authentication, label);
  // Written as a boolean, the type the spec gives, even where Auth0's doc shows "true".
  if (wanted.forwardReqInfo !== undefined) next.forward_req_info = wanted.forwardReqInfo;
  if (wanted.from !== undefined) next.from = wanted.from;
  if (wanted.template !== undefined) next.template = wanted.template;
  // Auth0 keeps using Twilio while they are set (GW-DOC; reference §4.5). The backup keeps them.
  if (wanted.keepTwilio !== true) {
    delete next.twilio_sid;
    delete next.twilio_token;
  }

  const changes = diffOptions(before, next);
  return { next, changes, noop: changes.length === 0, warnings: warningsFor(next, wanted.gatewayUrl === undefined) };
}

type AuthenticationSetting = NonNullable<DesiredSettings['authentication']>;

function planAuthentication(next: SmsOptions, wanted: AuthenticationSetting, label: string): void {
  if (wanted.method === 'none') {
    // `null` already means "no authentication"; leaving it avoids a change that changes nothing.
    if (next.gateway_authentication !== null) delete next.gateway_authentication;
    return;
  }
  // `next` is already a copy: edit the current object in place so its other keys and order stay.
  const current: GatewayAuthentication | undefined = isPlainObject(next.gateway_authentication) ? next.gateway_authentication : undefined;
  // Auth0 requires audience and secret in gateway_authentication (SPEC, reference §2.1).
  const audience = wanted.audience ?? nonEmpty(current?.audience);
  if (audience === undefined) {
    throw inputError(`${label} has no gateway audience yet: pass --audience`, 'the audience is the JWT `aud` claim your gateway checks, e.g. --audience urn:MySmsGateway');
  }
  const secret = wanted.secret ?? nonEmpty(current?.secret);
  if (secret === undefined) {
    throw inputError(
      `${label} has no gateway secret yet: pass one with --secret-env/--secret-file/--generate-secret`,
      '--generate-secret makes a strong one and shows it once',
    );
  }
  const base64 = wanted.secretBase64Encoded ?? (current?.secret_base64_encoded === true);
  if ((wanted.secret !== undefined || wanted.secretBase64Encoded !== undefined) && base64 && !isBase64url(secret)) {
    throw inputError(
      `${label}: the gateway secret is marked base64url-encoded (secret_base64_encoded) but is not base64url`,
      'pass a base64url secret (A-Z, a-z, 0-9, - and _, no padding), or turn base64 encoding off',
    );
  }

  const auth: GatewayAuthentication = current ?? {};
  auth.method = 'bearer';
  if (wanted.subject !== undefined) auth.subject = wanted.subject;
  else if (nonEmpty(auth.subject) === undefined) auth.subject = DEFAULT_SUBJECT;
  auth.audience = audience;
  auth.secret = secret;
  if (wanted.secretBase64Encoded !== undefined) auth.secret_base64_encoded = wanted.secretBase64Encoded;
  // A new object states Auth0's default outright, as Auth0's own recorded PATCH does (reference §2.2).
  else if (current === undefined) auth.secret_base64_encoded = false;
  next.gateway_authentication = auth;
}

function warningsFor(next: SmsOptions, urlKept: boolean): string[] {
  const warnings: string[] = [];
  if (isTruthy(next.use_phone_provider)) {
    // Unified Phone Experience tenants (reference §2.1; terraform-provider-auth0#1549).
    warnings.push(
      "Auth0 bypasses the gateway while use_phone_provider is on: codes go out through the tenant's phone provider (Branding > Phone Provider); turn use_phone_provider off on the connection for the gateway to receive them",
    );
  }
  const url = next.gateway_url;
  if (typeof url === 'string') {
    const check = gatewayUrlSchema.safeParse(url);
    if (urlKept && !check.success) {
      warnings.push(`the connection's current ${check.error.issues[0]?.message ?? 'gateway URL is not valid'} (pass --gateway-url to replace it)`);
    }
    warnings.push(...gatewayUrlWarnings(url));
  }
  const auth = next.gateway_authentication;
  if (isPlainObject(auth) && typeof auth.secret === 'string') {
    warnings.push(...secretWarnings(auth.secret, auth.secret_base64_encoded === true));
  }
  return warnings;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
