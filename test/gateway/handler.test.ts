import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayHandler, GatewayConfigurationError, signGatewayToken, type GatewayHandlerMeta, type GatewayHandlerOptions, type GatewayPayload } from '../../src/index.js';
import { startGatewayServer, type GatewayMessageMeta, type GatewayServer } from '../../src/gateway/server.js';

const SECRET = 'handler-test-secret-0123456789abcdefgh';
const verify = { secret: SECRET, audience: 'urn:gw', subject: 'urn:Auth0' };
const payload = { recipient: '+15550001', body: 'Your code is 1', sender: '' };
const LIMIT = 1024;

const bearer = async (): Promise<string> => `Bearer ${await signGatewayToken(verify)}`;

interface Case {
  name: string;
  method?: string;
  auth?: 'good' | 'none' | string;
  body?: string;
  /** `send` (and the server's onMessage) throws this. */
  sendThrows?: (token: string) => Error;
  status: number;
  error?: string;
}

const cases: Case[] = [
  { name: 'a verified message', auth: 'good', body: JSON.stringify(payload), status: 200 },
  { name: 'extra keys and forwarded request info', auth: 'good', body: JSON.stringify({ ...payload, req: { ip: '1.2.3.4' }, future: true }), status: 200 },
  { name: 'bad JSON', auth: 'good', body: '{"recipient"', status: 400, error: 'malformed_payload' },
  { name: 'a payload without recipient', auth: 'good', body: JSON.stringify({ body: 'x' }), status: 400, error: 'malformed_payload' },
  { name: 'an empty body', auth: 'good', body: '', status: 400, error: 'malformed_payload' },
  { name: 'no token', auth: 'none', body: JSON.stringify(payload), status: 401, error: 'missing_bearer' },
  { name: 'a garbage token', auth: 'Bearer a.b.c', body: JSON.stringify(payload), status: 401, error: 'malformed_token' },
  { name: 'Basic credentials', auth: 'Basic dXNlcjpwYXNz', body: JSON.stringify(payload), status: 401, error: 'missing_bearer' },
  { name: 'a token checked before a bad body', auth: 'none', body: 'not json', status: 401, error: 'missing_bearer' },
  // An unsigned header whose alg nests 4,000 deep: refused as a token, not a 500 (the message quotes alg).
  {
    name: 'a header alg nested 4,000 deep',
    auth: `Bearer ${Buffer.from(`{"alg":${'['.repeat(4000)}${']'.repeat(4000)}}`).toString('base64url')}.e30.c2ln`,
    body: JSON.stringify(payload),
    status: 401,
    error: 'wrong_algorithm',
  },
  // A signed payload with an extra key nested deeper than any message: refused as malformed, in every mode.
  { name: 'an extra key nested 40 deep', auth: 'good', body: JSON.stringify({ ...payload, extra: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) as unknown }), status: 400, error: 'malformed_payload' },
  { name: 'an extra key nested 31 deep (32 with the payload)', auth: 'good', body: JSON.stringify({ ...payload, extra: JSON.parse(`${'['.repeat(31)}${']'.repeat(31)}`) as unknown }), status: 200 },
  { name: 'GET', method: 'GET', status: 405, error: 'method_not_allowed' },
  { name: 'PUT', method: 'PUT', auth: 'good', body: JSON.stringify(payload), status: 405, error: 'method_not_allowed' },
  { name: 'a body over the limit', auth: 'good', body: JSON.stringify({ ...payload, body: 'x'.repeat(LIMIT) }), status: 413, error: 'payload_too_large' },
  { name: 'a body over the limit, without a token', auth: 'none', body: 'x'.repeat(LIMIT + 1), status: 413, error: 'payload_too_large' },
  {
    name: 'send throws (with the secret and the token in its message)',
    auth: 'good',
    body: JSON.stringify(payload),
    sendThrows: (token) => new Error(`provider down; it said ${SECRET} and ${token}`),
    status: 500,
    error: 'handler_failed',
  },
];

interface Seen {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string | null>;
}

const seen = async (res: Response): Promise<Seen> => ({
  status: res.status,
  body: (await res.json()) as Record<string, unknown>,
  headers: Object.fromEntries(['content-type', 'allow', 'www-authenticate'].map((h) => [h, res.headers.get(h)])),
});

let server: GatewayServer;
let serverThrows: Error | undefined;
const serverMessages: Array<{ payload: GatewayPayload; meta: GatewayMessageMeta }> = [];
beforeAll(async () => {
  server = await startGatewayServer({
    verify,
    maxBodyBytes: LIMIT,
    onMessage: (p, meta) => {
      if (serverThrows) throw serverThrows;
      serverMessages.push({ payload: p, meta });
    },
  });
});
afterAll(() => server.close());

