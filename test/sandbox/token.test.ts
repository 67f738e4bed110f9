import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { describe, expect, it } from 'vitest';
import { SEED_CLIENTS, SEED_SECRETS, seedClients } from '../../src/sandbox/index.js';
import { useSandbox } from '../helpers/sandbox.js';
import { ALL_SCOPES, call, clientCredentials, requestToken } from './http.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const JWT_CLIENT = { clientId: 'SbxPrivateKeyJwtClient0000000005', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), scopes: ALL_SCOPES };

const UNAUTHORIZED = { error: 'access_denied', error_description: 'Unauthorized' };

describe('POST /oauth/token', () => {
  const sandbox = useSandbox({ clients: [...seedClients(), JWT_CLIENT] });

  async function assertion(overrides: { aud?: string; iss?: string; jti?: string } = {}): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(overrides.iss ?? JWT_CLIENT.clientId)
      .setSubject(JWT_CLIENT.clientId)
      .setAudience(overrides.aud ?? `https://${sandbox().domain}/`)
      .setIssuedAt()
      .setExpirationTime('2m')
      .setJti(overrides.jti ?? randomUUID())
      .sign(await importPKCS8(privatePem, 'RS256'));
  }

  it('grants a client secret its scopes as a Bearer token good for a day, which the API accepts', async () => {
    const { status, body, headers } = await requestToken(sandbox(), clientCredentials(sandbox(), SEED_CLIENTS.full));
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    const fullScope = SEED_CLIENTS.full.scopes.join(' ');
    expect(fullScope).toContain(ALL_SCOPES.join(' '));
    expect(body).toEqual({ access_token: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/), expires_in: 86400, scope: fullScope, token_type: 'Bearer' });
    const token = (body as { access_token: string }).access_token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: `https://${sandbox().domain}/api/v2/`, scope: fullScope, sub: `${SEED_CLIENTS.full.clientId}@clients` });
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect((await call(sandbox(), 'GET', '/api/v2/connections', { token })).status).toBe(200);
  });

  it('accepts a JSON body too', async () => {
    const response = await fetch(`${sandbox().url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(clientCredentials(sandbox(), SEED_CLIENTS.readOnly)),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { scope: string }).scope).toBe('read:connections read:connections_options');
  });

  it('answers 401 access_denied to a wrong secret, an unknown client and a missing secret', async () => {
    const good = clientCredentials(sandbox(), SEED_CLIENTS.full);
    for (const params of [
      { ...good, client_secret: `${SEED_CLIENTS.full.clientSecret}x` },
      { ...good, client_secret: SEED_CLIENTS.noOptions.clientSecret },
      { ...good, client_id: 'NoSuchClient' },
      { grant_type: good.grant_type, client_id: good.client_id, audience: good.audience },
    ]) {
      expect(await requestToken(sandbox(), params)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    }
  });

  it('answers 403 with the client-grant message to a client not authorized for the Management API', async () => {
    const audience = `https://${sandbox().domain}/api/v2/`;
    expect(await requestToken(sandbox(), clientCredentials(sandbox(), SEED_CLIENTS.unauthorized))).toMatchObject({
      status: 403,
      body: {
        error: 'access_denied',
        error_description: `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/create_client_grants`,
      },
    });
  });

  it('requires the audience https://{domain}/api/v2/ and the client_credentials grant', async () => {
    const good = clientCredentials(sandbox(), SEED_CLIENTS.full);
    expect(await requestToken(sandbox(), { ...good, audience: `https://${sandbox().domain}/api/v2` })).toMatchObject({
      status: 403,
      body: { error: 'access_denied', error_description: `Service not found: https://${sandbox().domain}/api/v2` },
    });
    const { audience: _, ...withoutAudience } = good;
    expect((await requestToken(sandbox(), withoutAudience)).status).toBe(403);
    expect(await requestToken(sandbox(), { ...good, grant_type: 'password' })).toMatchObject({ status: 403, body: { error: 'unsupported_grant_type' } });
  });

  it('narrows the grant to a requested scope', async () => {
    const { body } = await requestToken(sandbox(), { ...clientCredentials(sandbox(), SEED_CLIENTS.noOptions), scope: 'read:connections read:connections_options' });
    expect((body as { scope: string }).scope).toBe('read:connections');
  });

  it('accepts a private_key_jwt client assertion once, signed by the registered key for aud https://{domain}/', async () => {
    const base = { grant_type: 'client_credentials', client_id: JWT_CLIENT.clientId, audience: `https://${sandbox().domain}/api/v2/`, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' };
    const jwt = await assertion();
    expect((await requestToken(sandbox(), { ...base, client_assertion: jwt })).status).toBe(200);
    expect(await requestToken(sandbox(), { ...base, client_assertion: jwt })).toMatchObject({ status: 401, body: UNAUTHORIZED }); // replayed jti
    expect((await requestToken(sandbox(), { ...base, client_assertion: await assertion({ aud: `https://${sandbox().domain}/api/v2/` }) })).status).toBe(401);
    expect((await requestToken(sandbox(), { ...base, client_assertion: await assertion({ iss: SEED_CLIENTS.full.clientId }) })).status).toBe(401);
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer(JWT_CLIENT.clientId).setSubject(JWT_CLIENT.clientId)
      .setAudience(`https://${sandbox().domain}/`).setIssuedAt().setExpirationTime('2m').setJti(randomUUID()).sign(await importPKCS8(otherKey, 'RS256'));
    expect((await requestToken(sandbox(), { ...base, client_assertion: forged })).status).toBe(401);
  });

  it('logs the request without client_secret or client_assertion', async () => {
    await requestToken(sandbox(), clientCredentials(sandbox(), SEED_CLIENTS.full));
    const [entry] = sandbox().requests;
    expect(entry).toMatchObject({ method: 'POST', path: '/oauth/token', status: 200, body: { grant_type: 'client_credentials', client_id: SEED_CLIENTS.full.clientId } });
    expect(JSON.stringify(sandbox().requests)).not.toContain(SEED_CLIENTS.full.clientSecret);
    expect(SEED_SECRETS).toContain(SEED_CLIENTS.full.clientSecret);
  });

  it('answers 400 to a malformed JSON body', async () => {
    expect(await call(sandbox(), 'POST', '/oauth/token', { rawBody: '{"grant_type":', contentType: 'application/json' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });
});
