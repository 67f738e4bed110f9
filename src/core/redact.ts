import { redactUrl, urlCredentials } from './gateway-url.js';

/**
 * The one place that decides what is a secret. Two ways of hiding one:
 * - by position, in structured output (diffs, tables, --json documents): values under a
 *   secret-named key, credentials inside a URL, anything shaped like a JWT or a bearer token.
 *   Nothing else is hidden there, so a value a crafted backup or tenant registers as a
 *   "secret" can never blind what a diff or a listing shows.
 * - by value, in free text (messages, hints, traces, stack traces): every secret the tool
 *   has read, from any source, since an SDK error message or a gateway's answer can quote one.
 */
export const REDACTED = '[redacted]';

/**
 * Keys whose value is a secret wherever they appear: Twilio's auth token, the gateway's
 * signing secret, client secrets, tokens, passwords, private keys. A `…key` or `passphrase`
 * name counts only at its end (`signing_key`, not `signing_key_id` nor `passphrase_hint`).
 * Auth0 returns all of them in clear text (docs/auth0-facts.md#connection-options), so output
 * must hide them itself.
 */
const SECRET_KEY = /(secret|token|password|passwd|pwd|passphrase$|(?:private|api|signing|hmac|access|encryption|shared)[_-]?key$|assertion|authorization|credential)/i;

/** Keys that match the pattern above but are not secrets (`secretNames`: an Action's secrets by name, as `phone-provider show --json` lists them). */
const NOT_SECRET_KEY = new Set(['secret_base64_encoded', 'token_endpoint_auth_method', 'token_type', 'expires_in', 'secretNames']);

export function isSecretKey(key: string): boolean {
  return !NOT_SECRET_KEY.has(key) && SECRET_KEY.test(key);
}

/**
 * The path of a secret-named key whose value is the `[redacted]` placeholder: such a value was
 * copied from the tool's output, and writing it would replace a real secret with that text.
 */
export function placeholderSecretPath(value: unknown, path = ''): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = placeholderSecretPath(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const at = path === '' ? key : `${path}.${key}`;
    if (record[key] === REDACTED && isSecretKey(key)) return at;
    const found = placeholderSecretPath(record[key], at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * A deep copy of `value` with every secret-named key's value replaced by `[redacted]`, and
 * every http(s) URL shown without the credentials it may carry (redactUrl). `sameAs` hides, by
 * position too, a value that is exactly one of these texts (an audience set to the secret of
 * the same connection): equal, never merely containing, so that no such text can hide part
 * of another value.
 */
export function redactDeep<T>(value: T, sameAs?: ReadonlySet<string>): T {
  return redactValue(value, undefined, sameAs) as T;
}

function redactValue(value: unknown, key: string | undefined, sameAs: ReadonlySet<string> | undefined): unknown {
  if (key !== undefined && isSecretKey(key) && value !== null && value !== undefined && value !== '') {
    return REDACTED;
  }
  if (typeof value === 'string') {
    if (sameAs?.has(value) === true) return REDACTED;
    return value.startsWith('http') ? redactUrl(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, undefined, sameAs));
  if (value !== null && typeof value === 'object') {
    // for…in, not Object.entries: a listing's document holds thousands of rows, and the
    // entry arrays cost more in garbage collection than the copy itself.
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k in record) if (Object.hasOwn(record, k)) out[k] = redactValue(record[k], k, sameAs);
    return out;
  }
  return value;
}

/** Shorter secret values could match other texts by chance; the tool's own secret rule wants 32 bytes. */
export const HELD_SECRET_MIN_LENGTH = 8;

/** The secret values of one connection's options (or a backup's) that another field of it may hold. */
export function heldSecrets(options: unknown): Set<string> {
  return new Set(secretValuesIn(options).flatMap((secret) => (secret.value.length >= HELD_SECRET_MIN_LENGTH ? [secret.value] : [])));
}

/** Every string under a secret-named key in `value`, with its dotted path (`gateway_authentication.secret`). */
export function secretValuesIn(value: unknown, path = ''): { path: string; value: string }[] {
  if (value === null || typeof value !== 'object') return [];
  const found: { path: string; value: string }[] = [];
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const at = path === '' ? key : `${path}.${key}`;
    const field = record[key];
    if (typeof field === 'string' && isSecretKey(key)) found.push({ path: at, value: field });
    else if (!Array.isArray(field)) found.push(...secretValuesIn(field, at));
  }
  return found;
}

/*
 * Known secret values, registered as soon as the tool reads them (credentials, secrets read
 * from files or the environment, secrets found in a connection or a backup). One matcher finds
 * them all in a single pass over a text, rebuilt only when the set changes: secrets are indexed
 * by a hash of their first characters, and a rolling hash of the text's characters at each
 * position looks them up, so the cost is one lookup per position, not one search per secret,
 * and no string is made to find out that nothing matches.
 */
const knownSecrets = new Set<string>();
/** Very short values would redact ordinary words; they are still never printed on purpose. */
const MIN_SECRET_LENGTH = 6;
let matcher: Map<number, string[]> | undefined;

/** The polynomial hash of MIN_SECRET_LENGTH UTF-16 code units, kept to 30 bits (small integers index a Map fastest). */
const HASH_BASE = 0x01000193;
const HASH_MASK = 0x3fffffff;
/** HASH_BASE ** (MIN_SECRET_LENGTH - 1), in 32-bit arithmetic: the weight of the character a rolling step drops. */
let HASH_TOP = 1;
for (let i = 1; i < MIN_SECRET_LENGTH; i++) HASH_TOP = Math.imul(HASH_TOP, HASH_BASE);

