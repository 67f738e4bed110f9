import { isPlainObject } from './diff.js';
import { invalid } from '../gateway/type-name.js';
import { redactUrl } from './gateway-url.js';
import { HELD_SECRET_MIN_LENGTH, REDACTED } from './redact.js';
import { inputError, remoteError } from './errors.js';
import { connectionLabel, untrusted } from './untrusted.js';
import type { PathProblem } from './zod-issues.js';

/*
 * Connections as Auth0 returns them (docs/auth0-facts.md#connection-options, the Management
 * API's `ConnectionOptionsSMS`, `additionalProperties: true`). Two levels of trust:
 * - reading (list, show, status) takes any options object: a `null` field, a provider this
 *   tool does not know or a string where an object belongs must never fail a listing;
 * - rewriting (configure, the wizard, apply, restore) first checks the keys it models with
 *   `smsOptionsProblems` (./options-schema.ts), and refuses a connection it cannot rewrite
 *   faithfully, naming the field.
 * Every key the schemas do not model survives either way, because Auth0 replaces `options`
 * whole on PATCH and anything dropped here would be wiped from the tenant. Limits for the
 * values a person gives live in validate.ts.
 */

export function isTruthy(value: unknown): boolean {
  return value === true || value === 'true';
}

/** Options as read: any object. */
export type RawOptions = Record<string, unknown>;

/**
 * A connection as GET/PATCH return it. The fields this tool reads are typed, `options` apart (any
 * object: a lookup by name may return any strategy); display_name goes back in every PATCH. The
 * others (enabled_clients, realms, metadata, …) are neither read nor written, so they are not
 * checked: an odd value there must not fail a listing, nor cost it time.
 * `options` is undefined or null when the token lacks `read:connections_options`
 * (docs/auth0-facts.md#the-options-scopes): never read that as "no options".
 */
export interface Connection {
  id: string;
  name: string;
  // Auth0 sends a string; a null (an import, an old API client) is read as none, not refused.
  display_name?: string | null | undefined;
  strategy: string;
  options?: RawOptions | null | undefined;
  [key: string]: unknown;
}

/**
 * What is wrong with a connection's fields that this tool reads ([] when nothing is), in the
 * order of `Connection`. The one check of a connection, for an answer of the Management API
 * (`readConnection`) and for a backup (`connectionSchema`), in zod's words. Plain code rather
 * than a zod schema: a listing checks thousands of connections once each, where zod's object
 * parser cost more than everything else the listing does with them (10,000 connections,
 * `npm run bench` row 9), and `list` and `show` then load no zod at all.
 */
export function connectionProblems(raw: unknown): PathProblem[] {
  if (!isPlainObject(raw)) return [{ path: [], message: invalid('object', raw) }];
  const problems: PathProblem[] = [];
  const text = (key: 'id' | 'name' | 'strategy') => {
    const value = raw[key];
    if (typeof value !== 'string') problems.push({ path: [key], message: invalid('string', value) });
    else if (value === '') problems.push({ path: [key], message: 'Too small: expected string to have >=1 characters' });
  };
  text('id');
  text('name');
  if (!(raw.display_name === undefined || raw.display_name === null || typeof raw.display_name === 'string')) {
    problems.push({ path: ['display_name'], message: invalid('string', raw.display_name) });
  }
  text('strategy');
  if (!(raw.options === undefined || raw.options === null || isPlainObject(raw.options))) problems.push({ path: ['options'], message: invalid('object', raw.options) });
  return problems;
}

/**
 * A connection as the Management API just sent it, checked like `connectionSchema`, but the
 * object itself is returned, not a copy: it is freshly parsed JSON that nothing else holds, so
 * Auth0's key order is kept without the deep copy (listing thousands of connections paid for it).
 */
export function readConnection(raw: unknown): Connection | undefined {
  return connectionProblems(raw).length === 0 ? (raw as Connection) : undefined;
}

/** The connection itself when its strategy is `sms`; otherwise exit 2 (every command acts on SMS connections only). */
export function requireSmsConnection(connection: Connection): Connection {
  if (connection.strategy !== 'sms') {
    throw inputError(
      `${connectionLabel(connection)} is not an SMS connection (its strategy is "${untrusted(connection.strategy)}")`,
      'pick a Passwordless SMS connection: `auth0-sms-gateway list` shows them',
    );
  }
  return connection;
}

/**
 * The options of a connection, or the scope error: since 2025 Auth0 leaves `options` out of
 * GET responses when the token lacks `read:connections_options` (docs/auth0-facts.md#the-options-scopes),
 * and a PATCH built from such a read would wipe the connection.
 */
export function requireSmsOptions(connection: Connection): RawOptions {
  const { options } = connection;
  if (options === undefined || options === null) {
    throw remoteError(
      `Auth0 returned connection ${connectionLabel(connection)} without its options: the token most likely lacks the read:connections_options scope`,
      'grant read:connections_options and update:connections_options to the Machine-to-Machine application (Dashboard > Applications > APIs > Auth0 Management API), then run again',
    );
  }
  return options;
}

/** The hint of the error for options the tool cannot rewrite: the tenant is at fault, not the input. */
export const TENANT_OPTIONS_HINT = 'look at them with `auth0-sms-gateway show`, and correct them in the Auth0 Dashboard or with the Management API first';

/** One row of `list --json` (README, `list`). */
export interface SmsSummary {
  id: string;
  name: string;
  /** "twilio" when absent; any other stored value as it is. */
  provider: string;
  /** Credentials in it redacted: a display value (a URL with a space is not found in free text). */
  gateway_url: string | null;
  authentication: 'none' | 'bearer';
  forward_req_info: boolean;
  from: string | null;
}

/** Throws the scope error of `requireSmsOptions`: a row guessed from missing options would lie. */
export function smsSummary(connection: Connection): SmsSummary {
  const options = requireSmsOptions(connection);
  const gatewayUrl = options.gateway_url;
  const from = options.from;
  // A text set to one of the connection's secrets is shown as a secret is (show does the same, for every field).
  const secrets = [isPlainObject(options.gateway_authentication) ? options.gateway_authentication.secret : undefined, options.twilio_token];
  const shown = (text: string): string => (secrets.some((secret) => typeof secret === 'string' && secret.length >= HELD_SECRET_MIN_LENGTH && secret === text) ? REDACTED : text);
  return {
    id: connection.id,
    name: connection.name,
    provider: options.provider === undefined || options.provider === null || options.provider === '' ? 'twilio' : typeof options.provider === 'string' ? options.provider : JSON.stringify(options.provider),
    gateway_url: typeof gatewayUrl === 'string' && gatewayUrl !== '' ? shown(redactUrl(gatewayUrl)) : null,
    // `bearer` is the only method Auth0 knows; an object here means Auth0 signs a JWT.
    authentication: isPlainObject(options.gateway_authentication) ? 'bearer' : 'none',
    forward_req_info: isTruthy(options.forward_req_info),
    from: typeof from === 'string' && from !== '' ? shown(from) : null,
  };
}
