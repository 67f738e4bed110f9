/**
 * The one place that decides what is a secret. Every renderer, logger and error path
 * passes values through here before they reach a terminal, a file other than a backup,
 * or JSON output.
 */
export const REDACTED = '[redacted]';

/**
 * Keys whose value is a secret wherever they appear: Twilio's auth token, the gateway's
 * signing secret, client secrets, tokens, passwords, private keys. Auth0 returns all of
 * them in clear text (docs/auth0-facts.md#connection-options), so output must hide them itself.
 */
const SECRET_KEY = /(secret|token|password|passwd|pwd|private[_-]?key|api[_-]?key|assertion|authorization|credential)/i;

/** Keys that match the pattern above but are not secrets. */
const NOT_SECRET_KEY = new Set(['secret_base64_encoded', 'token_endpoint_auth_method', 'token_type', 'expires_in']);

export function isSecretKey(key: string): boolean {
  return !NOT_SECRET_KEY.has(key) && SECRET_KEY.test(key);
}

/** A deep copy of `value` with every secret-named key's value replaced by `[redacted]`. */
export function redactDeep<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && isSecretKey(key) && value !== null && value !== undefined && value !== '') {
    return REDACTED;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, undefined));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k);
    return out;
  }
  return value;
}

/**
 * Known secret values, registered as soon as the tool reads them (credentials, secrets read
 * from files or the environment, secrets found in a connection). `redactText` removes them
 * from any free text: SDK error messages embed response bodies, and a trace line or a
 * stack trace may carry a token.
 */
const knownSecrets = new Set<string>();

export function registerSecret(value: string | undefined | null): void {
  // Very short values would redact ordinary words; they are still never printed on purpose.
  if (typeof value === 'string' && value.length >= 6) knownSecrets.add(value);
}

/** Registers every secret-named string value found in `value`, at any depth. */
export function registerSecretsIn(value: unknown, key?: string): void {
  if (typeof value === 'string') {
    if (key !== undefined && isSecretKey(key)) registerSecret(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) registerSecretsIn(v);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) registerSecretsIn(v, k);
  }
}

const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer\s+)(?!\[redacted\])[A-Za-z0-9._~+/=-]{16,}/g;
/** `"client_secret": "…"`-style JSON members (an SDK error embedding a body) and `secret=…` form fields. */
const SECRET_JSON_MEMBER = /("[A-Za-z_]*(?:secret|token|password|assertion)[A-Za-z_]*"\s*:\s*")([^"]*)(")/gi;
const SECRET_FORM_FIELD = /\b((?:client_secret|client_assertion|access_token|refresh_token|id_token|password)=)([^&\s"]+)/gi;

/** Free text with every known secret, JWT, bearer token and `secret=`/`"token":` value hidden. */
export function redactText(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is hidden whole.
  for (const secret of [...knownSecrets].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(JWT, REDACTED)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(SECRET_JSON_MEMBER, (match, open: string, value: string, close: string) =>
      value === '' || value === REDACTED || /base64_encoded|token_type|token_endpoint/i.test(open) ? match : `${open}${REDACTED}${close}`,
    )
    .replace(SECRET_FORM_FIELD, `$1${REDACTED}`);
}
