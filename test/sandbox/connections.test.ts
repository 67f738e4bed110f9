import { describe, expect, it } from 'vitest';
import { SEED_IDS, SEED_TWILIO_TOKEN, SEED_UNKNOWN_OPTION, generateConnections, seedConnections, type SandboxConnection } from '../../src/sandbox/index.js';
import { startTestSandbox, useSandbox } from '../helpers/sandbox.js';
import { api, call } from './http.js';

const READ_ONLY_NO_OPTIONS = ['read:connections'];
const NO_OPTIONS = ['read:connections', 'update:connections'];
const INVALID_TOKEN = { statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } };
const queryError = (message: RegExp) => ({ statusCode: 400, error: 'Bad Request', errorCode: 'invalid_query_string', message: expect.stringMatching(message) });
const ids = (body: unknown) => (body as SandboxConnection[]).map((c) => c.id);

describe('Management API authentication', () => {
  const sandbox = useSandbox();

  it('answers 401 "Invalid token" without a token, with garbage, and with a token of another sandbox', async () => {
    const other = await startTestSandbox();
    const foreign = other.issueToken(['read:connections']);
    await other.close();
    for (const token of [undefined, 'not-a-jwt', foreign, `${sandbox().issueToken(['read:connections'])}x`]) {
      const response = await call(sandbox(), 'GET', '/api/v2/connections', { token });
      expect(response).toMatchObject({ status: 401, body: INVALID_TOKEN });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
  });

  it('answers 404 to unknown routes', async () => {
    expect(await api(sandbox(), 'GET', '/users')).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
    expect((await api(sandbox(), 'DELETE', `/connections/${SEED_IDS.twilio}`)).status).toBe(404);
    expect((await call(sandbox(), 'GET', '/oauth/token')).status).toBe(404);
    expect((await call(sandbox(), 'GET', '/')).status).toBe(404);
  });
});

describe('GET /api/v2/connections', () => {
  const sandbox = useSandbox();

  it('needs read:connections', async () => {
    expect(await api(sandbox(), 'GET', '/connections', undefined, ['update:connections'])).toEqual(
      expect.objectContaining({
        status: 403,
        body: { statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: read:connections', errorCode: 'insufficient_scope' },
      }),
    );
  });

  it('returns a plain array of every connection, options included with read:connections_options', async () => {
    const { status, body } = await api(sandbox(), 'GET', '/connections');
    expect(status).toBe(200);
    expect(body).toEqual(seedConnections());
  });

  it('leaves options out, in lists and by id, without read:connections_options', async () => {
    const list = (await api(sandbox(), 'GET', '/connections', undefined, READ_ONLY_NO_OPTIONS)).body as SandboxConnection[];
    expect(list).toHaveLength(4);
    for (const connection of list) expect(connection).not.toHaveProperty('options');
    expect(list[0]).toMatchObject({ id: SEED_IDS.twilio, name: 'sms', strategy: 'sms', display_name: 'SMS' });
    const one = (await api(sandbox(), 'GET', `/connections/${SEED_IDS.twilio}`, undefined, READ_ONLY_NO_OPTIONS)).body;
    expect(one).not.toHaveProperty('options');
    expect(JSON.stringify([list, one])).not.toContain(SEED_TWILIO_TOKEN);
    // asking for the field explicitly does not bring it back
    expect((await api(sandbox(), 'GET', '/connections?fields=id,options', undefined, READ_ONLY_NO_OPTIONS)).body).toEqual(
      seedConnections().map(({ id }) => ({ id })),
    );
  });

  it('filters by strategy (repeatable) and exact name', async () => {
    expect(ids((await api(sandbox(), 'GET', '/connections?strategy=sms')).body)).toEqual([SEED_IDS.twilio, SEED_IDS.gateway]);
    expect(ids((await api(sandbox(), 'GET', '/connections?strategy=sms&strategy=email')).body)).toEqual([SEED_IDS.twilio, SEED_IDS.gateway, SEED_IDS.email]);
    expect(ids((await api(sandbox(), 'GET', '/connections?name=sms')).body)).toEqual([SEED_IDS.twilio]);
    expect((await api(sandbox(), 'GET', '/connections?name=SMS')).body).toEqual([]);
    expect(sandbox().requests[1]?.query).toEqual({ strategy: ['sms', 'email'] });
  });

  it('selects fields with fields and include_fields', async () => {
    expect((await api(sandbox(), 'GET', '/connections?strategy=sms&fields=id,name')).body).toEqual([
      { id: SEED_IDS.twilio, name: 'sms' },
      { id: SEED_IDS.gateway, name: 'sms-gateway' },
    ]);
    const excluded = (await api(sandbox(), 'GET', '/connections?name=sms&fields=options,enabled_clients&include_fields=false')).body as SandboxConnection[];
    expect(Object.keys(excluded[0] ?? {}).sort()).toEqual(['display_name', 'id', 'is_domain_connection', 'metadata', 'name', 'realms', 'strategy']);
  });

  it('pages by offset: page/per_page, totals with include_totals', async () => {
    expect(ids((await api(sandbox(), 'GET', '/connections?per_page=3&page=1')).body)).toEqual([SEED_IDS.database]);
    expect((await api(sandbox(), 'GET', '/connections?per_page=2&page=1&include_totals=true&fields=id')).body).toEqual({
      start: 2,
      limit: 2,
      total: 4,
      connections: [{ id: SEED_IDS.email }, { id: SEED_IDS.database }],
    });
  });

  it('pages by checkpoint when take or from is present: next until the last page', async () => {
    const first = await api(sandbox(), 'GET', '/connections?take=3&include_totals=true');
    const firstBody = first.body as { connections: SandboxConnection[]; next: string };
    expect(Object.keys(firstBody).sort()).toEqual(['connections', 'next']); // no totals in checkpoint mode
    expect(ids(firstBody.connections)).toEqual([SEED_IDS.twilio, SEED_IDS.gateway, SEED_IDS.email]);
    const second = (await api(sandbox(), 'GET', `/connections?take=3&from=${encodeURIComponent(firstBody.next)}`)).body as { connections: SandboxConnection[] };
    expect(second).toEqual({ connections: [expect.objectContaining({ id: SEED_IDS.database })] });
    // exactly one page's worth left: no `next`
    expect((await api(sandbox(), 'GET', '/connections?take=4')).body).not.toHaveProperty('next');
    // default take is 50
    expect(((await api(sandbox(), 'GET', '/connections?from=')).body as { connections: unknown[] }).connections).toHaveLength(4);
  });

  it('rejects out-of-range and unknown query parameters with 400 invalid_query_string', async () => {
    for (const [query, message] of [
      ['per_page=101', /^Query validation error: .*maximum 100.* per_page/],
      ['per_page=0', /minimum 1.* per_page/],
      ['page=-1', /minimum 0.* page/],
      ['page=x', /Expected type integer.* page/],
      ['take=0', /minimum 1.* take/],
      ['take=101', /maximum 100.* take/],
      ['include_totals=yes', /Expected type boolean.* include_totals/],
      ['fields=id,password', /fields/],
      ['name=a&name=b', /Expected type string but found type array.* name/],
      ['from=bm9wZQ', /from/],
      ['q=x', /Additional properties not allowed: q/],
    ] as const) {
      const { status, body } = await api(sandbox(), 'GET', `/connections?${query}`);
      expect({ query, status, body }).toEqual({ query, status: 400, body: queryError(message) });
    }
  });

  it('refuses offset pages past the first 1,000 records, and checkpoint paging walks all 1,200', async () => {
    const big = await startTestSandbox({ connections: generateConnections(1200) });
    try {
      expect((await api(big, 'GET', '/connections?per_page=100&page=9&fields=id')).status).toBe(200);
      expect(await api(big, 'GET', '/connections?per_page=100&page=10')).toMatchObject({
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/exceeds the allowed maximum of 1000 records.*checkpoint/) },
      });
      expect((await api(big, 'GET', '/connections?per_page=30&page=33')).status).toBe(400); // 33*30+30 > 1000
      const seen: string[] = [];
      let next: string | undefined;
      let pages = 0;
      do {
        const response = await api(big, 'GET', `/connections?take=100&fields=id${next === undefined ? '' : `&from=${encodeURIComponent(next)}`}`);
        const body = response.body as { connections: { id: string }[]; next?: string };
        seen.push(...body.connections.map((c) => c.id));
        next = body.next;
        pages += 1;
      } while (next !== undefined);
      expect(pages).toBe(12);
      expect(seen).toEqual(generateConnections(1200).map((c) => c.id));
    } finally {
      await big.close();
    }
  });
});

