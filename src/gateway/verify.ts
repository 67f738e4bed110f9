import { loadCrypto, loadedCrypto, type NodeCrypto } from './crypto.js';
import { GatewayConfigurationError, GatewayVerificationError } from './errors.js';
import { cachedKey } from './key.js';
import { parseGatewayPayload, unreadableBody, type GatewayPayload } from './payload.js';
import { shownValue } from './type-name.js';

// HS256 (RFC 7515 compact JWS, RFC 7518 §3.2, RFC 7519 claims) with node:crypto: Auth0 signs
// gateway tokens with HMAC-SHA256 and the connection's gateway_authentication.secret
// (https://auth0.com/docs/authenticate/passwordless/authentication-methods/use-sms-gateway-passwordless).
// A general JOSE library costs about 15x the HMAC per request; this checks exactly what a
// gateway token can hold, in the order a general-purpose verifier would, so that every token
// gets the same verdict and message it got from one (test/gateway/verify.test.ts holds tokens
// signed by such a library).

/**
 * The raw `Authorization` header value (`req.headers.authorization`,
 * `request.headers.get('authorization')`). Anything but a string (a framework's array for a
 * repeated header, a number) is refused with `missing_bearer`: there is no single bearer
 * credential to read.
 */
export type GatewayAuthorizationHeader = string | readonly string[] | null | undefined;

export interface VerifyGatewayRequestInput {
  /** The raw `Authorization` header value (`req.headers.authorization`, `request.headers.get('authorization')`). */
  authorization?: GatewayAuthorizationHeader;
  /** The body: the object a framework already parsed, or the raw JSON as a string, Buffer or Uint8Array. */
  body: unknown;
}

export interface VerifyGatewayRequestOptions {
  /** `gateway_authentication.secret` of the connection. */
  secret: string;
  /** `gateway_authentication.secret_base64_encoded`: the key is the base64url-decoded secret. */
  secretBase64Encoded?: boolean | undefined;
  /** `gateway_authentication.audience`: the token's `aud` must equal it (or, for an array `aud`, hold it). */
  audience: string;
  /** `gateway_authentication.subject`: when given, the token's `sub` must equal it. */
  subject?: string | undefined;
  /** Leeway for `exp` and `nbf`, in seconds; defaults to 30 (clock skew between Auth0 and the gateway). */
  clockToleranceSeconds?: number | undefined;
  /** Clock for `exp` and `nbf`; defaults to the current time. */
  now?: Date | undefined;
}

/** The claims of a verified gateway token. */
export interface GatewayTokenClaims {
  sub?: string | undefined;
  aud?: string | string[] | undefined;
  iat?: number | undefined;
  exp?: number | undefined;
  nbf?: number | undefined;
  [claim: string]: unknown;
}

const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

