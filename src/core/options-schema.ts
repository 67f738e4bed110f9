import * as z from 'zod';
import { connectionProblems, requireSmsConnection, requireSmsOptions, TENANT_OPTIONS_HINT, type Connection } from './options.js';
import { inputError } from './errors.js';
import { connectionLabel } from './untrusted.js';
import { formatPath, type PathProblem } from './zod-issues.js';
import { isPlainObject } from './diff.js';
import { invalid } from '../gateway/type-name.js';

// The checks of connections and their options for what rewrites them (configure, the wizard,
// apply, restore), and their zod schemas for backups. Apart from ./options.ts, so that the
// commands that only read (list, show) load no zod: ./options.ts checks an answer's connection
// without it.

/** `forward_req_info`: a boolean, but Auth0's gateway doc shows the string `"true"` (docs/auth0-facts.md#connection-options). */
export type Booleanish = boolean | 'true' | 'false';

/** The Management API's `ConnectionGatewayAuthenticationSMS` (additionalProperties: true). */
export interface GatewayAuthentication {
  method?: string | undefined;
  subject?: string | undefined;
  audience?: string | undefined;
  secret?: string | undefined;
  secret_base64_encoded?: boolean | undefined;
  [key: string]: unknown;
}

/** Options this tool can rewrite: the keys it models have the types it expects (`smsOptionsProblems`). */
export interface SmsOptions {
  name?: string | null | undefined;
  from?: string | null | undefined;
  syntax?: string | null | undefined;
  template?: string | null | undefined;
  totp?: { time_step?: number | undefined; length?: number | undefined; [key: string]: unknown } | null | undefined;
  twilio_sid?: string | null | undefined;
  twilio_token?: string | null | undefined;
  messaging_service_sid?: string | null | undefined;
  /** Absent means Twilio (docs/auth0-facts.md#connection-options). */
  provider?: 'twilio' | 'sms_gateway' | null | undefined;
  gateway_url?: string | null | undefined;
  gateway_authentication?: GatewayAuthentication | null | undefined;
  forward_req_info?: Booleanish | null | undefined;
  brute_force_protection?: boolean | null | undefined;
  disable_signup?: boolean | null | undefined;
  /** Undocumented; `true` and `"unified"` have been seen (docs/auth0-facts.md#two-generations-of-sms-delivery). */
  use_phone_provider?: Booleanish | 'unified' | null | undefined;
  [key: string]: unknown;
}

/** A check of one value: its problems pushed at `path` (in zod's words, never the value). */
type Check = (value: unknown, path: PropertyKey[], problems: PathProblem[]) => void;

const typed =
  (expected: 'string' | 'number' | 'boolean'): Check =>
  (value, path, problems) => {
    // zod's number refuses NaN and the infinities: JSON holds neither.
    if (typeof value !== expected || (expected === 'number' && !Number.isFinite(value))) problems.push({ path, message: invalid(expected, value) });
  };
/** One of these values: zod's enum names them; its union of a boolean and strings (`union`) does not. */
const oneOf =
  (allowed: readonly (string | boolean)[], { union = false }: { union?: boolean } = {}): Check =>
  (value, path, problems) => {
    if (!allowed.includes(value as string | boolean)) {
      problems.push({ path, message: union ? 'Invalid input' : `Invalid option: expected one of ${allowed.map((a) => JSON.stringify(a)).join('|')}` });
    }
  };
/** Absent or `null` (Auth0 stores a setting left empty as null) is fine; anything else is checked. */
const nullish =
  (check: Check): Check =>
  (value, path, problems) => {
    if (value !== undefined && value !== null) check(value, path, problems);
  };
/** Absent is fine; anything else, `null` included, is checked. */
const undefinedOr =
  (check: Check): Check =>
  (value, path, problems) => {
    if (value !== undefined) check(value, path, problems);
  };
/** An object with these keys checked, any other key kept as it is (the API's additionalProperties). */
const looseObject =
  (fields: Readonly<Record<string, Check>>): Check =>
  (value, path, problems) => {
    if (!isPlainObject(value)) {
      problems.push({ path, message: invalid('object', value) });
      return;
    }
    for (const key in fields) fields[key]?.((value as Record<string, unknown>)[key], [...path, key], problems);
  };

const string = typed('string');
const number = typed('number');
const boolean = typed('boolean');
const booleanish = oneOf([true, false, 'true', 'false'], { union: true });

/**
 * The one check of the options this tool rewrites, in `SmsOptions`' key order. Plain code rather
 * than a zod schema: apply plans every connection of a file (hundreds), and zod's object parser
 * cost more than the rest of the plan (`npm run bench` row 4).
 */
const checkSmsOptions = looseObject({
  name: nullish(string),
  from: nullish(string),
  syntax: nullish(string),
  template: nullish(string),
  totp: nullish(looseObject({ time_step: undefinedOr(number), length: undefinedOr(number) })),
  twilio_sid: nullish(string),
  twilio_token: nullish(string),
  messaging_service_sid: nullish(string),
  provider: nullish(oneOf(['twilio', 'sms_gateway'])),
  gateway_url: nullish(string),
  gateway_authentication: nullish(
    looseObject({
      method: undefinedOr(string),
      subject: undefinedOr(string),
      audience: undefinedOr(string),
      secret: undefinedOr(string),
      secret_base64_encoded: undefinedOr(boolean),
    }),
  ),
  forward_req_info: nullish(booleanish),
  brute_force_protection: nullish(boolean),
  disable_signup: nullish(boolean),
  use_phone_provider: nullish(oneOf([true, false, 'true', 'false', 'unified'], { union: true })),
});

/** What is wrong with options this tool is to rewrite ([] when nothing is): each field whose value it does not understand. */
export function smsOptionsProblems(options: unknown): PathProblem[] {
  const problems: PathProblem[] = [];
  checkSmsOptions(options, [], problems);
  return problems;
}

/*
 * zod rebuilds an object with its declared keys first and unknown keys after them. The
 * options are sent back to Auth0 whole and shown as a diff, so they keep Auth0's order: these
 * schemas only validate (a connection with connectionProblems), then return a deep copy of the
 * input itself, so nothing else differs.
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
  const problems = smsOptionsProblems(raw);
  if (problems.length > 0) {
    const fields = problems.map((problem) => formatPath(['options', ...problem.path]));
    throw inputError(
      `${connectionLabel(connection)} holds options this tool cannot rewrite safely: ${[...new Set(fields)].join(', ')} ${fields.length === 1 ? 'has' : 'have'} an unexpected value`,
      TENANT_OPTIONS_HINT,
    );
  }
  return structuredClone(raw) as SmsOptions;
}

