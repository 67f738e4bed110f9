import * as z from 'zod';
import { isPlainObject } from './diff.js';
import { redactUrl } from './gateway-url.js';
import { HELD_SECRET_MIN_LENGTH, REDACTED } from './redact.js';
import { inputError, remoteError } from './errors.js';
import { lazy } from './lazy.js';
import { connectionLabel, untrusted } from './untrusted.js';
import { formatPath, issueProblems } from './zod-issues.js';

/*
 * Connections as Auth0 returns them (docs/auth0-facts.md#connection-options, the Management
 * API's `ConnectionOptionsSMS`, `additionalProperties: true`). Two levels of trust:
 * - reading (list, show, status) takes any options object: a `null` field, a provider this
 *   tool does not know or a string where an object belongs must never fail a listing;
 * - rewriting (configure, the wizard, apply, restore) first checks the keys it models with
 *   `smsOptionsSchema`, and refuses a connection it cannot rewrite faithfully, naming the field.
 * Every key the schemas do not model survives either way, because Auth0 replaces `options`
 * whole on PATCH and anything dropped here would be wiped from the tenant. Limits for the
 * values a person gives live in validate.ts.
 */

/*
 * The schemas of options to rewrite are built on their first use: `list`, `show` and `status`
 * never rewrite, and building zod schemas is a measurable part of a command's start-up.
 */
function buildSmsOptionsSchemas() {
  /** `forward_req_info`: a boolean, but Auth0's gateway doc shows the string `"true"` (docs/auth0-facts.md#connection-options). */
  const booleanish = z.union([z.boolean(), z.enum(['true', 'false'])]);
  /** The Management API's `ConnectionGatewayAuthenticationSMS` (additionalProperties: true). */
  const gatewayAuthentication = z.looseObject({
    method: z.string().optional(),
    subject: z.string().optional(),
    audience: z.string().optional(),
    secret: z.string().optional(),
    secret_base64_encoded: z.boolean().optional(),
  });
  /** SMS connection options, as an object schema; `smsOptions` parses them keeping the key order. */
  const object = z.looseObject({
    name: z.string().nullish(),
    from: z.string().nullish(),
    syntax: z.string().nullish(),
    template: z.string().nullish(),
    totp: z.looseObject({ time_step: z.number().optional(), length: z.number().optional() }).nullish(),
    twilio_sid: z.string().nullish(),
    twilio_token: z.string().nullish(),
    messaging_service_sid: z.string().nullish(),
    // Absent means Twilio (docs/auth0-facts.md#connection-options).
    provider: z.enum(['twilio', 'sms_gateway']).nullish(),
    gateway_url: z.string().nullish(),
    gateway_authentication: gatewayAuthentication.nullish(),
    forward_req_info: booleanish.nullish(),
    brute_force_protection: z.boolean().nullish(),
    disable_signup: z.boolean().nullish(),
    // Undocumented; `true` and `"unified"` have been seen (docs/auth0-facts.md#two-generations-of-sms-delivery).
    use_phone_provider: z.union([booleanish, z.literal('unified')]).nullish(),
  });
  return { booleanish, gatewayAuthentication, object, smsOptions: keepingKeyOrder<z.infer<typeof object>>((input) => issuesOf(object, input)) };
}
type SmsOptionsSchemas = ReturnType<typeof buildSmsOptionsSchemas>;
/** Parses options this tool can rewrite, keeping their key order (a deep copy). */
export const smsOptionsSchema = lazy(() => buildSmsOptionsSchemas().smsOptions);

export type Booleanish = z.infer<SmsOptionsSchemas['booleanish']>;
export type GatewayAuthentication = z.infer<SmsOptionsSchemas['gatewayAuthentication']>;

export function isTruthy(value: unknown): boolean {
  return value === true || value === 'true';
}