// Attacker-controlled values (a header's alg, a claim) appear in messages only quoted and short.
// The value is read no further than a short message shows: a header's `alg` nested thousands
// deep would make JSON.stringify overflow the stack (a 500, not a 401), and a huge one cost a
// walk of all of it, before the signature is even checked.
const quote = (value: unknown): string => {
  const text = preview(value, 2);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** JSON text of a value's first few members, `depth` levels down; the same text JSON.stringify gives for small values. */
function preview(value: unknown, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? value.slice(0, 80) : value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (depth === 0) return Array.isArray(value) ? '[...]' : '{...}';
  const FIRST = 5;
  if (Array.isArray(value)) {
    const items = value.slice(0, FIRST).map((item: unknown) => preview(item, depth - 1));
    return `[${items.join(',')}${value.length > FIRST ? ',...' : ''}]`;
  }
  const keys = Object.keys(value);
  const members = keys.slice(0, FIRST).map((key) => `${JSON.stringify(key.slice(0, 80))}:${preview((value as Record<string, unknown>)[key], depth - 1)}`);
  return `{${members.join(',')}${keys.length > FIRST ? ',...' : ''}}`;
}
// A claim may hold a number no Date can represent (8.64e12 s is Date's limit): quote it instead.
const iso = (epochSeconds: unknown): string => {
  const date = typeof epochSeconds === 'number' ? new Date(epochSeconds * 1000) : undefined;
  return date !== undefined && Number.isFinite(date.getTime()) ? date.toISOString() : quote(epochSeconds);
};

const fail = (code: ConstructorParameters<typeof GatewayVerificationError>[0], message: string): never => {
  throw new GatewayVerificationError(code, message);
};
const undecodable = (): never =>
  fail('malformed_token', 'malformed token: the JWT could not be decoded (bad base64url, JSON or header); Auth0 sends a compact HS256 JWT');
const invalidClaim = (claim: string): never =>
  fail('malformed_token', `malformed token: the ${quote(claim)} claim is invalid (invalid); Auth0 sends numeric iat/exp claims`);

// RFC 6750 §2.1 credentials: the auth scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^\s*Bearer\s+(\S+)\s*$/i;

function bearerToken(authorization: unknown): string {
  if (authorization === undefined || authorization === null || (typeof authorization === 'string' && authorization.trim() === '')) {
    return fail(
      'missing_bearer',
      'missing bearer token: the request has no Authorization header; Auth0 sends "Authorization: Bearer <JWT>" only when the connection has gateway_authentication (method "bearer"), so configure it or run the gateway without authentication',
    );
  }
  if (typeof authorization !== 'string') {
    let list = false;
    try {
      list = Array.isArray(authorization);
    } catch {
      // A revoked Proxy: of type object, and no list.
    }
    return fail(
      'missing_bearer',
      `missing bearer token: the Authorization value is ${list ? 'a list (the header was sent more than once)' : `of type ${typeof authorization}`}, not the header's text; Auth0 sends one "Authorization: Bearer <JWT>" header`,
    );
  }
  const match = BEARER.exec(authorization);
  if (!match?.[1]) {
    return fail(
      'missing_bearer',
      'missing bearer token: the Authorization header is not "Bearer <JWT>"; Auth0 sends its gateway token as a Bearer credential, so check what sits between Auth0 and the gateway (a proxy may replace the header)',
    );
  }
  return match[1];
}

const BASE64URL_CHARS = /^[A-Za-z0-9_-]*$/;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Decodes a JWS segment as WHATWG forgiving-base64 over the base64url alphabet (what `atob`
 * accepts after '-' and '_' are mapped): one or two '=' may pad a length that is a multiple
 * of 4, and a length of 4n+1 is refused. Undefined when it is not such text.
 */
function decodeSegment(segment: string): Buffer | undefined {
  let text = segment;
  if (text.length % 4 === 0 && text.endsWith('=')) text = text.slice(0, text.endsWith('==') ? -2 : -1);
  if (text.length % 4 === 1 || !BASE64URL_CHARS.test(text)) return undefined;
  return Buffer.from(text, 'base64url');
}

// Strict UTF-8: a malformed sequence is an error, not U+FFFD (RFC 7515 §5.2 step 3, RFC 7519 §7.2 step 10).
// TextDecoder drops a leading BOM, as general JOSE libraries decoding this way do.
// Made on first use: creating a TextDecoder at load would add to every import of the library.
let decodeUtf8: ((bytes: Uint8Array) => string) | undefined;

function parseJsonSegment(bytes: Uint8Array): unknown {
  if (decodeUtf8 === undefined) {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    decodeUtf8 = (input) => decoder.decode(input);
  }
  return JSON.parse(decodeUtf8(bytes)) as unknown;
}

/** A JSON object, not an array, null or a primitive (RFC 7519 §7.2 step 10 for the claims; RFC 7515 §5.2 step 3 for the header). */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

interface ProtectedHeader {
  /** false for RFC 7797 `b64: false` (unencoded payload), which a JWT must not use. */
  b64: boolean;
}

// Auth0 sends the same header on every request, so its verdict is kept. Only headers that pass
// are kept, a few at most: a caller sending a new header each time only evicts old entries.
const MAX_CACHED_HEADERS = 32;
const MAX_CACHED_HEADER_LENGTH = 256;
const headerCache = new Map<string, ProtectedHeader>();

/** The protected header: base64url JSON object (RFC 7515 §4), alg HS256, and no critical extension but `b64`. */
function readProtectedHeader(segment: string): ProtectedHeader {
  const cached = headerCache.get(segment);
  if (cached !== undefined) return cached;
  let header: unknown;
  const bytes = segment === '' ? undefined : decodeSegment(segment);
  try {
    if (bytes === undefined) throw new SyntaxError('not base64url');
    header = parseJsonSegment(bytes);
  } catch {
    header = undefined;
  }
  if (!isJsonObject(header)) {
    return fail('malformed_token', 'malformed token: the JWT header is not base64url-encoded JSON; Auth0 sends a signed JWT');
  }
  // The header is read before the signature so that a token of another algorithm is reported
  // as such: Auth0 signs with HS256 only, and accepting `none` or an asymmetric algorithm with
  // the shared secret as "key" is the classic JWT forgery (RFC 8725 §2.1, §3.1).
  const { alg } = header;
  if (alg !== 'HS256') {
    return fail(
      'wrong_algorithm',
      `wrong algorithm: ${alg === undefined ? 'the token header names no alg' : `the token is signed with ${quote(alg)}`}, but Auth0 signs gateway tokens with HS256 (HMAC with gateway_authentication.secret); "none" and other algorithms are refused`,
    );
  }
  // RFC 7515 §4.1.11: a critical extension the recipient does not understand makes the JWS
  // invalid. The only one understood is RFC 7797's `b64` (and a JWT may not use `b64: false`).
  let b64 = true;
  const { crit } = header;
  if (crit !== undefined) {
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((name) => typeof name !== 'string' || name.length === 0)) return undecodable();
    for (const name of crit as string[]) {
      if (name !== 'b64' || !Object.hasOwn(header, name)) return undecodable();
    }
    if (typeof header.b64 !== 'boolean') return undecodable();
    b64 = header.b64;
  }
  const verdict: ProtectedHeader = { b64 };
  // Read before the signature is checked: a long header (Auth0's is about 36 characters) is
  // judged again each time rather than kept.
  if (segment.length > MAX_CACHED_HEADER_LENGTH) return verdict;
  if (headerCache.size >= MAX_CACHED_HEADERS) {
    const oldest = headerCache.keys().next();
    if (oldest.done !== true) headerCache.delete(oldest.value);
  }
  headerCache.set(segment, verdict);
  return verdict;
}

