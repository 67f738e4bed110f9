import { loadCrypto } from './crypto.js';
import { GatewayConfigurationError } from './errors.js';
import { cachedKey } from './key.js';
import { shownValue } from './type-name.js';

/** The part of `options.gateway_authentication` that decides the token. */
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

// base64url of {"alg":"HS256","typ":"JWT"} (RFC 7515 §7.1): the header never changes, and a
// literal costs nothing when the library loads. test/gateway/jwt.test.ts decodes it.
const HEADER = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';

/**
 * A gateway JWT as Auth0 makes it: HS256 with the connection's secret, `typ: JWT`, claims
 * `sub` (the configured subject) and `aud` (the audience)
 * (https://auth0.com/docs/authenticate/passwordless/authentication-methods/use-sms-gateway-passwordless),
 * plus `iat` and a short `exp` so a captured token cannot be replayed for long. Auth0 does not
 * document `iat`/`exp`; a verifier should not require them, and `verifyGatewayRequest` does
 * not. Throws GatewayConfigurationError for an empty or undecodable secret, an empty audience
 * or a bad lifetime.
 */
export async function signGatewayToken(settings: GatewayTokenSettings, options: SignGatewayTokenOptions = {}): Promise<string> {
  if (typeof settings !== 'object' || settings === null) {
    throw new GatewayConfigurationError('empty_secret', 'signGatewayToken needs settings: { secret, audience, subject?, secretBase64Encoded? } from the connection\'s gateway_authentication');
  }
  const key = cachedKey(settings.secret, settings.secretBase64Encoded);
  if (typeof settings.audience !== 'string' || settings.audience.length === 0) {
    throw new GatewayConfigurationError('empty_audience', 'the gateway audience is empty: pass gateway_authentication.audience');
  }
  if (settings.subject !== undefined && typeof settings.subject !== 'string') {
    throw new GatewayConfigurationError('invalid_subject', `subject must be a string (gateway_authentication.subject) or left out, not ${typeof settings.subject}`);
  }
  const lifetime = options.lifetimeSeconds ?? 60;
  if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime <= 0) {
    throw new GatewayConfigurationError('invalid_lifetime', `token lifetime must be a positive whole number of seconds, not ${shownValue(lifetime)}`);
  }
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || !Number.isFinite(now.getTime())) throw new GatewayConfigurationError('invalid_now', 'now must be a valid Date');
  const iat = Math.floor(now.getTime() / 1000);
  // Claims in the order a general JOSE library writes them (aud, iat, exp, then sub), so that
  // tokens stay byte-for-byte what they were before this signer replaced one.
  const claims: Record<string, unknown> = { aud: settings.audience, iat, exp: iat + lifetime };
  if (settings.subject !== undefined) claims.sub = settings.subject;
  const input = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const { createHmac } = await loadCrypto();
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}
