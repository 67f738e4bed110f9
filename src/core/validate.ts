import * as z from 'zod';
import { inputError } from './errors.js';
// The base64url rule has one implementation, zod-free, shared with the library entry.
import { isBase64url } from '../gateway/key.js';
import { LIQUID_PLACEHOLDER } from '../gateway/template.js';
import { CONTROL_CHARACTERS, gatewayUrlProblem } from './gateway-url.js';
import { REDACTED } from './redact.js';

export { isBase64url };

export { GATEWAY_URL_MAX, GATEWAY_URL_MIN, gatewayUrlWarnings } from './gateway-url.js';

/*
 * Field schemas shared by the flags, the wizard (as prompt validators) and the apply file.
 * Limits come from the Management API's ConnectionOptionsSMS
 * (https://auth0.com/docs/api/management/v2/connections/patch-connections-by-id; docs/auth0-facts.md);
 * each message names the field and the fix, and never repeats the value (it may be a secret).
 */

/** A refinement shared by every text field a person gives the tool: no control characters, no bidi overrides. */
function withoutControlCharacters(field: string) {
  return (value: string, ctx: z.core.$RefinementCtx<string>): void => {
    if (CONTROL_CHARACTERS.test(value)) {
      ctx.addIssue({ code: 'custom', message: `${field} contains control characters or line breaks: type it on one line, without escape sequences` });
    }
  };
}

export const SUBJECT_MAX = 64;
export const AUDIENCE_MAX = 128;
export const SECRET_MAX = 5120;
export const TEMPLATE_MAX = 5120;
export const FROM_MAX = 128;
/** HS256 keys shorter than the hash output (32 bytes) are weak (RFC 7518 §3.2). */
export const SECRET_MIN_BYTES = 32;
export const DEFAULT_SUBJECT = 'urn:Auth0';