/** @internal For tests: whether the verdict on this header segment is kept. */
export const headerCached = (segment: string): boolean => headerCache.has(segment);

/** @internal Options checked once; `verify` then checks one Authorization value. */
export interface TokenVerifier {
  verify(authorization: unknown): GatewayTokenClaims | Promise<GatewayTokenClaims>;
}

/**
 * @internal Checks the options (throwing GatewayConfigurationError, never quoting the secret) and
 * returns a verifier bound to them. Configuration errors throw here, before any request data
 * is looked at.
 */
export function createTokenVerifier(options: VerifyGatewayRequestOptions): TokenVerifier {
  if (typeof options !== 'object' || options === null) {
    throw new GatewayConfigurationError('empty_secret', 'verifyGatewayRequest needs options: { secret, audience, subject?, secretBase64Encoded? } from the connection\'s gateway_authentication');
  }
  const { audience, subject } = options;
  if (typeof audience !== 'string' || audience.length === 0) {
    throw new GatewayConfigurationError('empty_audience', 'verifyGatewayRequest needs the audience (gateway_authentication.audience) to check the token against');
  }
  if (subject !== undefined && typeof subject !== 'string') {
    throw new GatewayConfigurationError('invalid_subject', `subject must be a string (gateway_authentication.subject) or left out, not ${typeof subject}`);
  }
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new GatewayConfigurationError('invalid_clock_tolerance', `clockToleranceSeconds must be a number of seconds >= 0, not ${shownValue(tolerance)}`);
  }
  const fixedNow = options.now;
  if (fixedNow !== undefined && !(fixedNow instanceof Date && Number.isFinite(fixedNow.getTime()))) {
    throw new GatewayConfigurationError('invalid_now', 'now must be a valid Date');
  }
  const key = cachedKey(options.secret, options.secretBase64Encoded);

  const verify = (authorization: unknown, crypto: NodeCrypto): GatewayTokenClaims => {
    const token = bearerToken(authorization);
    const first = token.indexOf('.');
    const second = first === -1 ? -1 : token.indexOf('.', first + 1);
    if (second === -1 || token.indexOf('.', second + 1) !== -1) {
      return fail('malformed_token', 'malformed token: the bearer value is not a JWT (three base64url segments separated by dots); Auth0 sends a signed JWT');
    }
    const { b64 } = readProtectedHeader(token.slice(0, first));
    const payloadSegment = token.slice(first + 1, second);
    // The signing input is ASCII (RFC 7515 §5.1 step 5).
    if (NON_ASCII.test(payloadSegment)) return undecodable();
    const signature = decodeSegment(token.slice(second + 1));
    if (signature === undefined) return undecodable();

    const expected = crypto.createHmac('sha256', key).update(token.slice(0, second)).digest();
    // RFC 7518 §3.2: compare in constant time; a signature of another length is simply wrong.
    if (signature.length !== expected.length || !crypto.timingSafeEqual(signature, expected)) {
      return fail(
        'bad_signature',
        "bad signature: the token was not signed with this key; the secret differs from the connection's gateway_authentication.secret, or secret_base64_encoded differs (true means the key is the base64url-decoded secret)",
      );
    }
    // RFC 7797 (updating RFC 7519): JWTs must not use the unencoded payload option.
    if (!b64) return undecodable();
    const claimBytes = decodeSegment(payloadSegment);
    if (claimBytes === undefined) return undecodable();
    let claims: unknown;
    try {
      claims = parseJsonSegment(claimBytes);
    } catch {
      return undecodable();
    }
    if (!isJsonObject(claims)) return undecodable();
    checkClaims(claims, audience, subject, tolerance, fixedNow);
    return claims as GatewayTokenClaims;
  };
  return {
    // Synchronous once node:crypto is loaded (every call after the first).
    verify(authorization: unknown) {
      const crypto = loadedCrypto();
      return crypto !== undefined ? verify(authorization, crypto) : loadCrypto().then((loaded) => verify(authorization, loaded));
    },
  };
}

