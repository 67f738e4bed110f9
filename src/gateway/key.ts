import { GatewayConfigurationError } from './errors.js';

// Buffer here and in the other library modules is Node's global (Bun has it too, Deno gives it
// to npm packages, Workers with nodejs_compat): an `import from 'node:buffer'` would cost about
// a millisecond of the library's load time.

// The one place that knows the base64url rule for gateway secrets: the verifier, the signer and
// the CLI's validation (src/core/validate.ts) all use these functions. No zod here: this module is
// part of the library entry.

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const BASE64URL_OR_EMPTY = /^[A-Za-z0-9_-]*$/;

/**
 * Whether `value` is base64url text (RFC 4648 §5) that decodes to at least one byte: the form
 * Auth0 expects with `secret_base64_encoded: true` ("Set to true if the secret is
 * base64-url-encoded", https://auth0.com/docs/authenticate/passwordless/authentication-methods/use-sms-gateway-passwordless).
 * Padding is optional in base64url; when present it must make the length a multiple of 4.
 * A length of 4n+1 cannot be decoded.
 */
export function isBase64url(value: string): boolean {
  if (typeof value !== 'string') return false;
  const unpadded = value.replace(/={1,2}$/, '');
  return BASE64URL.test(unpadded) && unpadded.length % 4 !== 1 && (unpadded === value || value.length % 4 === 0);
}

/** The bytes base64url text decodes to, or undefined when it is not base64url (see isBase64url). */
export function decodeBase64url(value: string): Uint8Array | undefined {
  if (!isBase64url(value)) return undefined;
  const bytes = Buffer.from(value.replace(/={1,2}$/, ''), 'base64url');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function base64urlSecretError(secret: string): GatewayConfigurationError {
  const unpadded = secret.replace(/={1,2}$/, '');
  const fix = 'set secret_base64_encoded only when the secret is base64url text, or re-encode it';
  if (!BASE64URL_OR_EMPTY.test(unpadded)) {
    const standard = /[+/]/.test(unpadded) ? "; '+' and '/' are standard base64: replace them with '-' and '_'" : '';
    return new GatewayConfigurationError(
      'secret_not_base64url',
      `secret_base64_encoded is true but the secret is not base64url: it holds characters outside A-Z a-z 0-9 - _${standard}; ${fix}`,
    );
  }
  return new GatewayConfigurationError('secret_not_base64url', `secret_base64_encoded is true but the secret is not base64url: its length cannot be decoded (truncated?); ${fix}`);
}

/**
 * The HMAC key for a gateway secret. Auth0 signs with the secret's UTF-8 bytes, or, with
 * `secret_base64_encoded: true`, with the bytes the base64url text decodes to. Throws
 * GatewayConfigurationError (never quoting the secret) when there is no usable key.
 */
export function gatewayKeyBytes(secret: string, secretBase64Encoded = false): Uint8Array {
  return new Uint8Array(cachedKey(secret, secretBase64Encoded));
}

// Deriving the key costs more than the HMAC itself for a short secret, and a gateway verifies
// every request with the same one or two secrets. Two maps, so that a raw secret and a
// base64url secret with the same text can never share an entry; each holds a few entries, so
// that a process that cycles through many secrets (tests, multi-tenant gateways) stays bounded.
const MAX_CACHED_KEYS = 16;
const rawKeys = new Map<string, Buffer>();
const decodedKeys = new Map<string, Buffer>();

/**
 * @internal The key bytes, shared between calls: never hand this Buffer to code outside the
 * library. `secretBase64Encoded` is checked here, for the verifier and the signer alike: left
 * out (or null, as an unset setting reads) it is false; anything but a boolean throws, as a
 * string "false" would otherwise turn decoding on and fail every token with bad_signature.
 */
export function cachedKey(secret: string, secretBase64Encoded: unknown): Buffer {
  if (secretBase64Encoded !== undefined && secretBase64Encoded !== null && typeof secretBase64Encoded !== 'boolean') {
    throw new GatewayConfigurationError(
      'invalid_secret_base64_encoded',
      `secretBase64Encoded must be true or false (gateway_authentication.secret_base64_encoded), not a ${typeof secretBase64Encoded}${typeof secretBase64Encoded === 'string' ? ': pass the boolean, not its text' : ''}`,
    );
  }
  const decode = secretBase64Encoded === true;
  const cache = decode ? decodedKeys : rawKeys;
  const hit = cache.get(secret);
  if (hit !== undefined) return hit;
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new GatewayConfigurationError('empty_secret', 'the gateway secret is empty: pass the gateway_authentication.secret that Auth0 signs with');
  }
  let key: Buffer;
  if (decode) {
    const bytes = decodeBase64url(secret);
    if (bytes === undefined) throw base64urlSecretError(secret);
    key = Buffer.from(bytes);
  } else {
    key = Buffer.from(secret, 'utf8');
  }
  if (cache.size >= MAX_CACHED_KEYS) {
    // Oldest first (a Map iterates in insertion order).
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(secret, key);
  return key;
}

/** @internal For tests: how many keys each cache holds. */
export function keyCacheSizes(): { raw: number; base64url: number } {
  return { raw: rawKeys.size, base64url: decodedKeys.size };
}
