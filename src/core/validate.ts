import { z } from 'zod';
import { inputError } from './errors.js';

/*
 * Field schemas shared by the flags, the wizard (as prompt validators) and the apply file.
 * Limits come from the Management API spec (reference §2.1); each message names the field and
 * the fix, and never repeats the value (it may be a secret).
 */

export const GATEWAY_URL_MIN = 8;
export const GATEWAY_URL_MAX = 255;
export const SUBJECT_MAX = 64;
export const AUDIENCE_MAX = 128;
export const SECRET_MAX = 5120;
export const TEMPLATE_MAX = 5120;
export const FROM_MAX = 128;
/** HS256 keys shorter than the hash output (32 bytes) are weak (RFC 7518 §3.2). */
export const SECRET_MIN_BYTES = 32;
export const DEFAULT_SUBJECT = 'urn:Auth0';

/** The first problem with a gateway URL, or undefined. */
function gatewayUrlProblem(value: string): string | undefined {
  if (value === '') return 'gateway URL is empty: pass the https:// address of your SMS gateway';
  if (/\s/.test(value)) return 'gateway URL contains spaces or line breaks: pass the address alone, percent-encode anything else';
  if (value.length > GATEWAY_URL_MAX) return `gateway URL has ${value.length} characters; Auth0 accepts at most ${GATEWAY_URL_MAX}: use a shorter address`;
  if (value.length < GATEWAY_URL_MIN) return `gateway URL is shorter than ${GATEWAY_URL_MIN} characters: pass a full address such as https://sms.example.com/send`;
  // The spec's pattern is `^https://` (reference §2.1), case-sensitive, so `HTTPS://` fails too.
  if (!value.startsWith('https://')) {
    return /^http:\/\//i.test(value)
      ? 'gateway URL must use https://, not http://: Auth0 only calls gateways over HTTPS (put TLS in front of it)'
      : 'gateway URL must start with https://: Auth0 only calls gateways over HTTPS';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'gateway URL is not a valid URL: use the form https://sms.example.com/send';
  }
  if (url.hostname === '') return 'gateway URL has no host: use the form https://sms.example.com/send';
  if (url.username !== '' || url.password !== '') {
    return 'gateway URL must not hold user:password@: it would be stored and shown as plain text; use bearer authentication instead';
  }
  return undefined;
}

