import * as z from 'zod';
import { lazy } from './lazy.js';
import { connectionProblems, requireSmsConnection, requireSmsOptions, TENANT_OPTIONS_HINT, type Connection } from './options.js';
import { inputError } from './errors.js';
import { connectionLabel } from './untrusted.js';
import { formatPath, issueProblems, type PathProblem } from './zod-issues.js';

// The zod schemas of connections and their options, for what rewrites them (configure, the
// wizard, apply, restore) and for backups. Apart from ./options.ts, so that the commands that
// only read (list, show) load no zod: ./options.ts checks an answer's connection without it.

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

/** Options this tool can rewrite: the keys it models have the types it expects. */
export type SmsOptions = z.infer<SmsOptionsSchemas['object']>;

/*
 * zod rebuilds an object with its declared keys first and unknown keys after them. The
 * options are sent back to Auth0 whole and shown as a diff, so they keep Auth0's order: these
 * schemas only validate (the options with their object schema, a connection with
 * connectionProblems), then return a deep copy of the input itself, so nothing else differs.
 */
function keepingKeyOrder<T>(validate: (input: unknown) => readonly PathProblem[]) {
  return z.unknown().transform((input, ctx): T => {
    const issues = validate(input);
    if (issues.length > 0) {
      for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path], input });
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
export const connectionSchema = keepingKeyOrder<Connection>(connectionProblems);

/**
 * The options of a connection the tool is about to rewrite, checked: exit 2 naming each field
 * whose value it does not understand (a provider it does not know, a string where Auth0 keeps
 * an object), rather than a PATCH that would carry it back unexamined or change its meaning.
 */
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