function prefixHash(text: string, start: number): number {
  let hash = 0;
  for (let j = start; j < start + MIN_SECRET_LENGTH; j++) hash = (Math.imul(hash, HASH_BASE) + text.charCodeAt(j)) | 0;
  return hash;
}

export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH && !knownSecrets.has(value)) {
    knownSecrets.add(value);
    // As a JSON string's contents too: an SDK error quotes the answer's body as JSON text, where
    // a secret holding a quote, a backslash or a control character is escaped.
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) knownSecrets.add(escaped);
    matcher = undefined;
  }
}

/**
 * Forgets every registered secret. A process starts with none; a harness that runs the CLI
 * more than once in one process (the tests) calls this before each run, so that a secret
 * registered by an earlier run cannot hide a leak in a later one.
 */
export function forgetSecrets(): void {
  knownSecrets.clear();
  matcher = undefined;
}

/** Registers every secret-named string value found in `value`, at any depth, and the credentials in a gateway URL. */
export function registerSecretsIn(value: unknown, key?: string): void {
  if (typeof value === 'string') {
    if (key !== undefined && isSecretKey(key)) registerSecret(value);
    else if (key === 'gateway_url' || key === 'gatewayUrl') for (const credential of urlCredentials(value)) registerSecret(credential);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) registerSecretsIn(v);
    return;
  }
  if (value !== null && typeof value === 'object') {
    // for…in, not Object.entries: this walks every connection of a listing.
    const record = value as Record<string, unknown>;
    for (const k in record) if (Object.hasOwn(record, k)) registerSecretsIn(record[k], k);
  }
}

function buildMatcher(): Map<number, string[]> {
  const byPrefix = new Map<number, string[]>();
  for (const secret of knownSecrets) {
    const key = prefixHash(secret, 0) & HASH_MASK;
    const bucket = byPrefix.get(key);
    if (bucket === undefined) byPrefix.set(key, [secret]);
    else bucket.push(secret);
  }
  // Longest first within a bucket, so a secret that contains another is hidden whole.
  for (const bucket of byPrefix.values()) bucket.sort((a, b) => b.length - a.length);
  return byPrefix;
}

function redactKnownSecrets(text: string): string {
  if (knownSecrets.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
  matcher ??= buildMatcher();
  const index = matcher;
  let out = '';
  let copiedUpTo = 0;
  const last = text.length - MIN_SECRET_LENGTH;
  let hash = prefixHash(text, 0);
  for (let i = 0; i <= last; ) {
    const bucket = index.get(hash & HASH_MASK);
    // The hash only narrows the search: a secret matches when the text holds it here.
    const found = bucket?.find((secret) => text.startsWith(secret, i));
    if (found === undefined) {
      if (i < last) hash = (Math.imul((hash - Math.imul(text.charCodeAt(i), HASH_TOP)) | 0, HASH_BASE) + text.charCodeAt(i + MIN_SECRET_LENGTH)) | 0;
      i++;
      continue;
    }
    out += text.slice(copiedUpTo, i) + REDACTED;
    i += found.length;
    copiedUpTo = i;
    if (i <= last) hash = prefixHash(text, i);
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer\s+)(?!\[redacted\])[A-Za-z0-9._~+/=-]{16,}/g;
/** `"client_secret": "…"`-style JSON members (an SDK error embedding a body) and `secret=…` form fields. */
const SECRET_JSON_MEMBER = /("[A-Za-z_-]*(?:(?:secret|token|password|assertion)[A-Za-z_-]*|passphrase|(?:private|api|signing|hmac|access|encryption|shared)[_-]?key)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi;
const SECRET_FORM_FIELD = /\b((?:client_secret|client_assertion|access_token|refresh_token|id_token|password)=)([^&\s"]+)/gi;
/** http(s) URLs in text, up to a space, a quote or an angle bracket. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>\\]+/g;

/** What is a secret by its shape, wherever it stands: JWTs, bearer tokens, URL credentials, secret JSON members and form fields. */
export function redactByShape(text: string): string {
  // Each pattern runs only where the text holds what it needs (a log line of `serve` holds none
  // of them, and runs every pattern once per message otherwise).
  let out = text;
  if (out.includes('eyJ')) out = out.replace(JWT, REDACTED);
  if (out.includes('Bearer')) out = out.replace(BEARER, `$1${REDACTED}`);
  if (out.includes('://')) out = out.replace(URL_IN_TEXT, (url) => redactUrl(url));
  if (SECRET_WORD.test(out)) {
    out = out
      .replace(SECRET_JSON_MEMBER, (match, open: string, value: string, close: string) =>
        value === '' || value === REDACTED || /base64_encoded|token_type|token_endpoint/i.test(open) ? match : `${open}${REDACTED}${close}`,
      )
      .replace(SECRET_FORM_FIELD, `$1${REDACTED}`);
  }
  return out;
}

/** What every secret JSON member and form field above contains. */
const SECRET_WORD = /secret|token|password|passphrase|assertion|key/i;

/** Free text with every known secret, and everything secret by its shape, hidden. */
export function redactText(text: string): string {
  return redactByShape(redactKnownSecrets(text));
}