/**
 * The registered claims (RFC 7519 §4.1), in the order general-purpose verifiers check them, so
 * that a token with several faults is reported by the same one: presence of sub and aud, their
 * values, then iat, nbf and exp.
 */
function checkClaims(claims: Record<string, unknown>, audience: string, subject: string | undefined, tolerance: number, fixedNow: Date | undefined): void {
  if (subject !== undefined && !Object.hasOwn(claims, 'sub')) {
    fail('wrong_subject', `wrong subject: the token has no sub claim, expected ${quote(subject)}; the gateway's subject must equal the connection's gateway_authentication.subject`);
  }
  if (!Object.hasOwn(claims, 'aud')) {
    fail('wrong_audience', `wrong audience: the token has no aud claim, expected ${quote(audience)}; the gateway's audience must equal the connection's gateway_authentication.audience`);
  }
  if (subject !== undefined && claims.sub !== subject) {
    fail('wrong_subject', `wrong subject: the token's sub is ${quote(claims.sub)}, expected ${quote(subject)}; the gateway's subject must equal the connection's gateway_authentication.subject`);
  }
  // RFC 7519 §4.1.3: aud is a string or an array of strings; the recipient must be one of them.
  const { aud } = claims;
  if (!(typeof aud === 'string' ? aud === audience : Array.isArray(aud) && aud.includes(audience))) {
    fail('wrong_audience', `wrong audience: the token's aud is ${quote(aud)}, expected ${quote(audience)}; the gateway's audience must equal the connection's gateway_authentication.audience`);
  }
  const nowDate = fixedNow ?? new Date();
  const now = Math.floor(nowDate.getTime() / 1000);
  const { iat, nbf, exp } = claims;
  if (iat !== undefined && typeof iat !== 'number') invalidClaim('iat');
  if (nbf !== undefined) {
    if (typeof nbf !== 'number') invalidClaim('nbf');
    else if (nbf > now + tolerance) {
      fail('not_yet_valid', `not yet valid: the token is valid from ${iso(nbf)}, it is now ${nowDate.toISOString()} (clock tolerance ${tolerance}s); check the gateway's clock (NTP)`);
    }
  }
  if (exp !== undefined) {
    if (typeof exp !== 'number') invalidClaim('exp');
    else if (exp <= now - tolerance) {
      fail('expired', `expired: the token expired at ${iso(exp)}, it is now ${nowDate.toISOString()} (clock tolerance ${tolerance}s); check the gateway's clock (NTP), or the request is a replay`);
    }
  }
}