describe('createGatewayHandler and startGatewayServer answer alike', () => {
  it.each(cases)('$name → $status', async (c) => {
    const token = await bearer();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (c.auth === 'good') headers.authorization = token;
    else if (c.auth !== undefined && c.auth !== 'none') headers.authorization = c.auth;
    const init: RequestInit = { method: c.method ?? 'POST', headers, ...(c.body === undefined ? {} : { body: c.body }) };

    const sent: GatewayPayload[] = [];
    const handler = createGatewayHandler({ ...verify, maxBodyBytes: LIMIT }, (p) => {
      if (c.sendThrows) throw c.sendThrows(token);
      sent.push(p);
    });
    const direct = await seen(await handler(new Request('https://gateway.example.com/sms', init)));

    serverThrows = c.sendThrows?.(token);
    serverMessages.length = 0;
    const overHttp = await seen(await fetch(`${server.url}/sms`, init));
    serverThrows = undefined;

    expect(direct).toEqual(overHttp);
    expect(direct.status).toBe(c.status);
    expect(direct.headers['content-type']).toBe('application/json; charset=utf-8');
    if (c.status === 200) {
      expect(direct.body).toEqual({ ok: true });
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject(JSON.parse(c.body ?? '') as GatewayPayload);
      expect(serverMessages.map((m) => m.payload)).toEqual(sent);
    } else {
      expect(direct.body).toEqual({ ok: false, error: c.error, message: expect.any(String) as unknown });
      expect(sent).toEqual([]);
      expect(serverMessages).toEqual([]);
    }
    expect(direct.headers.allow).toBe(c.status === 405 ? 'POST' : null);
    // RFC 6750 §3.1: the error code only when the request carried a bearer credential.
    expect(direct.headers['www-authenticate']).toBe(c.status !== 401 ? null : c.error === 'missing_bearer' ? 'Bearer' : 'Bearer error="invalid_token"');
    // Never the secret or the token, whatever `send` put in its error.
    const text = JSON.stringify(direct.body);
    expect(text).not.toContain(SECRET);
    for (const segment of token.slice(7).split('.')) expect(text).not.toContain(segment);
    if (c.status === 500) expect(text).toContain('provider down');
  });
});