describe('GET /api/v2/connections/:id', () => {
  const sandbox = useSandbox();

  it('returns the connection, 404 inexistent_connection for an unknown id, 400 invalid_uri for a malformed one', async () => {
    expect(await api(sandbox(), 'GET', `/connections/${SEED_IDS.gateway}`)).toMatchObject({ status: 200, body: seedConnections()[1] });
    expect(await api(sandbox(), 'GET', '/connections/con_DoesNotExist0000')).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'The connection does not exist', errorCode: 'inexistent_connection' },
    });
    // Auth0's ids are con_ and exactly 16 alphanumerics: one more or one less is not an id.
    for (const id of ['sms', 'con_', 'con_abc-def', 'con_abc%20def', 'con_Tw1l1oSmsSeed0001', 'con_Tw1l1oSmsSee01', `${SEED_IDS.twilio}0`]) {
      expect(await api(sandbox(), 'GET', `/connections/${id}`)).toMatchObject({
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', errorCode: 'invalid_uri', message: expect.stringMatching(/^Path validation error: /) },
      });
    }
    expect((await api(sandbox(), 'GET', `/connections/${SEED_IDS.twilio}`, undefined, ['update:connections'])).status).toBe(403);
    expect((await api(sandbox(), 'GET', `/connections/${SEED_IDS.twilio}?fields=name`)).body).toEqual({ name: 'sms' });
  });
});