export const gatewayUrlSchema = z
  .string({ error: 'gateway URL must be a string such as https://sms.example.com/send' })
  .superRefine((value, ctx) => {
    const problem = gatewayUrlProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

export const subjectSchema = z
  .string({ error: 'subject must be a string' })
  .min(1, { error: 'subject is empty: pass the JWT `sub` claim, e.g. urn:Auth0' })
  .max(SUBJECT_MAX, { error: `subject is longer than ${SUBJECT_MAX} characters, the most Auth0 accepts: use a shorter sub claim` })
  .superRefine(withoutControlCharacters('subject'));

export const audienceSchema = z
  .string({ error: 'audience must be a string' })
  .min(1, { error: 'audience is empty: pass the JWT `aud` claim your gateway expects, e.g. urn:MySmsGateway' })
  .max(AUDIENCE_MAX, { error: `audience is longer than ${AUDIENCE_MAX} characters, the most Auth0 accepts: use a shorter aud claim` })
  .superRefine(withoutControlCharacters('audience'));

export const secretSchema = z
  .string({ error: 'secret must be a string' })
  .min(1, { error: 'secret is empty: pass the signing secret, or generate one' })
  .max(SECRET_MAX, { error: `secret is longer than ${SECRET_MAX} characters, the most Auth0 accepts: use a shorter key` })
  // An escape or a line break in a key is a paste or file mistake; a gateway reading the key
  // elsewhere (without it) would refuse every token.
  .refine((value) => !CONTROL_CHARACTERS.test(value), {
    error: 'secret holds a control character or a line break (a line break at its end counts): remove it; the gateway must check tokens with the very same bytes',
  })
  .refine((value) => value !== REDACTED, { error: "secret is the placeholder the tool's output shows in place of a secret: pass the secret itself" });

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function base64urlProblem(value: string): string | undefined {
  if (isBase64url(value)) return undefined;
  // Standard base64 first (what `openssl rand -base64` prints): its = padding is not the problem to name.
  if (value.includes('+') || value.includes('/')) {
    return `secret holds + or /, which is base64, not base64url: replace + with - and / with _${/=+$/.test(value) ? ', and drop the = padding' : ''}`;
  }
  if (value.includes('=')) return 'secret has = where base64url allows it only as 1 or 2 padding characters at the end: drop the = characters';
  if (/\s/.test(value)) return 'secret holds spaces or line breaks, which base64url has not: remove them';
  if (BASE64URL.test(value)) return 'secret is not valid base64url: its length cannot be decoded (a character is missing or extra)';
  return 'secret is not base64url (only A-Z, a-z, 0-9, - and _): encode it, or turn off base64 encoding';
}

/** A secret that is also marked `secret_base64_encoded`. */
export const base64urlSecretSchema = secretSchema.superRefine((value, ctx) => {
  const problem = base64urlProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** How many bytes of HMAC key the secret gives: decoded bytes when base64url-encoded, else UTF-8 bytes. */
export function secretKeyLength(secret: string, base64Encoded = false): number {
  return base64Encoded && isBase64url(secret) ? Buffer.from(secret, 'base64url').length : Buffer.byteLength(secret, 'utf8');
}

export function secretWarnings(secret: string, base64Encoded = false): string[] {
  if (secretKeyLength(secret, base64Encoded) >= SECRET_MIN_BYTES) return [];
  return [
    `secret gives less than ${SECRET_MIN_BYTES} bytes of key material, weak for HS256: use a longer one (--generate-secret makes a strong one)`,
  ];
}

/** Auth0's md_with_macros placeholder (docs/auth0-facts.md#connection-options). */
const MACRO_PLACEHOLDER = '@@password@@';
export { LIQUID_PLACEHOLDER };

/**
 * `syntax` is the connection's: `liquid`, or `md_with_macros` (Auth0's default, also used when
 * the key is absent). `'any'` is for input read before the connection is known (the apply
 * file): either form passes, and the planner checks again against the real syntax.
 * Auth0 does not check the placeholder itself (a live tenant accepted a template without
 * one, docs/auth0-facts.md#connection-options), so without this check users get texts with no code in them.
 */
export function templateSchema(syntax: string | null | undefined | 'any') {
  const liquid = syntax === 'liquid';
  const any = syntax === 'any';
  return z
    .string({ error: 'template must be a string' })
    .min(1, { error: `template is empty: write the text message, with ${liquid ? '{{ code }}' : MACRO_PLACEHOLDER} where the code goes` })
    .max(TEMPLATE_MAX, { error: `template is longer than ${TEMPLATE_MAX} characters, the most Auth0 accepts: shorten it` })
    .superRefine((value, ctx) => {
      // A line break is allowed: one-time-code SMS formats end with a line such as
      // "@example.com #123456" (https://wicg.github.io/sms-one-time-codes/). Nothing else is.
      if (CONTROL_CHARACTERS.test(value.replaceAll('\n', ''))) {
        ctx.addIssue({ code: 'custom', message: 'template contains control characters: only line breaks are allowed' });
        return;
      }
      const hasMacro = value.includes(MACRO_PLACEHOLDER);
      const hasLiquid = LIQUID_PLACEHOLDER.test(value);
      if (any ? hasMacro || hasLiquid : liquid ? hasLiquid : hasMacro) return;
      const message = any
        ? `template has no placeholder for the code: add ${MACRO_PLACEHOLDER} (or {{ code }} when the connection uses liquid syntax)`
        : liquid
          ? 'template has no placeholder for the code: this connection uses liquid syntax, so add {{ code }} (or {{ password }})'
          : hasLiquid
            ? `template uses a liquid placeholder, but this connection's syntax is md_with_macros: write ${MACRO_PLACEHOLDER} instead`
            : `template has no placeholder for the code: add ${MACRO_PLACEHOLDER} where the code goes`;
      ctx.addIssue({ code: 'custom', message });
    });
}

const PHONE = /^\+?[0-9 ().-]+$/;
const SENDER_ID = /^[A-Za-z0-9 ]{1,11}$/;

/**
 * The sender: Auth0 accepts any string of 1 to 128 characters (`ConnectionFromSMS` has no
 * pattern, docs/auth0-facts.md#connection-options); what carriers take is narrower, so that is
 * a warning (fromWarnings), never a refusal. Control characters are refused like everywhere.
 */
export const fromSchema = z
  .string({ error: 'from must be a string' })
  .min(1, { error: 'from is empty: pass the sender phone number (+15551234567) or an alphanumeric sender id' })
  .max(FROM_MAX, { error: `from is longer than ${FROM_MAX} characters, the most Auth0 accepts: pass the number alone` })
  .superRefine(withoutControlCharacters('from'));

/** Whether carriers would take this sender: a phone number (+ and 3 to 20 digits) or an alphanumeric id of at most 11. */
export function fromWarnings(value: string): string[] {
  const digits = value.replace(/\D/g, '').length;
  const phone = PHONE.test(value) && value.trim() === value && digits >= 3 && digits <= 20 && !/.\+/.test(value);
  const senderId = /[A-Za-z]/.test(value) && SENDER_ID.test(value) && value.trim() === value;
  if (phone || senderId) return [];
  return [
    'from is neither a phone number (+ and digits, with spaces, dashes, dots or parentheses) nor an alphanumeric sender id of at most 11 letters, digits and spaces: Auth0 stores it, but carriers may reject the messages',
  ];
}

const noneAuthenticationSchema = z.strictObject({ method: z.literal('none') });

/** Bearer settings as asked for (core/bearer.ts `DesiredBearer`): each one left out keeps the connection's. */
const desiredBearerSchema = z
  .strictObject({
    method: z.literal('bearer'),
    /** Defaults to `urn:Auth0` when the connection has none. */
    subject: subjectSchema.optional(),
    /** Required when the connection has none. */
    audience: audienceSchema.optional(),
    /** Undefined keeps the current secret; required when the connection has none. */
    secret: secretSchema.optional(),
    /** AUTH0_SMS_GATEWAY_SECRET: used only where no secret is in place (core/bearer.ts). */
    fallbackSecret: secretSchema.optional(),
    secretBase64Encoded: z.boolean().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.secretBase64Encoded !== true || value.secret === undefined) return;
    const problem = base64urlProblem(value.secret);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['secret'] });
  });

export const authenticationSchema = z.discriminatedUnion('method', [noneAuthenticationSchema, desiredBearerSchema], {
  error: 'authentication method must be "none" or "bearer"',
});

/**
 * What the user asked for, from flags, the wizard or the apply file; undefined means "keep
 * what the connection has". `syntax` is the connection's (see templateSchema).
 */
export function desiredSettingsSchemaFor(syntax: string | null | undefined | 'any') {
  // Built once per syntax: a zod schema costs far more to build than to run, and apply plans
  // hundreds of connections with the same few syntaxes.
  const key = syntax ?? null;
  let schema = desiredSettingsSchemas.get(key);
  if (schema === undefined) {
    schema = buildDesiredSettingsSchema(syntax);
    desiredSettingsSchemas.set(key, schema);
  }
  return schema;
}

const desiredSettingsSchemas = new Map<string | null, ReturnType<typeof buildDesiredSettingsSchema>>();

function buildDesiredSettingsSchema(syntax: string | null | undefined | 'any') {
  return z.strictObject({
    /** Undefined keeps the current URL; required when the connection has none. */
    gatewayUrl: gatewayUrlSchema.optional(),
    authentication: authenticationSchema.optional(),
    forwardReqInfo: z.boolean().optional(),
    from: fromSchema.optional(),
    template: templateSchema(syntax).optional(),
    /** Default false: drop the Twilio keys, as the switch requires (docs/auth0-facts.md, "Switching to a gateway"). */
    keepTwilio: z.boolean().optional(),
  });
}

export const desiredSettingsSchema = desiredSettingsSchemaFor('any');
export type DesiredSettings = z.output<typeof desiredSettingsSchema>;

export { firstProblem, formatPath, formatZodError, issueLines } from './zod-issues.js';
import { formatZodError } from './zod-issues.js';

/** Parse or throw the exit-2 CliError with `field: message` lines (docs/architecture.md, "Habits"). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, hint?: string, label?: (path: readonly PropertyKey[]) => string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw inputError(formatZodError(result.error, label), hint);
  return result.data;
}

/** The number test-gateway texts: `+` and 3 to 20 digits, with spaces, dashes, dots or parentheses. */
export const recipientSchema = z
  .string()
  .regex(/^\+?[0-9 ().-]{3,30}$/, 'a phone number: + and digits, e.g. +15551234567')
  .refine((value) => (value.match(/\d/g)?.length ?? 0) >= 3 && (value.match(/\d/g)?.length ?? 0) <= 20, 'a phone number has 3 to 20 digits');