export const gatewayUrlSchema = z
  .string({ error: 'gateway URL must be a string such as https://sms.example.com/send' })
  .superRefine((value, ctx) => {
    const problem = gatewayUrlProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** What kind of address Auth0 cannot reach this IPv4 address is, if any. */
function privateIpv4(host: string): string | undefined {
  const match = IPV4.exec(host);
  if (match === null) return undefined;
  const [a, b] = [Number(match[1]), Number(match[2])];
  if (a === 127) return 'a loopback address';
  if (a === 0) return 'an unspecified address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private network address';
  if (a === 169 && b === 254) return 'a link-local address';
  return undefined;
}

function privateIpv6(bracketed: string): string | undefined {
  const host = bracketed.slice(1, -1);
  if (host === '::1') return 'a loopback address';
  if (host === '::') return 'an unspecified address';
  // IPv4-mapped addresses; the URL parser writes them in hex (::ffff:7f00:1).
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped !== null) {
    const high = parseInt(mapped[1] ?? '0', 16);
    const low = parseInt(mapped[2] ?? '0', 16);
    return privateIpv4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  if (/^f[cd][0-9a-f]{2}:/.test(host)) return 'a private network address';
  if (/^fe[89ab][0-9a-f]:/.test(host)) return 'a link-local address';
  return undefined;
}

/**
 * Warnings for a gateway host Auth0 cannot reach: Auth0 calls the gateway from its own
 * servers on the internet (GW-DOC: "Auth0 must be able to reach it"). Not errors: the
 * name may resolve publicly, or the user may be preparing the tenant before a tunnel is up.
 * An invalid URL gives no warning; gatewayUrlSchema reports it.
 */
export function gatewayUrlWarnings(value: string): string[] {
  let host: string;
  try {
    host = new URL(value).hostname.toLowerCase();
  } catch {
    return [];
  }
  const reason = unreachableReason(host);
  if (reason === undefined) return [];
  return [
    `gateway URL host ${host} is ${reason}: Auth0 calls the gateway from the internet and cannot reach it; use a public https:// address (a tunnel works for testing)`,
  ];
}

/** `host` as the URL parser normalises it: lower case, IPv4 dotted, IPv6 in brackets. */
function unreachableReason(host: string): string | undefined {
  if (host === 'localhost' || host.endsWith('.localhost')) return 'this machine';
  if (host.startsWith('[')) return privateIpv6(host);
  if (IPV4.test(host)) return privateIpv4(host);
  if (host.endsWith('.local')) return 'a local-network (mDNS) name';
  if (host.endsWith('.internal') || host.endsWith('.home.arpa')) return 'an internal name';
  // Single-label names only resolve inside a private network.
  if (!host.includes('.')) return 'a name without a domain';
  return undefined;
}

export const subjectSchema = z
  .string({ error: 'subject must be a string' })
  .min(1, { error: 'subject is empty: pass the JWT `sub` claim, e.g. urn:Auth0' })
  .max(SUBJECT_MAX, { error: `subject is longer than ${SUBJECT_MAX} characters, the most Auth0 accepts: use a shorter sub claim` });

export const audienceSchema = z
  .string({ error: 'audience must be a string' })
  .min(1, { error: 'audience is empty: pass the JWT `aud` claim your gateway expects, e.g. urn:MySmsGateway' })
  .max(AUDIENCE_MAX, { error: `audience is longer than ${AUDIENCE_MAX} characters, the most Auth0 accepts: use a shorter aud claim` });

export const secretSchema = z
  .string({ error: 'secret must be a string' })
  .min(1, { error: 'secret is empty: pass the signing secret, or generate one' })
  .max(SECRET_MAX, { error: `secret is longer than ${SECRET_MAX} characters, the most Auth0 accepts: use a shorter key` });

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Whether `value` is unpadded base64url, the form Auth0 expects with
 * `secret_base64_encoded: true` (reference §2.1: "Set to true if the secret is
 * base64-url-encoded"). A length of 4n+1 cannot be decoded.
 */
export function isBase64url(value: string): boolean {
  // Padding is optional in base64url (RFC 4648 §5); the JWT key decoding accepts it too.
  const unpadded = value.replace(/={1,2}$/, '');
  return BASE64URL.test(unpadded) && unpadded.length % 4 !== 1 && (unpadded === value || (unpadded.length + (value.length - unpadded.length)) % 4 === 0);
}

function base64urlProblem(value: string): string | undefined {
  if (isBase64url(value)) return undefined;
  if (value.includes('=')) return 'secret has = where base64url allows it only as 1 or 2 padding characters at the end: drop the = characters';
  if (value.includes('+') || value.includes('/')) return 'secret holds + or /, which is base64, not base64url: replace + with - and / with _';
  if (/\s/.test(value)) return 'secret holds spaces or line breaks, which base64url has not: remove them';
  if (BASE64URL.test(value)) return 'secret is not valid base64url: its length cannot be decoded (a character is missing or extra)';
  return 'secret is not base64url (only A-Z, a-z, 0-9, - and _): encode it, or turn off base64 encoding';
}

/** A secret that is also marked `secret_base64_encoded`. */
export const base64urlSecretSchema = secretSchema.superRefine((value, ctx) => {
  const problem = base64urlProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** Bytes of HMAC key the secret gives: decoded bytes when base64url-encoded, else UTF-8 bytes. */
export function secretKeyBytes(secret: string, base64Encoded = false): number {
  return base64Encoded && isBase64url(secret) ? Buffer.from(secret, 'base64url').length : Buffer.byteLength(secret, 'utf8');
}

export function secretWarnings(secret: string, base64Encoded = false): string[] {
  if (secretKeyBytes(secret, base64Encoded) >= SECRET_MIN_BYTES) return [];
  return [
    `secret gives less than ${SECRET_MIN_BYTES} bytes of key material, weak for HS256: use a longer one (--generate-secret makes a strong one)`,
  ];
}

/** Auth0's md_with_macros placeholder (reference §2.1). */
const MACRO_PLACEHOLDER = '@@password@@';
/** Liquid output tags for the code: `{{ code }}`, `{{password}}`, `{{- code -}}`, `{{ code | upcase }}`. */
export const LIQUID_PLACEHOLDER = /\{\{-?\s*(?:code|password)\s*(?:\|[^}]*)?-?\}\}/;

/**
 * `syntax` is the connection's: `liquid`, or `md_with_macros` (Auth0's default, also used when
 * the key is absent). `'any'` is for input read before the connection is known (the apply
 * file): either form passes, and the planner checks again against the real syntax.
 * Auth0 does not check the placeholder itself (a live tenant accepted a template without
 * one, reference §2.1), so without this check users get texts with no code in them.
 */
export function templateSchema(syntax: string | null | undefined | 'any') {
  const liquid = syntax === 'liquid';
  const any = syntax === 'any';
  return z
    .string({ error: 'template must be a string' })
    .min(1, { error: `template is empty: write the text message, with ${liquid ? '{{ code }}' : MACRO_PLACEHOLDER} where the code goes` })
    .max(TEMPLATE_MAX, { error: `template is longer than ${TEMPLATE_MAX} characters, the most Auth0 accepts: shorten it` })
    .superRefine((value, ctx) => {
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

function fromProblem(value: string): string | undefined {
  if (value === '') return 'from is empty: pass the sender phone number (+15551234567) or an alphanumeric sender id';
  if (value.length > FROM_MAX) return `from is longer than ${FROM_MAX} characters, the most Auth0 accepts: pass the number alone`;
  if (value.trim() !== value) return 'from starts or ends with a space: remove it';
  if (/[A-Za-z]/.test(value)) {
    // Alphanumeric sender ids are limited to 11 characters by the SMS networks.
    return SENDER_ID.test(value)
      ? undefined
      : 'from is not a valid alphanumeric sender id: use at most 11 letters, digits and spaces (or a phone number)';
  }
  if (!PHONE.test(value)) return 'from is not a phone number: use + and digits, with spaces, dashes, dots or parentheses (e.g. +1 555 123 4567)';
  const digits = value.replace(/\D/g, '').length;
  if (digits < 3 || digits > 20) return 'from must hold 3 to 20 digits: pass a full phone number or a short code';
  return undefined;
}

/** The sender: a phone number or an alphanumeric sender id (cli-contract.md, `--from`). */
export const fromSchema = z
  .string({ error: 'from must be a string' })
  .superRefine((value, ctx) => {
    const problem = fromProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

const noneAuthenticationSchema = z.strictObject({ method: z.literal('none') });

const bearerAuthenticationSchema = z
  .strictObject({
    method: z.literal('bearer'),
    /** Defaults to `urn:Auth0` when the connection has none. */
    subject: subjectSchema.optional(),
    /** Required when the connection has none. */
    audience: audienceSchema.optional(),
    /** Undefined keeps the current secret; required when the connection has none. */
    secret: secretSchema.optional(),
    secretBase64Encoded: z.boolean().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.secretBase64Encoded !== true || value.secret === undefined) return;
    const problem = base64urlProblem(value.secret);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['secret'] });
  });

export const authenticationSchema = z.discriminatedUnion('method', [noneAuthenticationSchema, bearerAuthenticationSchema], {
  error: 'authentication method must be "none" or "bearer"',
});

/**
 * What the user asked for, from flags, the wizard or the apply file; undefined means "keep
 * what the connection has". `syntax` is the connection's (see templateSchema).
 */
export function desiredSettingsSchemaFor(syntax: string | null | undefined | 'any') {
  return z.strictObject({
    /** Undefined keeps the current URL; required when the connection has none. */
    gatewayUrl: gatewayUrlSchema.optional(),
    authentication: authenticationSchema.optional(),
    forwardReqInfo: z.boolean().optional(),
    from: fromSchema.optional(),
    template: templateSchema(syntax).optional(),
    /** Default false: drop `twilio_sid` and `twilio_token`, as the switch requires (reference §4.5). */
    keepTwilio: z.boolean().optional(),
  });
}

export const desiredSettingsSchema = desiredSettingsSchemaFor('any');
export type DesiredSettings = z.output<typeof desiredSettingsSchema>;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** One `field: message` line per issue (the field left out when the value itself is at fault). */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .flatMap((issue) =>
      // A mistyped key must name itself, or the user cannot tell which one (fail closed, design.md).
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown setting: check its spelling`)
        : [issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`],
    )
    .join('\n');
}

/** Parse or throw the exit-2 CliError with `field: message` lines (design.md, "Habits"). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, hint?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw inputError(formatZodError(result.error), hint);
  return result.data;
}

/** The number test-gateway texts: `+` and 3 to 20 digits, with spaces, dashes, dots or parentheses. */
export const recipientSchema = z
  .string()
  .regex(/^\+?[0-9 ().-]{3,30}$/, 'a phone number: + and digits, e.g. +15551234567')
  .refine((value) => (value.match(/\d/g)?.length ?? 0) >= 3 && (value.match(/\d/g)?.length ?? 0) <= 20, 'a phone number has 3 to 20 digits');
