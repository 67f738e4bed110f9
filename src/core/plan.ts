import { deepFreeze, diffOptions, isPlainObject, type Change } from './diff.js';
import { inputError } from './errors.js';
import type { Connection } from './options.js';
import { rewritableOptions, type GatewayAuthentication, type SmsOptions } from './options-schema.js';
import { bearerOfOptions, refuseSecretInSettings, resolveBearer } from './bearer.js';
import { desiredSettingsSchemaFor, firstProblem, fromWarnings, gatewayUrlSchema, gatewayUrlWarnings, parseInput, secretWarnings, type DesiredSettings } from './validate.js';
import { connectionLabel } from './untrusted.js';
import { usesPhoneProvider } from './route.js';

export type { DesiredSettings };

export interface SmsPlan {
  /** The complete options object to PATCH: Auth0 replaces `options` whole (docs/auth0-facts.md#options-are-replaced-whole). */
  next: SmsOptions;
  /** `diffOptions(current.options, next)`: what the user is shown and approves. */
  changes: Change[];
  noop: boolean;
  warnings: string[];
}

/** Twilio's keys: removed when a connection switches to the gateway, unless --keep-twilio. */
export const TWILIO_KEYS = ['twilio_sid', 'twilio_token', 'messaging_service_sid'] as const;

/** The only option keys a plan may touch; every other key is copied as it is. */
export const REWRITTEN_KEYS = ['provider', 'gateway_url', 'gateway_authentication', 'forward_req_info', 'from', 'template', ...TWILIO_KEYS] as const;

/**
 * The options that make `current` deliver codes through the gateway: a deep copy of the
 * current options with only the requested rewrites (docs/auth0-facts.md#switching-a-connection-to-a-gateway).
 * Never built from scratch, so options this tool does not model survive, in order.
 *
 * Throws exit 2 for a non-SMS connection, invalid settings or a required setting the
 * connection does not have yet; exit 1 when the read carried no options (missing scope).
 */
export function planSmsUpdate(current: Connection, desired: DesiredSettings): SmsPlan {
  const label = connectionLabel(current);
  const before = rewritableOptions(current);
  // Checked here too, not only by the caller: the template rule depends on this connection's syntax.
  const checked = checkDesired(before.syntax, desired);
  const next = structuredClone(before);

  next.provider = 'sms_gateway';
  if (checked.gatewayUrl !== undefined) {
    next.gateway_url = checked.gatewayUrl;
  } else if (nonEmpty(next.gateway_url) === undefined) {
    throw inputError(`${label} has no gateway URL yet: pass --gateway-url`, 'e.g. --gateway-url https://sms.example.com/send');
  }
  if (checked.authentication !== undefined) planAuthentication(next, checked.authentication, label);
  // Written as a boolean, the type the spec gives, even where Auth0's doc shows "true".
  // A stored "true" asked for as true is the same setting in Auth0's doc form: no change on its
  // own (a rewrite for another reason turns it into the boolean below).
  if (checked.forwardReqInfo !== undefined && next.forward_req_info !== String(checked.forwardReqInfo)) next.forward_req_info = checked.forwardReqInfo;
  if (checked.from !== undefined) next.from = checked.from;
  if (checked.template !== undefined) next.template = checked.template;
  // What this write would newly store: a setting it changes, or every one when the secret changes.
  const auth = isPlainObject(next.gateway_authentication) ? next.gateway_authentication : undefined;
  const authBefore = isPlainObject(before.gateway_authentication) ? before.gateway_authentication : undefined;
  const secretChanges = auth?.secret !== authBefore?.secret;
  const written = Object.fromEntries(
    (
      [
        ['gateway_url', next.gateway_url, before.gateway_url],
        ['from', next.from, before.from],
        ['template', next.template, before.template],
        ['gateway_authentication.subject', auth?.subject, authBefore?.subject],
        ['gateway_authentication.audience', auth?.audience, authBefore?.audience],
      ] as const
    )
      .filter(([, value, old]) => secretChanges || value !== old)
      .map(([name, value]) => [name, value]),
  );
  refuseSecretInSettings(typeof auth?.secret === 'string' ? auth.secret : undefined, written, label);
  // Auth0 keeps using Twilio while they are set (docs/auth0-facts.md#switching-a-connection-to-a-gateway). The backup keeps them.
  // Only keys that hold a value: a `null` messaging_service_sid (what many tools write) sends nothing through Twilio.
  if (checked.keepTwilio !== true) {
    for (const key of TWILIO_KEYS) if (next[key] !== null && next[key] !== undefined && next[key] !== '') delete next[key];
  }

  // A stored "true"/"false" (the form Auth0's own example writes) goes back as the boolean the
  // spec types: a rewrite sends the whole options, so it is corrected in passing and the diff
  // shows it; it alone is no reason to write. (A string here is the stored value: a setting
  // asked for is written as a boolean above.)
  const storedForward = next.forward_req_info;
  if (typeof storedForward === 'string') next.forward_req_info = storedForward === 'true';
  let changes = diffOptions(before, next);
  if (typeof storedForward === 'string' && changes.length === 1 && changes[0]?.path === 'forward_req_info') {
    next.forward_req_info = storedForward;
    changes = [];
  }
  const warnings = [...warningsFor(next, checked.gatewayUrl === undefined), ...(checked.from === undefined ? [] : fromWarnings(checked.from))];
  return { next, changes, noop: changes.length === 0, warnings };
}

