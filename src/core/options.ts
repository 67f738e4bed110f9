import { z } from 'zod';
import { isPlainObject } from './diff.js';
import { inputError, remoteError } from './errors.js';

/*
 * Schemas for connections as Auth0 returns them (reference §2.1, SPEC `ConnectionOptionsSMS`,
 * which has `additionalProperties: true`). They describe what is read, not what may be
 * written: known keys are typed loosely enough that a real connection always parses (Auth0
 * shows `null` for unset fields, its own doc writes `forward_req_info` as a string), and
 * every key they do not model survives, because Auth0 replaces `options` whole on PATCH and
 * anything dropped here would be wiped from the tenant. Limits for writing live in validate.ts.
 */

/** `forward_req_info`: a boolean, but Auth0's gateway doc shows the string `"true"` (reference §2.1). */
export const booleanishSchema = z.union([z.boolean(), z.enum(['true', 'false'])]);
export type Booleanish = z.infer<typeof booleanishSchema>;

export function isTruthy(value: unknown): boolean {
  return value === true || value === 'true';
}

/** SPEC `ConnectionGatewayAuthenticationSMS` (additionalProperties: true). */
export const gatewayAuthenticationSchema = z.looseObject({
  method: z.string().optional(),
  subject: z.string().optional(),
  audience: z.string().optional(),
  secret: z.string().optional(),
  secret_base64_encoded: z.boolean().optional(),
});
export type GatewayAuthentication = z.infer<typeof gatewayAuthenticationSchema>;

/**
 * SMS connection options. The plain object schema, for composing (`.shape`, `.extend`);
 * parse with `smsOptionsSchema`, which keeps the key order.
 */
export const smsOptionsObjectSchema = z.looseObject({
  name: z.string().nullish(),
  from: z.string().nullish(),
  syntax: z.string().nullish(),
  template: z.string().nullish(),
  totp: z.looseObject({ time_step: z.number().optional(), length: z.number().optional() }).nullish(),
  twilio_sid: z.string().nullish(),
  twilio_token: z.string().nullish(),
  messaging_service_sid: z.string().nullish(),
  // Absent means Twilio (reference §2.1).
  provider: z.enum(['twilio', 'sms_gateway']).nullish(),
  gateway_url: z.string().nullish(),
  gateway_authentication: gatewayAuthenticationSchema.nullish(),
  forward_req_info: booleanishSchema.nullish(),
  brute_force_protection: z.boolean().nullish(),
  disable_signup: z.boolean().nullish(),
  // Undocumented (terraform-provider-auth0#1549), so read as leniently as forward_req_info.
  use_phone_provider: booleanishSchema.nullish(),
});
export type SmsOptions = z.infer<typeof smsOptionsObjectSchema>;

/** The fields of a connection this tool reads, `options` apart; the rest (authentication, …) is kept. */
const connectionFieldsSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  display_name: z.string().optional(),
  strategy: z.string().min(1),
  enabled_clients: z.array(z.string()).optional(),
  realms: z.array(z.string()).optional(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  is_domain_connection: z.boolean().optional(),
  show_as_button: z.boolean().optional(),
});

/** Any connection; its `options` are an object of any shape (see `connectionSchema`). */
export const connectionObjectSchema = connectionFieldsSchema.extend({
  options: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * `options` is undefined or null when the token lacks `read:connections_options`
 * (reference §1.4): never read that as "no options".
 */
export type Connection = z.infer<typeof connectionFieldsSchema> & {
  options?: SmsOptions | null | undefined;
};

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

export const smsOptionsSchema = keepingKeyOrder<SmsOptions>((input) => issuesOf(smsOptionsObjectSchema, input));

/**
 * A connection as GET/PATCH return it. `options` are checked as SMS options only when the
 * strategy is `sms`: a lookup by name may return any connection, and the caller refuses
 * the others with a clear message rather than a parse error (planSmsUpdate does).
 */
export const connectionSchema = keepingKeyOrder<Connection>((input) => {
  const head = connectionObjectSchema.safeParse(input);
  if (!head.success) return head.error.issues;
  const { strategy, options } = head.data;
  if (strategy !== 'sms' || options === undefined || options === null) return [];
  return issuesOf(smsOptionsObjectSchema, options).map((issue) => ({ ...issue, path: ['options', ...issue.path] }));
});

/** The connection itself when its strategy is `sms`; otherwise exit 2 (every command acts on SMS connections only). */
export function requireSmsConnection(connection: Connection): Connection {
  if (connection.strategy !== 'sms') {
    throw inputError(
      `${connection.name} (${connection.id}) is a "${connection.strategy}" connection, not an SMS connection`,
      'pick a Passwordless SMS connection: `auth0-sms-gateway list` shows them',
    );
  }
  return connection;
}

/**
 * The options of a connection, or the scope error: since 2025 Auth0 leaves `options` out of
 * GET responses when the token lacks `read:connections_options` (OPT-SCOPES-DOC, reference
 * §1.4), and a PATCH built from such a read would wipe the connection.
 */
export function requireSmsOptions(connection: Connection): SmsOptions {
  const { options } = connection;
  if (options === undefined || options === null) {
    throw remoteError(
      `Auth0 returned connection ${connection.name} (${connection.id}) without its options: the token most likely lacks the read:connections_options scope`,
      'grant read:connections_options and update:connections_options to the Machine-to-Machine application (Dashboard > Applications > APIs > Auth0 Management API), then run again',
    );
  }
  return options;
}

/** One row of `list --json` (cli-contract.md, `list`). */
export interface SmsSummary {
  id: string;
  name: string;
  provider: 'twilio' | 'sms_gateway';
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
  return {
    id: connection.id,
    name: connection.name,
    provider: options.provider === 'sms_gateway' ? 'sms_gateway' : 'twilio',
    gateway_url: typeof gatewayUrl === 'string' && gatewayUrl !== '' ? gatewayUrl : null,
    // `bearer` is the only method Auth0 knows; an object here means Auth0 signs a JWT.
    authentication: isPlainObject(options.gateway_authentication) ? 'bearer' : 'none',
    forward_req_info: isTruthy(options.forward_req_info),
    from: typeof from === 'string' && from !== '' ? from : null,
  };
}
