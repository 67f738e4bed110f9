/**
 * POST /oauth/token, client-credentials grant for the Management API
 * (https://auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens/get-management-api-access-tokens-for-production): the
 * client authenticates with `client_secret` or with a private_key_jwt `client_assertion`, and
 * `audience` must be `https://{domain}/api/v2/`.
 */
import { createPublicKey, timingSafeEqual } from 'node:crypto';
import { decodeJwt, jwtVerify } from 'jose';
import { oauthError, type Reply } from './replies.js';
import { TOKEN_LIFETIME_SECONDS, type TokenAuthority } from './tokens.js';
import type { SandboxClient } from './types.js';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The private_key_jwt algorithms Auth0 accepts for client assertions. */
const ASSERTION_ALGORITHMS = ['RS256', 'RS384', 'PS256'];

export interface TokenEndpoint {
  clients: ReadonlyMap<string, SandboxClient>;
  authority: TokenAuthority;
  /** `jti`s already presented: Auth0 refuses a replayed client assertion. */
  usedAssertionIds: Set<string>;
}

/** `domains`: the names this request may use for the tenant (the sandbox's domain and the Host header). */
export async function issueClientCredentialsToken(
  endpoint: TokenEndpoint,
  params: Record<string, unknown>,
  domains: readonly string[],
): Promise<Reply> {
  const grantType = text(params.grant_type);
  if (grantType === undefined) return oauthError(400, 'invalid_request', 'Missing required parameter: grant_type');
  if (grantType !== 'client_credentials') return oauthError(403, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);

  const unauthorized = oauthError(401, 'access_denied', 'Unauthorized');
  const assertion = text(params.client_assertion);
  const clientId = text(params.client_id) ?? (assertion === undefined ? undefined : assertionIssuer(assertion));
  const client = clientId === undefined ? undefined : endpoint.clients.get(clientId);
  if (client === undefined) return unauthorized;
  const authenticated =
    assertion !== undefined
      ? text(params.client_assertion_type) === CLIENT_ASSERTION_TYPE && (await verifyAssertion(endpoint, client, assertion, domains))
      : secretMatches(client, text(params.client_secret));
  if (!authenticated) return unauthorized;

  const audience = text(params.audience);
  if (audience === undefined) {
    return oauthError(403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured');
  }
  if (!domains.some((domain) => audience === `https://${domain}/api/v2/`)) {
    return oauthError(403, 'access_denied', `Service not found: ${audience}`);
  }
  if (client.authorized === false) {
    return oauthError(
      403,
      'access_denied',
      `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/create_client_grants`,
    );
  }

  // A `scope` parameter narrows the grant; scopes the grant lacks are not added.
  const requested = text(params.scope)?.split(' ').filter(Boolean);
  const scopes = requested === undefined ? client.scopes : client.scopes.filter((scope) => requested.includes(scope));
  const issuerDomain = domains[0] ?? '';
  const accessToken = endpoint.authority.issue({ issuer: `https://${issuerDomain}/`, audience, clientId: client.clientId, scopes });
  return {
    status: 200,
    body: { access_token: accessToken, expires_in: TOKEN_LIFETIME_SECONDS, scope: scopes.join(' '), token_type: 'Bearer' },
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function secretMatches(client: SandboxClient, given: string | undefined): boolean {
  if (client.clientSecret === undefined || given === undefined) return false;
  const expected = Buffer.from(client.clientSecret);
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function assertionIssuer(assertion: string): string | undefined {
  try {
    return decodeJwt(assertion).iss;
  } catch {
    return undefined;
  }
}

/**
 * private_key_jwt: iss = sub = client_id, aud = `https://{domain}/`, unexpired, unused `jti`, as the
 * `auth0` SDK v7 builds it (https://github.com/auth0/node-auth0, `management/wrapper/token-provider`).
 */
async function verifyAssertion(
  endpoint: TokenEndpoint,
  client: SandboxClient,
  assertion: string,
  domains: readonly string[],
): Promise<boolean> {
  if (client.publicKeyPem === undefined) return false;
  try {
    const { payload } = await jwtVerify(assertion, createPublicKey(client.publicKeyPem), {
      issuer: client.clientId,
      subject: client.clientId,
      audience: domains.map((domain) => `https://${domain}/`),
      algorithms: ASSERTION_ALGORITHMS,
      requiredClaims: ['exp', 'jti'],
    });
    const jti = String(payload.jti);
    if (endpoint.usedAssertionIds.has(jti)) return false;
    endpoint.usedAssertionIds.add(jti);
    return true;
  } catch {
    return false;
  }
}