describe('createGatewayHandler', () => {
  const send = () => undefined;

  it.each<[string, unknown, unknown, string]>([
    ['no options', undefined, send, 'invalid_handler_options'],
    ['options without a secret (never open by omission)', { audience: 'urn:gw' }, send, 'empty_secret'],
    ['options without an audience', { secret: SECRET }, send, 'empty_audience'],
    ['empty options', {}, send, 'empty_audience'],
    ['allowUnauthenticated with a secret', { allowUnauthenticated: true, secret: SECRET }, send, 'invalid_handler_options'],
    ['allowUnauthenticated: "yes"', { allowUnauthenticated: 'yes' }, send, 'empty_audience'],
    ['a zero body limit', { ...verify, maxBodyBytes: 0 }, send, 'invalid_max_body_bytes'],
    ['a body limit whose toString is no function', { ...verify, maxBodyBytes: { toString: 0 } }, send, 'invalid_max_body_bytes'],
    ['no send function', verify, undefined, 'invalid_handler_options'],
  ])('refuses %s with GatewayConfigurationError', (_name, options, sendFn, code) => {
    let caught: unknown;
    try {
      createGatewayHandler(options as GatewayHandlerOptions, sendFn as typeof send);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayConfigurationError);
    expect((caught as GatewayConfigurationError).code).toBe(code);
  });

  it('accepts requests without a token only when asked to', async () => {
    const got: Array<GatewayHandlerMeta['claims']> = [];
    const handler = createGatewayHandler({ allowUnauthenticated: true }, (_p, meta) => void got.push(meta.claims));
    const res = await handler(new Request('http://localhost/', { method: 'POST', body: JSON.stringify(payload) }));
    expect(res.status).toBe(200);
    expect(got).toEqual([null]);
  });

  it('tells send what the gateway set, apart from the payload a caller controls', async () => {
    const calls: Array<{ payload: GatewayPayload; meta: GatewayHandlerMeta }> = [];
    const handler = createGatewayHandler(verify, async (p, meta) => {
      await Promise.resolve();
      calls.push({ payload: p, meta });
    });
    const hostile = { ...payload, receivedAt: 'yesterday', claims: { aud: 'forged' }, method: 'GET', path: '/forged', request: 'x' };
    const request = new Request('https://gw.example.com/hooks/sms?x=1', { method: 'POST', headers: { authorization: await bearer(), 'x-extra': 'yes' }, body: JSON.stringify(hostile) });
    const res = await handler(request);
    expect(res.status).toBe(200);
    const [call] = calls;
    expect(call?.payload).toMatchObject(hostile);
    expect(call?.meta.receivedAt).toBeInstanceOf(Date);
    expect(call?.meta).toMatchObject({ method: 'POST', path: '/hooks/sms', claims: { aud: 'urn:gw', sub: 'urn:Auth0' } });
    expect(call?.meta.request.headers.get('x-extra')).toBe('yes');
  });

  it('answers 500 when send rejects', async () => {
    const handler = createGatewayHandler(verify, () => Promise.reject(new Error('queue full')));
    const res = await handler(new Request('http://localhost/', { method: 'POST', headers: { authorization: await bearer() }, body: JSON.stringify(payload) }));
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'handler_failed', message: 'the message handler failed: queue full' });
  });

  it('a send error quoting a long recipient: cut to 300 characters, a token-shaped run inside it still hidden', async () => {
    const token = (await bearer()).slice('Bearer '.length);
    const handler = createGatewayHandler(verify, (p) => {
      throw new Error(`invalid 'To' number: ${p.recipient} (${token})`);
    });
    const long = 'a'.repeat(60_000);
    const res = await handler(new Request('http://localhost/', { method: 'POST', headers: { authorization: await bearer() }, body: JSON.stringify({ ...payload, recipient: long }) }));
    expect(res.status).toBe(500);
    const { message } = (await res.json()) as { message: string };
    expect(message).toBe(`the message handler failed: invalid 'To' number: ${'a'.repeat(297 - "invalid 'To' number: ".length)}...`);
    const short = createGatewayHandler(verify, () => {
      throw new Error(`upstream said x${token}y about it`);
    });
    const hidden = (await (await short(new Request('http://localhost/', { method: 'POST', headers: { authorization: await bearer() }, body: JSON.stringify(payload) }))).json()) as { message: string };
    expect(hidden.message).toBe('the message handler failed: upstream said [redacted] about it');
  });

  it('reads a streamed body chunk by chunk and stops at the limit', async () => {
    let pulls = 0;
    let cancelled = false;
    const chunk = new Uint8Array(300).fill(0x61);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        // An endless upload: only stopping early ends this request.
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    }, { highWaterMark: 0 });
    const handler = createGatewayHandler({ ...verify, maxBodyBytes: LIMIT }, send);
    const request = new Request('http://localhost/', { method: 'POST', headers: { authorization: await bearer() }, body, duplex: 'half' } as RequestInit);
    const res = await handler(request);
    expect(res.status).toBe(413);
    expect(cancelled).toBe(true);
    // The fourth chunk of 300 bytes passes 1024: no fifth is asked for.
    expect(pulls).toBe(4);
  });

  it('answers 413 from a declared Content-Length without reading the body', async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.close();
      },
    }, { highWaterMark: 0 });
    const handler = createGatewayHandler({ ...verify, maxBodyBytes: LIMIT }, send);
    const request = new Request('http://localhost/', { method: 'POST', headers: { 'content-length': String(LIMIT + 1) }, body, duplex: 'half' } as RequestInit);
    const res = await handler(request);
    expect(res.status).toBe(413);
    expect(pulls).toBe(0);
  });

  it('is reusable: many requests, one handler', async () => {
    let count = 0;
    const handler = createGatewayHandler(verify, () => void count++);
    const authorization = await bearer();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => handler(new Request('http://localhost/', { method: 'POST', headers: { authorization }, body: JSON.stringify(payload) }))),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(count).toBe(20);
  });
});

describe('createGatewayHandler, a message handler that fails', () => {
  it('withholds the message of a failure that quotes a secret too short to replace in place', async () => {
    const short = 'k3y';
    const token = `Bearer ${await signGatewayToken({ secret: short, audience: 'urn:gw' })}`;
    const handler = createGatewayHandler({ secret: short, audience: 'urn:gw' }, () => {
      throw new Error(`provider said: bad api key k3y`);
    });
    const res = await handler(new Request('https://gateway.example.com/sms', { method: 'POST', headers: { authorization: token }, body: JSON.stringify(payload) }));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain(short);
    expect(JSON.parse(text)).toMatchObject({ error: 'handler_failed', message: 'the message handler failed: its message is withheld because it contains the secret' });
    // Without the secret in it, the message is kept.
    const kept = createGatewayHandler({ secret: short, audience: 'urn:gw' }, () => {
      throw new Error('provider down');
    });
    const other = await kept(new Request('https://gateway.example.com/sms', { method: 'POST', headers: { authorization: token }, body: JSON.stringify(payload) }));
    expect(await other.json()).toMatchObject({ message: 'the message handler failed: provider down' });
  });
});
