import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { inputError } from '../core/errors.js';
import { GatewayVerificationError } from './errors.js';
import { secretKeyBytes } from './jwt.js';
import { parseGatewayPayload, type GatewayPayload } from './payload.js';

export interface VerifyGatewayRequestInput {
  /** The raw `Authorization` header value (`req.headers.authorization`, `request.headers.get('authorization')`). */
  authorization?: string | null | undefined;
  /** The body: the object a framework already parsed, or the raw JSON as a string, Buffer or Uint8Array. */
  body: unknown;
}

export interface VerifyGatewayRequestOptions {
  /** `gateway_authentication.secret` of the connection. */
  secret: string;
  /** `gateway_authentication.secret_base64_encoded`: the key is the base64url-decoded secret. */
  secretBase64Encoded?: boolean | undefined;
  /** `gateway_authentication.audience`: the token's `aud` must equal it. */
  audience: string;
  /** `gateway_authentication.subject`: when given, the token's `sub` must equal it. */
  subject?: string | undefined;
  /** Leeway for `exp` and `nbf`, in seconds; defaults to 30 (clock skew between Auth0 and the gateway). */
  clockToleranceSeconds?: number | undefined;
  /** Clock for `exp` and `nbf`; defaults to the current time. */
  now?: Date | undefined;
}

/** The claims of a verified gateway token (declared here so the library's types do not need jose's). */
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
const quote = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};
const iso = (epochSeconds: unknown): string =>
  typeof epochSeconds === 'number' && Number.isFinite(epochSeconds) ? new Date(epochSeconds * 1000).toISOString() : quote(epochSeconds);

function bearerToken(authorization: string | null | undefined): string {
  if (authorization === undefined || authorization === null || authorization.trim() === '') {
    throw new GatewayVerificationError(
      'missing_bearer',
      'missing bearer token: the request has no Authorization header; Auth0 sends "Authorization: Bearer <JWT>" only when the connection has gateway_authentication (method "bearer"), so configure it or run the gateway without authentication',
    );
  }
  // RFC 6750 §2.1 credentials: the auth scheme is case-insensitive (RFC 9110 §11.1).
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) {
    throw new GatewayVerificationError(
      'missing_bearer',
      'missing bearer token: the Authorization header is not "Bearer <JWT>"; Auth0 sends its gateway token as a Bearer credential, so check what sits between Auth0 and the gateway (a proxy may replace the header)',
    );
  }
  return match[1];
}

/**
 * Verifies the bearer JWT of a gateway request and returns its claims. The header is read
 * before the signature so that a token of another algorithm is reported as such: Auth0 signs
 * with HS256 only (auth0-api.md §2.3), and accepting `none` or an asymmetric algorithm with
 * the shared secret as "key" is the classic JWT forgery.
 */
export async function verifyGatewayToken(
  authorization: string | null | undefined,
  options: VerifyGatewayRequestOptions,
): Promise<GatewayTokenClaims> {
  if (typeof options.audience !== 'string' || options.audience.length === 0) {
    throw inputError('verifyGatewayRequest needs the audience (gateway_authentication.audience) to check the token against');
  }
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw inputError(`clockToleranceSeconds must be a number of seconds >= 0, not ${String(tolerance)}`);
  }
  if (options.now !== undefined && !Number.isFinite(options.now.getTime())) throw inputError('now must be a valid Date');
  // Configuration errors (an empty or undecodable secret) throw here, before any request data is looked at.
  const key = secretKeyBytes(options.secret, options.secretBase64Encoded ?? false);
  const token = bearerToken(authorization);

  if (token.split('.').length !== 3) {
    throw new GatewayVerificationError('malformed_token', 'malformed token: the bearer value is not a JWT (three base64url segments separated by dots); Auth0 sends a signed JWT');
  }
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw new GatewayVerificationError('malformed_token', 'malformed token: the JWT header is not base64url-encoded JSON; Auth0 sends a signed JWT');
  }
  if (alg !== 'HS256') {
    throw new GatewayVerificationError(
      'wrong_algorithm',
      `wrong algorithm: ${alg === undefined ? 'the token header names no alg' : `the token is signed with ${quote(alg)}`}, but Auth0 signs gateway tokens with HS256 (HMAC with gateway_authentication.secret); "none" and other algorithms are refused`,
    );
  }

  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      audience: options.audience,
      ...(options.subject === undefined ? {} : { subject: options.subject }),
      clockTolerance: tolerance,
      ...(options.now === undefined ? {} : { currentDate: options.now }),
    });
    return payload;
  } catch (error) {
    throw toVerificationError(error, options, tolerance);
  }
}

function toVerificationError(error: unknown, options: VerifyGatewayRequestOptions, tolerance: number): GatewayVerificationError {
  const now = options.now ?? new Date();
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new GatewayVerificationError(
      'bad_signature',
      'bad signature: the token was not signed with this key; the secret differs from the connection\'s gateway_authentication.secret, or secret_base64_encoded differs (true means the key is the base64url-decoded secret)',
    );
  }
  if (error instanceof errors.JWTExpired) {
    return new GatewayVerificationError(
      'expired',
      `expired: the token expired at ${iso(error.payload.exp)}, it is now ${now.toISOString()} (clock tolerance ${tolerance}s); check the gateway's clock (NTP), or the request is a replay`,
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason, payload } = error;
    if (claim === 'aud') {
      const got = reason === 'missing' ? 'the token has no aud claim' : `the token's aud is ${quote(payload.aud)}`;
      return new GatewayVerificationError(
        'wrong_audience',
        `wrong audience: ${got}, expected ${quote(options.audience)}; the gateway's audience must equal the connection's gateway_authentication.audience`,
      );
    }
    if (claim === 'sub') {
      const got = reason === 'missing' ? 'the token has no sub claim' : `the token's sub is ${quote(payload.sub)}`;
      return new GatewayVerificationError(
        'wrong_subject',
        `wrong subject: ${got}, expected ${quote(options.subject)}; the gateway's subject must equal the connection's gateway_authentication.subject`,
      );
    }
    if (claim === 'nbf' && reason === 'check_failed') {
      return new GatewayVerificationError(
        'not_yet_valid',
        `not yet valid: the token is valid from ${iso(payload.nbf)}, it is now ${now.toISOString()} (clock tolerance ${tolerance}s); check the gateway's clock (NTP)`,
      );
    }
    return new GatewayVerificationError('malformed_token', `malformed token: the ${quote(claim)} claim is invalid (${reason}); Auth0 sends numeric iat/exp claims`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new GatewayVerificationError('wrong_algorithm', 'wrong algorithm: Auth0 signs gateway tokens with HS256 only');
  }
  if (error instanceof errors.JOSEError || error instanceof TypeError) {
    return new GatewayVerificationError('malformed_token', 'malformed token: the JWT could not be decoded (bad base64url, JSON or header); Auth0 sends a compact HS256 JWT', {
      cause: error,
    });
  }
  throw error;
}

/**
 * Checks a request the way a gateway should before it sends a text: the bearer JWT (HS256,
 * signature with the connection's secret, `aud`, `sub` when configured, `exp`/`nbf` when
 * present), then the body against Auth0's payload. Resolves to the typed payload; rejects with
 * `GatewayVerificationError` (answer 401, or 400 for `malformed_payload`). The token is
 * checked first so that an unauthenticated caller learns nothing about the payload rules.
 */
export async function verifyGatewayRequest(input: VerifyGatewayRequestInput, options: VerifyGatewayRequestOptions): Promise<GatewayPayload> {
  await verifyGatewayToken(input.authorization, options);
  return parseGatewayPayload(input.body);
}