describe('PATCH /api/v2/connections/:id', () => {
  const sandbox = useSandbox();
  const gatewayOptions = {
    name: 'sms',
    from: '+15551234567',
    syntax: 'md_with_macros',
    template: 'Your verification code is: @@password@@',
    totp: { time_step: 300, length: 6 },
    provider: 'sms_gateway',
    gateway_url: 'https://gateway.example.com/sms',
    gateway_authentication: { method: 'bearer', subject: 'urn:Auth0', audience: 'https://gateway.example.com', secret: 'new-secret-value-0123456789abcdef', secret_base64_encoded: false },
    forward_req_info: true,
  };

  it('replaces options whole, resets an omitted display_name to the name, and answers the full connection', async () => {
    const { status, body } = await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { options: gatewayOptions });
    const expected = { ...seedConnections()[0], options: gatewayOptions, display_name: 'sms' };
    expect(status).toBe(200);
    expect(body).toEqual(expected);
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual(expected);
    // nothing merged: the Twilio credentials and the unknown key are gone
    expect(sandbox().connection('sms')?.options).not.toHaveProperty('twilio_token');
    expect(sandbox().connection('sms')?.options).not.toHaveProperty(SEED_UNKNOWN_OPTION.key);
    expect(sandbox().requests.at(-1)).toMatchObject({ method: 'PATCH', status: 200, body: { options: gatewayOptions } });
  });

  it('keeps display_name when it is sent', async () => {
    await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { display_name: 'SMS', metadata: { a: 'b' } });
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual({ ...seedConnections()[0], metadata: { a: 'b' } });
  });

  it('needs update:connections, and update:connections_options for a body with options', async () => {
    expect(await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { display_name: 'x' }, ['read:connections'])).toMatchObject({
      status: 403,
      body: { message: 'Insufficient scope, expected any of: update:connections', errorCode: 'insufficient_scope' },
    });
    expect(await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { options: gatewayOptions }, NO_OPTIONS)).toMatchObject({
      status: 403,
      body: {
        statusCode: 403,
        error: 'Forbidden',
        message: 'Updating the "options" property requires the "update:connections_options" scope',
        errorCode: 'insufficient_scope',
      },
    });
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual(seedConnections()[0]);
  });

  it('answers without options when the token cannot read them', async () => {
    const { status, body } = await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { display_name: 'SMS' }, NO_OPTIONS);
    expect(status).toBe(200);
    expect(body).not.toHaveProperty('options');
    expect(sandbox().connection(SEED_IDS.twilio)?.options).toEqual(seedConnections()[0]?.options); // untouched
  });

  it('rejects keys outside UpdateConnectionRequestContent, an empty body and bad JSON', async () => {
    const current = sandbox().connection(SEED_IDS.twilio);
    expect(await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { strategy: 'sms', name: 'sms', options: gatewayOptions })).toMatchObject({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: "Payload validation error: 'Additional properties not allowed: strategy,name'", errorCode: 'invalid_body' },
    });
    expect(await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, {})).toMatchObject({ status: 400, body: { errorCode: 'invalid_body' } });
    expect((await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`)).status).toBe(400);
    expect((await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, [])).status).toBe(400);
    expect((await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { display_name: 5 })).body).toMatchObject({
      message: "Payload validation error: 'Expected type string but found type integer' on property display_name.",
    });
    const token = sandbox().issueToken(['update:connections']);
    expect(await call(sandbox(), 'PATCH', `/api/v2/connections/${SEED_IDS.twilio}`, { token, rawBody: '{"display_name":' })).toMatchObject({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'Invalid request payload JSON format' },
    });
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual(current);
  });

  it('checks the SMS option constraints Auth0 documents', async () => {
    const patch = (options: Record<string, unknown>) => api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { options: { ...gatewayOptions, ...options } });
    expect((await patch({ gateway_url: 'http://gateway.example.com/sms' })).body).toMatchObject({ errorCode: 'invalid_body', message: expect.stringContaining('options.gateway_url') });
    const { secret: _, ...noSecret } = gatewayOptions.gateway_authentication;
    expect((await patch({ gateway_authentication: noSecret })).body).toMatchObject({ message: expect.stringContaining('Missing required property: secret') });
    expect((await patch({ provider: 'nexmo' })).status).toBe(400);
    expect((await patch({ totp: { time_step: 30, length: 6 } })).status).toBe(400);
    expect((await patch({ forward_req_info: 'true', gateway_authentication: null })).status).toBe(200); // Auth0's own example sends the string
  });

  it('answers 404 and 400 invalid_uri like GET', async () => {
    expect((await api(sandbox(), 'PATCH', '/connections/con_DoesNotExist0000', { display_name: 'x' })).body).toMatchObject({ errorCode: 'inexistent_connection' });
    expect((await api(sandbox(), 'PATCH', '/connections/sms', { display_name: 'x' })).body).toMatchObject({ errorCode: 'invalid_uri' });
  });
});
