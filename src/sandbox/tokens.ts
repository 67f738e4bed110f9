/**
 * Management API access tokens of one sandbox: HS256 JWTs under a random per-sandbox key, so a
 * token from another sandbox (or anywhere else) is "Invalid token". Signed with node:crypto
 * rather than jose because `Sandbox.issueToken` is synchronous and jose's signing is not.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Auth0's default Management API token lifetime, `expires_in: 86400`
 * (https://auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens/get-management-api-access-tokens-for-production).
 */
export const TOKEN_LIFETIME_SECONDS = 86_400;

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  scope: string;
  gty: 'client-credentials';
  azp: string;
  jti: string;
}

export class TokenAuthority {
  readonly #key = randomBytes(32);

  issue(input: { issuer: string; audience: string; clientId: string; scopes: readonly string[] }): string {
    const iat = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      iss: input.issuer,
      sub: `${input.clientId}@clients`,
      aud: input.audience,
      iat,
      exp: iat + TOKEN_LIFETIME_SECONDS,
      scope: input.scopes.join(' '),
      gty: 'client-credentials',
      azp: input.clientId,
      jti: randomUUID(),
    };
    const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
    return `${signingInput}.${this.#sign(signingInput)}`;
  }

  /** The token's scopes, or undefined when it is not a live token of this sandbox for one of `audiences`. */
  verify(token: string, audiences: readonly string[]): Set<string> | undefined {
    const [header, payload, signature, extra] = token.split('.');
    if (header === undefined || payload === undefined || signature === undefined || extra !== undefined) return undefined;
    const expected = Buffer.from(this.#sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const claims = decode(payload);
    if (decode(header)?.alg !== 'HS256' || claims === undefined) return undefined;
    if (typeof claims.exp !== 'number' || claims.exp <= Date.now() / 1000) return undefined;
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) return undefined;
    return new Set(typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : []);
  }

  #sign(signingInput: string): string {
    return createHmac('sha256', this.#key).update(signingInput).digest('base64url');
  }
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