/**
 * Verifies the bearer JWT of a gateway request and returns its claims: HS256 only, the
 * signature with the connection's secret, `aud`, `sub` when configured, `exp`/`nbf` when
 * present. Takes the request's `Authorization` header, or the token alone (as
 * signGatewayToken returns it). Rejects with GatewayVerificationError; throws GatewayConfigurationError for bad
 * options.
 */
export async function verifyGatewayToken(authorization: GatewayAuthorizationHeader, options: VerifyGatewayRequestOptions): Promise<GatewayTokenClaims> {
  const verifier = createTokenVerifier(options);
  // The token itself, as signGatewayToken returns it, is taken as its Bearer credential: a
  // gateway's tests round-trip one without building the header.
  return verifier.verify(typeof authorization === 'string' && COMPACT_JWS.test(authorization) ? `Bearer ${authorization}` : authorization);
}

/** A compact JWS alone (three base64url segments), not a header value with a scheme. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/**
 * Checks a request the way a gateway should before it sends a text: the bearer JWT (HS256,
 * signature with the connection's secret, `aud`, `sub` when configured, `exp`/`nbf` when
 * present), then the body against Auth0's payload. Resolves to the typed payload; rejects with
 * `GatewayVerificationError` (answer 401, or 400 for `malformed_payload`) and nothing else
 * for any request, or with `GatewayConfigurationError` when the options are wrong. The token
 * is checked first so that an unauthenticated caller learns nothing about the payload rules.
 */
export async function verifyGatewayRequest(input: VerifyGatewayRequestInput, options: VerifyGatewayRequestOptions): Promise<GatewayPayload> {
  const verifier = createTokenVerifier(options);
  if (typeof input !== 'object' || input === null) {
    // No request at all: there is no Authorization header to read.
    await verifier.verify(undefined);
  }
  let authorization: unknown;
  try {
    authorization = input.authorization;
  } catch {
    // A getter or a Proxy that throws: nothing to read, as a request would have it.
    throw new GatewayVerificationError('missing_bearer', 'missing bearer token: the Authorization value could not be read; Auth0 sends one "Authorization: Bearer <JWT>" header');
  }
  await verifier.verify(authorization);
  let body: unknown;
  try {
    body = input.body;
  } catch {
    throw unreadableBody();
  }
  return parseGatewayPayload(body);
}
