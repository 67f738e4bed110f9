/*
 * The code of the custom-phone-provider Action the tool installs, seen from the tool: render it
 * from settings, recognise it on a tenant and read its settings back, and fingerprint the
 * gateway secret so a later run can tell whether it changed. Pure: no Auth0, fs, env, clock or
 * randomness (the caller passes the fingerprint's salt).
 *
 * Deployed code = the template (src/action/custom-phone-provider.js, byte for byte)
 *               + "\n" + ACTION_SETTINGS_MARKER + "\n"
 *               + "const SETTINGS = " + JSON (2-space indent, fixed key order) + ";\n"
 *
 * The settings sit in the code, not in Action secrets, because Auth0 never returns a secret's
 * value ("A secret's value will never be returned by the API"), and a second run has to read
 * the gateway URL and the claims back to compare. Only the signing secret is an Action secret.
 * https://auth0.com/docs/customize/phone-messages/configure-phone-messaging-providers/configure-a-custom-phone-provider
 */
import { scryptSync, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import RAW_TEMPLATE from '../action/custom-phone-provider.js?raw';
import { inputError } from './errors.js';
import { gatewayUrlProblem } from './gateway-url.js';
import { issueLines } from './zod-issues.js';

/** Suggested name of the Action (Auth0 allows one Action on this trigger per tenant). */
export const ACTION_NAME = 'auth0-sms-gateway-sms';

/** The trigger the Action is created for (`supported_triggers`). */
export const ACTION_TRIGGER = { id: 'custom-phone-provider', version: 'v1' } as const;

/** Runtime the template is written for: Auth0's default for new Actions, with global fetch. */
export const ACTION_RUNTIME = 'node22';

/** Name of the Action secret that holds `gateway_authentication.secret`; the template reads this name. */
export const ACTION_SECRET_NAME = 'SMS_GATEWAY_SECRET';

/**
 * Auth0 refuses Action code of 100 kB or more when it uses no modules
 * (https://auth0.com/docs/customize/actions/limitations). Counted in UTF-8 bytes and as
 * 100,000 rather than 102,400, the stricter reading.
 */
export const ACTION_CODE_MAX_BYTES = 100_000;

/** First line of every template version; the number after it is the template version. */
export const ACTION_HEADER_PREFIX = '// auth0-sms-gateway custom-phone-provider action, template ';

/** The line between the template and the settings. */
export const ACTION_SETTINGS_MARKER =
  '// auth0-sms-gateway settings (JSON, written by the tool; change them with `npx auth0-sms-gateway phone-provider configure`)';

const SETTINGS_PREFIX = 'const SETTINGS = ';
const HEADER = /^\/\/ auth0-sms-gateway custom-phone-provider action, template ([1-9][0-9]{0,5})\r?\n/;

/**
 * The template as deployed. Line endings are normalised so that a Windows checkout
 * (git core.autocrlf) renders the same bytes as every other machine; otherwise each platform
 * would see the other's Action as outdated and rewrite it.
 */
export const ACTION_TEMPLATE: string = RAW_TEMPLATE.replace(/\r\n/g, '\n');

/** The version in the template's first line. */
export const ACTION_TEMPLATE_VERSION: number = templateVersion(ACTION_TEMPLATE);

function templateVersion(template: string): number {
  const match = HEADER.exec(template);
  // A broken template is a defect of this package: fail at load, not on a tenant.
  if (match?.[1] === undefined || !template.endsWith('\n') || template.includes(`\n${ACTION_SETTINGS_MARKER}\n`)) {
    throw new Error('the Action template must start with its version line, end with a newline and not hold the settings marker');
  }
  if (!template.includes(`'${ACTION_SECRET_NAME}'`)) throw new Error(`the Action template does not read the secret ${ACTION_SECRET_NAME}`);
  return Number(match[1]);
}

/**
 * What the Action needs besides the secret, in Auth0's snake_case names (connection options
 * `gateway_url`, `gateway_authentication.{subject,audience,secret_base64_encoded}`,
 * `forward_req_info`). `secret_fingerprint` (bearer only) is `secretFingerprint(secret, salt)`:
 * Auth0 never returns an Action secret, so a later run compares the secret it is given with it.
 */
export type ActionSettings = {
  gateway_url: string;
  authentication: 'none' | 'bearer';
  subject?: string;
  audience?: string;
  secret_base64_encoded?: boolean;
  forward_req_info: boolean;
  secret_fingerprint?: string;
};

export type ParsedActionCode =
  /** The tool's Action. `current`: the code is exactly what `renderActionCode(settings)` gives with this template. */
  | { kind: 'ours'; version: number; current: boolean; settings: ActionSettings }
  /** The tool's Action (first line) whose settings cannot be read: treat it as outdated and write it again. */
  | { kind: 'ours'; version: number; current: false; settings: null; problem: string }
  /** Someone else's code (or no code). */
  | { kind: 'foreign' };

// Structure only (the shared rule with http:// allowed, as for test-gateway): tests and a local
// gateway use http://. Whether Auth0 may be pointed at the URL (https://, length, reachable
// host) is the planner's rule, not the renderer's.
const SETTINGS_URL_RULE = { allowHttp: true } as const;

const FINGERPRINT_SHAPE = /^scrypt\$[0-9]{1,7}\$[0-9]{1,2}\$[0-9]{1,2}\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

// Field types only; which fields go with which authentication is checked separately, strictly
// for writing (renderActionCode) and leniently for reading (parseActionCode).
const settingsFieldsSchema = z.object({
  gateway_url: z.string().superRefine((value, ctx) => {
    const problem = gatewayUrlProblem(value, SETTINGS_URL_RULE);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
  authentication: z.enum(['none', 'bearer']),
  subject: z.string().min(1).optional(),
  audience: z.string().min(1).optional(),
  secret_base64_encoded: z.boolean().optional(),
  forward_req_info: z.boolean(),
  secret_fingerprint: z.string().regex(FINGERPRINT_SHAPE, 'secret_fingerprint is not scrypt$N$r$p$salt$hash').optional(),
});
type SettingsFields = z.infer<typeof settingsFieldsSchema>;

const BEARER_ONLY = ['subject', 'audience', 'secret_base64_encoded', 'secret_fingerprint'] as const;

/** The fields in a fixed order, undefined ones left out: the same settings always give the same JSON. */
function canonical(fields: SettingsFields): ActionSettings {
  return {
    gateway_url: fields.gateway_url,
    authentication: fields.authentication,
    ...(fields.subject === undefined ? {} : { subject: fields.subject }),
    ...(fields.audience === undefined ? {} : { audience: fields.audience }),
    ...(fields.secret_base64_encoded === undefined ? {} : { secret_base64_encoded: fields.secret_base64_encoded }),
    forward_req_info: fields.forward_req_info,
    ...(fields.secret_fingerprint === undefined ? {} : { secret_fingerprint: fields.secret_fingerprint }),
  };
}

function issuesText(error: z.ZodError): string {
  // zod's messages name the expected type, never the value (which is not secret here, but long).
  return issueLines(error.issues).join('; ');
}

/**
 * The Action's code for these settings. Deterministic: the same settings give byte-identical
 * code, so a second run can compare it with what is deployed and write nothing. Throws an
 * input error for settings the Action cannot run with, or code over Auth0's size limit.
 */
export function renderActionCode(settings: ActionSettings): string {
  const parsed = settingsFieldsSchema.safeParse(settings);
  if (!parsed.success) throw inputError(`invalid phone-provider Action settings: ${issuesText(parsed.error)}`);
  const fields = parsed.data;
  if (fields.authentication === 'bearer' && fields.audience === undefined) {
    // Auth0 requires an audience in gateway_authentication, and the gateway checks `aud`.
    throw inputError('invalid phone-provider Action settings: bearer authentication needs an audience', 'pass --audience');
  }
  if (fields.authentication === 'none') {
    const extra = BEARER_ONLY.filter((key) => fields[key] !== undefined);
    if (extra.length > 0) throw inputError(`invalid phone-provider Action settings: ${extra.join(', ')} only go with bearer authentication`);
  }
  const code = `${ACTION_TEMPLATE}\n${ACTION_SETTINGS_MARKER}\n${SETTINGS_PREFIX}${JSON.stringify(canonical(fields), null, 2)};\n`;
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes >= ACTION_CODE_MAX_BYTES) {
    throw inputError(`the phone-provider Action's code would be ${bytes} bytes; Auth0 accepts less than ${ACTION_CODE_MAX_BYTES}`, 'shorten the gateway URL, subject or audience');
  }
  return code;
}

/**
 * Recognises the tool's Action by its first line (any template version) and reads its settings
 * back. Never runs the code and never throws: the code on a tenant is untrusted (anyone with
 * update:actions can write it). The block must be exactly `const SETTINGS = <JSON>;` after the
 * last marker line, read with JSON.parse and typed by hand; anything else makes the settings
 * unreadable. Unknown keys are ignored; `current` is true only when re-rendering the settings
 * gives the code byte for byte, so an edit anywhere, in the template or in the block, reads
 * as outdated.
 */
export function parseActionCode(code: unknown): ParsedActionCode {
  if (typeof code !== 'string') return { kind: 'foreign' };
  const header = HEADER.exec(code);
  if (header?.[1] === undefined) return { kind: 'foreign' };
  const version = Number(header[1]);
  const unreadable = (problem: string): ParsedActionCode => ({ kind: 'ours', version, current: false, settings: null, problem });

  const text = code.replace(/\r\n/g, '\n');
  const marker = `\n${ACTION_SETTINGS_MARKER}\n`;
  const at = text.lastIndexOf(marker);
  if (at === -1) return unreadable('the settings marker line is missing');
  const block = text.slice(at + marker.length).trimEnd();
  if (!block.startsWith(SETTINGS_PREFIX) || !block.endsWith(';')) return unreadable('the settings block is not `const SETTINGS = {…};` at the end of the code');
  let json: unknown;
  try {
    json = JSON.parse(block.slice(SETTINGS_PREFIX.length, -1));
  } catch {
    return unreadable('the settings block is not JSON');
  }
  const parsed = settingsFieldsSchema.safeParse(json);
  if (!parsed.success) return unreadable(`the settings are invalid: ${issuesText(parsed.error)}`);
  const fields = parsed.data;
  let settings: ActionSettings;
  if (fields.authentication === 'bearer') {
    if (fields.audience === undefined) return unreadable('bearer authentication without an audience');
    settings = canonical(fields);
  } else {
    // Leftover bearer fields mean nothing without bearer; reading ignores them (current stays false).
    settings = canonical({ gateway_url: fields.gateway_url, authentication: 'none', forward_req_info: fields.forward_req_info });
  }
  let current = false;
  if (version === ACTION_TEMPLATE_VERSION) {
    try {
      current = code === renderActionCode(settings);
    } catch {
      current = false;
    }
  }
  return { kind: 'ours', version, current, settings };
}

/**
 * The tool's code with its settings' `secret_fingerprint` set to `fingerprint` (left out when
 * undefined): everything before the settings block kept (its line endings as the tool writes
 * them, LF), the block written again from the settings read (as renderActionCode writes it, so
 * a current code stays current; keys the tool does not know are dropped). For code written back
 * without its secret (a restore): the fingerprint must describe the secret the Action holds
 * then, or a later run would take a secret that fails every signature for the one in place.
 * Code whose settings cannot be read, or that is not bearer, is returned as it is: it claims no
 * secret.
 */
export function withSecretFingerprint(code: string, fingerprint: string | undefined): string {
  const parsed = parseActionCode(code);
  if (parsed.kind !== 'ours' || parsed.settings === null || parsed.settings.authentication !== 'bearer') return code;
  if (parsed.settings.secret_fingerprint === fingerprint) return code;
  const { secret_fingerprint: _old, ...rest } = parsed.settings;
  const settings = canonical(fingerprint === undefined ? rest : { ...rest, secret_fingerprint: fingerprint });
  // As parseActionCode reads it: line endings normalised, the block after the last marker.
  const text = code.replace(/\r\n/g, '\n');
  const marker = `\n${ACTION_SETTINGS_MARKER}\n`;
  const head = text.slice(0, text.lastIndexOf(marker) + marker.length);
  return `${head}${SETTINGS_PREFIX}${JSON.stringify(settings, null, 2)};\n`;
}

/*
 * Secret fingerprint. The Action's code can be read by anyone with read:actions, a lesser right
 * than knowing the gateway secret, which Auth0 never returns. A plain hash there would let that
 * reader test guesses offline at GPU speed, so a weak, human-chosen secret would fall. scrypt
 * (RFC 7914, in node:crypto, no dependency) is salted (a fresh random 16-byte salt per
 * fingerprint defeats precomputed tables) and memory-hard (each guess needs 16 MiB, which
 * blunts GPUs and ASICs). N = 2^14, r = 8, p = 1 are the parameters scrypt's author gives for
 * interactive logins; measured here at about 32 ms per fingerprint on a 2-core AMD EPYC
 * machine (Node 20), in the 20–50 ms a CLI run can spend twice (write and compare) unnoticed.
 * The next step, N = 2^15, measured about 160 ms. A generated 32-byte secret is beyond guessing
 * anyway; the cost protects the human-chosen ones.
 */
export const FINGERPRINT_SCRYPT = { N: 2 ** 14, r: 8, p: 1 } as const;
export const FINGERPRINT_SALT_BYTES = 16;
const FINGERPRINT_HASH_BYTES = 32;

// Limits for fingerprints read back: a hostile one must not make the tool burn memory or CPU.
const MAX_N = 2 ** 17;
const MAX_MEMORY_BYTES = 32 * 1024 * 1024;

function scrypt(secret: string, salt: Uint8Array, N: number, r: number, p: number): Buffer {
  // Node refuses when 128 * N * r exceeds maxmem (32 MiB by default); give it room.
  return scryptSync(Buffer.from(secret, 'utf8'), salt, FINGERPRINT_HASH_BYTES, { N, r, p, maxmem: 2 * 128 * N * r + 1024 * 1024 });
}

/**
 * `scrypt$N$r$p$<salt>$<hash>` (salt and hash unpadded base64url) of the secret's UTF-8 text.
 * The caller passes a fresh random salt of FINGERPRINT_SALT_BYTES bytes (crypto.randomBytes).
 */
export function secretFingerprint(secret: string, salt: Uint8Array): string {
  if (typeof secret !== 'string' || secret === '') throw new RangeError('secretFingerprint needs a non-empty secret');
  if (!(salt instanceof Uint8Array) || salt.length !== FINGERPRINT_SALT_BYTES) {
    throw new RangeError(`secretFingerprint needs a ${FINGERPRINT_SALT_BYTES}-byte salt`);
  }
  const { N, r, p } = FINGERPRINT_SCRYPT;
  const hash = scrypt(secret, salt, N, r, p);
  return `scrypt$${N}$${r}$${p}$${Buffer.from(salt).toString('base64url')}$${hash.toString('base64url')}`;
}

function canonicalBase64url(text: string, bytes: number): Buffer | undefined {
  const decoded = Buffer.from(text, 'base64url');
  return decoded.length === bytes && decoded.toString('base64url') === text ? decoded : undefined;
}

/**
 * Whether `secret` is the secret behind `fingerprint`. False for anything malformed, including
 * cost parameters outside what this tool could have written (up to N = 2^17, 32 MiB), so a
 * fingerprint planted in the Action's code cannot stall the tool. Compared in constant time.
 */
export function fingerprintMatches(secret: string, fingerprint: unknown): boolean {
  if (typeof secret !== 'string' || secret === '' || typeof fingerprint !== 'string') return false;
  if (!FINGERPRINT_SHAPE.test(fingerprint)) return false;
  const [, nText, rText, pText, saltText, hashText] = fingerprint.split('$');
  if (nText === undefined || rText === undefined || pText === undefined || saltText === undefined || hashText === undefined) return false;
  if (/^0/.test(nText) || /^0/.test(rText) || /^0/.test(pText)) return false;
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  // N a power of two (scrypt requires it) between 2^10 and 2^17; r 1–16; p 1–4.
  if (N < 2 ** 10 || N > MAX_N || (N & (N - 1)) !== 0) return false;
  if (r < 1 || r > 16 || p < 1 || p > 4 || 128 * N * r > MAX_MEMORY_BYTES) return false;
  const salt = canonicalBase64url(saltText, FINGERPRINT_SALT_BYTES);
  const expected = canonicalBase64url(hashText, FINGERPRINT_HASH_BYTES);
  if (salt === undefined || expected === undefined) return false;
  let actual: Buffer;
  try {
    actual = scrypt(secret, salt, N, r, p);
  } catch {
    return false;
  }
  return timingSafeEqual(actual, expected);
}
