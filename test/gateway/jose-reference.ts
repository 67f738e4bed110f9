// The verifier as it was before it moved to node:crypto, built on the general-purpose `jose`
// library (a devDependency). Tests use it as an oracle: for any token, the library's
// verifier must give the same verdict, code and message. Configuration checks are left out.
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { GatewayVerificationError } from '../../src/gateway/errors.js';
import { gatewayKeyBytes } from '../../src/gateway/key.js';
import type { GatewayTokenClaims, VerifyGatewayRequestOptions } from '../../src/gateway/verify.js';

const quote = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};
// A claim may hold a number no Date can represent (8.64e12 s is Date's limit): quote it instead.
const iso = (epochSeconds: unknown): string => {
  const date = typeof epochSeconds === 'number' ? new Date(epochSeconds * 1000) : undefined;
  return date !== undefined && Number.isFinite(date.getTime()) ? date.toISOString() : quote(epochSeconds);
};

function bearerToken(authorization: string | null | undefined): string {
  if (authorization === undefined || authorization === null || authorization.trim() === '') {
    throw new GatewayVerificationError(
      'missing_bearer',
      'missing bearer token: the request has no Authorization header; Auth0 sends "Authorization: Bearer <JWT>" only when the connection has gateway_authentication (method "bearer"), so configure it or run the gateway without authentication',
    );
  }
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) {
    throw new GatewayVerificationError(
      'missing_bearer',
      'missing bearer token: the Authorization header is not "Bearer <JWT>"; Auth0 sends its gateway token as a Bearer credential, so check what sits between Auth0 and the gateway (a proxy may replace the header)',
    );
  }
  return match[1];
}

export async function joseVerifyGatewayToken(authorization: string | null | undefined, options: VerifyGatewayRequestOptions): Promise<GatewayTokenClaims> {
  const tolerance = options.clockToleranceSeconds ?? 30;
  const key = gatewayKeyBytes(options.secret, options.secretBase64Encoded ?? false);
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
      "bad signature: the token was not signed with this key; the secret differs from the connection's gateway_authentication.secret, or secret_base64_encoded differs (true means the key is the base64url-decoded secret)",
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
      return new GatewayVerificationError('wrong_audience', `wrong audience: ${got}, expected ${quote(options.audience)}; the gateway's audience must equal the connection's gateway_authentication.audience`);
    }
    if (claim === 'sub') {
      const got = reason === 'missing' ? 'the token has no sub claim' : `the token's sub is ${quote(payload.sub)}`;
      return new GatewayVerificationError('wrong_subject', `wrong subject: ${got}, expected ${quote(options.subject)}; the gateway's subject must equal the connection's gateway_authentication.subject`);
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
    return new GatewayVerificationError('malformed_token', 'malformed token: the JWT could not be decoded (bad base64url, JSON or header); Auth0 sends a compact HS256 JWT');
  }
  throw error;
}
