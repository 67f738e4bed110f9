/**
 * The sandbox against the real `auth0` SDK (v7) over HTTPS: the same client the CLI uses, so
 * paging, error mapping, retries and token handling are exercised as in production.
 */
import { generateKeyPairSync } from 'node:crypto';
import { ManagementClient } from 'auth0';
import { clientFor, rejection } from './sdk-client.js';
import { describe, expect, it } from 'vitest';
import { SEED_CLIENTS, SEED_IDS, generateConnections, seedClients, seedConnections } from '../../src/sandbox/index.js';
import { startTestSandbox, useSandbox } from '../helpers/sandbox.js';

async function listSms(client: ManagementClient) {
  const found = [];
  for await (const connection of await client.connections.list({ strategy: ['sms'] })) found.push(connection);
  return found;
}

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const JWT_CLIENT = {
  clientId: 'SbxPrivateKeyJwtClient0000000005',
  publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  scopes: [...SEED_CLIENTS.full.scopes],
};

describe('the real auth0 SDK against the sandbox', () => {
  const sandbox = useSandbox({ clients: [...seedClients(), JWT_CLIENT] });

  it('lists with checkpoint paging, gets, and updates: options replaced whole, display_name kept when sent', async () => {
    const client = clientFor(sandbox(), SEED_CLIENTS.full);
    const sms = await listSms(client);
    expect(sms.map((c) => c.name)).toEqual(['sms', 'sms-gateway']);
    expect(sms[0]?.options).toEqual(seedConnections()[0]?.options);
    expect(sandbox().requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /oauth/token', 'GET /api/v2/connections']);
    expect(sandbox().requests[1]?.query).toEqual({ include_totals: 'true', take: '50', strategy: 'sms' });

    const current = await client.connections.get(SEED_IDS.twilio);
    const { twilio_sid: _sid, twilio_token: _token, ...kept } = current.options as Record<string, unknown>;
    const options = { ...kept, provider: 'sms_gateway', gateway_url: 'https://gateway.example.com/sms' };
    if (current.display_name === undefined) throw new Error('the seed has a display_name');
    const updated = await client.connections.update(SEED_IDS.twilio, { options, display_name: current.display_name });
    expect(updated.options).toEqual(options);
    expect(updated.display_name).toBe('SMS');
    expect(sandbox().connection(SEED_IDS.twilio)?.options).toEqual(options);

    // without display_name Auth0 resets it to the name
    const renamed = await client.connections.update(SEED_IDS.twilio, { options });
    expect(renamed.display_name).toBe('sms');
  });

  it('gets connections without options, and a 403 on an options update, without the options scopes', async () => {
    const client = clientFor(sandbox(), SEED_CLIENTS.noOptions);
    const sms = await listSms(client);
    expect(sms).toHaveLength(2);
    for (const connection of sms) expect(connection).not.toHaveProperty('options');
    expect(await client.connections.get(SEED_IDS.twilio)).not.toHaveProperty('options');
    const error = await rejection(client.connections.update(SEED_IDS.twilio, { options: { name: 'sms' } }));
    expect(error.statusCode).toBe(403);
    expect(error.body).toMatchObject({ message: 'Updating the "options" property requires the "update:connections_options" scope' });
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual(seedConnections()[0]);
  });

  it('surfaces token failures: 401 for a bad secret, 403 for a client without a grant', async () => {
    const bad = await rejection(clientFor(sandbox(), { ...SEED_CLIENTS.full, clientSecret: 'wrong' }).connections.get(SEED_IDS.twilio));
    expect(bad.statusCode).toBe(401);
    const ungranted = await rejection(clientFor(sandbox(), SEED_CLIENTS.unauthorized).connections.get(SEED_IDS.twilio));
    expect(ungranted.statusCode).toBe(403);
    expect(JSON.stringify(ungranted.body)).toContain('client-grant');
  });

  it('works with a --token from issueToken() and maps 403 insufficient scope and 404', async () => {
    const client = new ManagementClient({ domain: sandbox().domain, token: sandbox().issueToken(['read:connections']) });
    expect((await listSms(client)).map((c) => c.id)).toEqual([SEED_IDS.twilio, SEED_IDS.gateway]);
    expect((await rejection(client.connections.update(SEED_IDS.twilio, { display_name: 'x' }))).statusCode).toBe(403);
    const missing = await rejection(client.connections.get('con_DoesNotExist0000'));
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toMatchObject({ errorCode: 'inexistent_connection' });
  });

  it('authenticates with private_key_jwt (clientAssertionSigningKey)', async () => {
    const client = new ManagementClient({
      domain: sandbox().domain,
      clientId: JWT_CLIENT.clientId,
      clientAssertionSigningKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    expect((await client.connections.get(SEED_IDS.gateway)).name).toBe('sms-gateway');
    expect(sandbox().requests[0]?.body).toMatchObject({ client_id: JWT_CLIENT.clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' });
    expect(sandbox().requests[0]?.body).not.toHaveProperty('client_assertion');
  });

  it('retries a 429 after x-ratelimit-reset and succeeds', async () => {
    const client = clientFor(sandbox(), SEED_CLIENTS.full);
    await client.connections.get(SEED_IDS.email); // token fetched, bucket untouched
    sandbox().setRateLimit({ perSecond: 5, burst: 1 });
    await client.connections.get(SEED_IDS.email);
    const connection = await client.connections.get(SEED_IDS.gateway);
    expect(connection.id).toBe(SEED_IDS.gateway);
    expect(sandbox().requests.filter((r) => r.path.endsWith(SEED_IDS.gateway)).map((r) => r.status)).toEqual([429, 200]);
  });

  it('reports an injected 503 (no retries) and a dropped connection as errors', async () => {
    const client = clientFor(sandbox(), SEED_CLIENTS.full, 0);
    sandbox().inject({ kind: 'status', status: 503, method: 'PATCH' });
    expect((await rejection(client.connections.update(SEED_IDS.twilio, { display_name: 'SMS' }))).statusCode).toBe(503);
    sandbox().inject({ kind: 'drop', method: 'PATCH', afterApply: true });
    await expect(client.connections.update(SEED_IDS.twilio, { display_name: 'Lost reply' })).rejects.toThrow();
    expect(sandbox().connection(SEED_IDS.twilio)?.display_name).toBe('Lost reply');
  });

  it('pages 1,200 connections by checkpoint: 400 SMS connections in 8 pages of 50', async () => {
    const big = await startTestSandbox({ connections: generateConnections(1200) });
    try {
      const sms = await listSms(clientFor(big, SEED_CLIENTS.readOnly));
      const expected = generateConnections(1200).filter((c) => c.strategy === 'sms');
      expect(sms.map((c) => c.id)).toEqual(expected.map((c) => c.id));
      const pages = big.requests.filter((r) => r.path === '/api/v2/connections');
      expect(pages).toHaveLength(8);
      expect(pages[0]?.query).not.toHaveProperty('from');
      for (const page of pages.slice(1)) expect(page.query).toHaveProperty('from');
    } finally {
      await big.close();
    }
  });
});