/** Options this tool can rewrite: the keys it models have the types it expects. */
export type SmsOptions = z.infer<SmsOptionsSchemas['object']>;
/** Options as read: any object. */
export type RawOptions = Record<string, unknown>;

/**
 * The fields of a connection this tool reads, `options` apart (display_name goes back in every
 * PATCH). The others (enabled_clients, realms, metadata, …) are neither read nor written, so
 * they are not checked: an odd value there must not fail a listing, nor cost it time.
 */
const connectionFields = {
  id: z.string().min(1),
  name: z.string().min(1),
  // Auth0 sends a string; a null (an import, an old API client) is read as none, not refused.
  display_name: z.string().nullish(),
  strategy: z.string().min(1),
};

/**
 * Any connection; its `options` are an object of any shape (see `connectionSchema`). Used only
 * to check a value, never for its output: it does not copy the keys it does not name, nor the
 * options (a listing of thousands of connections paid for those copies).
 */
export const connectionObjectSchema = z.object({
  ...connectionFields,
  options: z.custom<RawOptions>(isPlainObject, { error: 'options must be an object' }).nullish(),
});

/**
 * `options` is undefined or null when the token lacks `read:connections_options`
 * (docs/auth0-facts.md#the-options-scopes): never read that as "no options".
 */
export type Connection = z.infer<typeof connectionObjectSchema> & { [key: string]: unknown };

/*
 * zod rebuilds an object with its declared keys first and unknown keys after them. The
 * options are sent back to Auth0 whole and shown as a diff, so they keep Auth0's order: these
 * schemas validate with the object schemas, then return a deep copy of the input itself
 * (the object schemas have no transforms or defaults, so nothing else differs).
 */
function keepingKeyOrder<T>(validate: (input: unknown) => z.core.$ZodIssue[]) {
  return z.unknown().transform((input, ctx): T => {
    const issues = validate(input);
    if (issues.length > 0) {
      for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, input });
      return z.NEVER;
    }
    return structuredClone(input) as T;
  });
}

const issuesOf = (schema: z.ZodType, input: unknown): z.core.$ZodIssue[] => {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues;
};

/**
 * A connection as GET/PATCH return it: the fields this tool reads, and `options` as any object
 * (a lookup by name may return any strategy; odd SMS options are judged only when rewritten).
 */
export const connectionSchema = keepingKeyOrder<Connection>((input) => issuesOf(connectionObjectSchema, input));

/**
 * A connection as the Management API just sent it, checked like `connectionSchema`, but the
 * object itself is returned, not a copy: it is freshly parsed JSON that nothing else holds, so
 * Auth0's key order is kept without the deep copy (listing thousands of connections paid for it).
 */
export function readConnection(raw: unknown): Connection | undefined {
  return connectionObjectSchema.safeParse(raw).success ? (raw as Connection) : undefined;
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

/**
 * The options of a connection the tool is about to rewrite, checked: exit 2 naming each field
 * whose value it does not understand (a provider it does not know, a string where Auth0 keeps
 * an object), rather than a PATCH that would carry it back unexamined or change its meaning.
 */
/** The hint of the error for options the tool cannot rewrite: the tenant is at fault, not the input. */
export const TENANT_OPTIONS_HINT = 'look at them with `auth0-sms-gateway show`, and correct them in the Auth0 Dashboard or with the Management API first';

export function rewritableOptions(connection: Connection): SmsOptions {
  const raw = requireSmsOptions(requireSmsConnection(connection));
  const result = smsOptionsSchema().safeParse(raw);
  if (!result.success) {
    const fields = issueProblems(result.error.issues, {}, ['options']).map((problem) => formatPath(problem.path));
    throw inputError(
      `${connectionLabel(connection)} holds options this tool cannot rewrite safely: ${[...new Set(fields)].join(', ')} ${fields.length === 1 ? 'has' : 'have'} an unexpected value`,
      TENANT_OPTIONS_HINT,
    );
  }
  return result.data;
}

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