/**
 * Desired settings checked for a connection's syntax. A frozen object cannot change between two
 * checks, so its check is kept, per syntax: apply hands every entry with the same settings one
 * frozen object, and plans hundreds of connections with it. What the check returns is frozen
 * too, so no plan can change what the next one reads.
 */
function checkDesired(syntax: string | null | undefined, desired: DesiredSettings): DesiredSettings {
  if (!Object.isFrozen(desired)) return parseInput(desiredSettingsSchemaFor(syntax), desired);
  let bySyntax = checkedDesired.get(desired);
  if (bySyntax === undefined) checkedDesired.set(desired, (bySyntax = new Map()));
  let checked = bySyntax.get(syntax ?? null);
  if (checked === undefined) {
    checked = deepFreeze(parseInput(desiredSettingsSchemaFor(syntax), desired));
    bySyntax.set(syntax ?? null, checked);
  }
  return checked;
}

const checkedDesired = new WeakMap<DesiredSettings, Map<string | null, DesiredSettings>>();

type DesiredAuthentication = NonNullable<DesiredSettings['authentication']>;

function planAuthentication(next: SmsOptions, desired: DesiredAuthentication, label: string): void {
  if (desired.method === 'none') {
    // `null` already means "no authentication"; leaving it avoids a change that changes nothing.
    if (next.gateway_authentication !== null) delete next.gateway_authentication;
    return;
  }
  // `next` is already a copy: edit the current object in place so its other keys and order stay.
  const current: GatewayAuthentication | undefined = isPlainObject(next.gateway_authentication) ? next.gateway_authentication : undefined;
  const bearer = resolveBearer(bearerOfOptions(current), desired, label);
  const auth: GatewayAuthentication = current ?? {};
  auth.method = 'bearer';
  // A subject the connection has and the request leaves open stays as it is (resolveBearer
  // falls back to it too); only a missing one gets Auth0's default.
  auth.subject = bearer.subject;
  auth.audience = bearer.audience;
  auth.secret = bearer.secret;
  if (desired.secretBase64Encoded !== undefined) auth.secret_base64_encoded = desired.secretBase64Encoded;
  // A new object states Auth0's default outright, as Auth0's own recorded PATCH does.
  else if (current === undefined) auth.secret_base64_encoded = false;
  next.gateway_authentication = auth;
}

function warningsFor(next: SmsOptions, urlKept: boolean): string[] {
  const warnings: string[] = [];
  if (usesPhoneProvider(next.use_phone_provider)) {
    // Unified Phone Experience tenants (docs/auth0-facts.md#two-generations-of-sms-delivery).
    warnings.push(
      "Auth0 bypasses the gateway while use_phone_provider is on: codes go out through the tenant's phone provider; for the gateway to receive them, point the phone provider at it (`auth0-sms-gateway phone-provider configure`, or a phone_provider: entry in an apply file), or turn \"Use Tenant-level Messaging Provider\" off on the connection in the Dashboard",
    );
  }
  const url = next.gateway_url;
  if (typeof url === 'string') {
    const problem = urlKept ? firstProblem(gatewayUrlSchema, url) : undefined;
    if (problem !== undefined) warnings.push(`the connection's current ${problem} (pass --gateway-url to replace it)`);
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
