import { SignJWT } from 'jose';
import { inputError } from '../core/errors.js';

/** The part of `options.gateway_authentication` that decides the token (auth0-api.md §2.3). */
export interface GatewayTokenSettings {
  secret: string;
  /** Auth0's `secret_base64_encoded`: the key is the base64url-decoded secret, not its text. */
  secretBase64Encoded?: boolean | undefined;
  /** `sub` claim; left out of the token when undefined. */
  subject?: string | undefined;
  /** `aud` claim. */
  audience: string;
}

export interface SignGatewayTokenOptions {
  /** Clock for `iat`; defaults to the current time. */
  now?: Date | undefined;
  /** `exp - iat`, in seconds; defaults to 60. */
  lifetimeSeconds?: number | undefined;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The HMAC key bytes for a gateway secret. Auth0 signs with the secret's UTF-8 bytes, or,
 * with `secret_base64_encoded: true`, with the bytes the base64url text decodes to
 * ("if your secret is base64-url-encoded, you can set options.secret_base64_encoded to true",
 * auth0-doc-custom-sms-gateway.md). Throws an input error (exit 2) that never quotes the secret.
 */
export function secretKeyBytes(secret: string, secretBase64Encoded = false): Uint8Array {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw inputError('the gateway secret is empty', 'pass the gateway_authentication.secret that Auth0 signs with');
  }
  if (!secretBase64Encoded) return new TextEncoder().encode(secret);

  const unpadded = secret.replace(/={1,2}$/, '');
  const hint = 'set secret_base64_encoded only when the secret is base64url text, or re-encode it';
  if (!BASE64URL.test(unpadded)) {
    const standard = /[+/]/.test(unpadded) ? "; '+' and '/' are standard base64: replace them with '-' and '_'" : '';
    throw inputError(
      `secret_base64_encoded is true but the secret is not base64url: it holds characters outside A-Z a-z 0-9 - _${standard}`,
      hint,
    );
  }
  if (unpadded.length % 4 === 1 || (unpadded.length !== secret.length && secret.length % 4 !== 0)) {
    throw inputError('secret_base64_encoded is true but the secret is not base64url: its length cannot be decoded (truncated?)', hint);
  }
  const bytes = Buffer.from(unpadded, 'base64url');
  if (bytes.length === 0) throw inputError('secret_base64_encoded is true but the secret decodes to no bytes', hint);
  return new Uint8Array(bytes);
}

/**
 * A gateway JWT as Auth0 makes it: HS256, `typ: JWT`, claims `sub` (the configured subject)
 * and `aud` (the audience) per auth0-api.md §2.3, plus `iat` and a short `exp` so a captured
 * token cannot be replayed for long. Auth0 does not document `iat`/`exp`; a verifier should
 * not require them, and `verifyGatewayRequest` does not.
 */
export async function signGatewayToken(settings: GatewayTokenSettings, options: SignGatewayTokenOptions = {}): Promise<string> {
  const key = secretKeyBytes(settings.secret, settings.secretBase64Encoded ?? false);
  if (typeof settings.audience !== 'string' || settings.audience.length === 0) {
    throw inputError('the gateway audience is empty', 'pass gateway_authentication.audience');
  }
  const lifetime = options.lifetimeSeconds ?? 60;
  if (!Number.isInteger(lifetime) || lifetime <= 0) {
    throw inputError(`token lifetime must be a positive whole number of seconds, not ${String(lifetime)}`);
  }
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setAudience(settings.audience).setIssuedAt(iat).setExpirationTime(iat + lifetime);
  if (settings.subject !== undefined) jwt.setSubject(settings.subject);
  return jwt.sign(key);
}
