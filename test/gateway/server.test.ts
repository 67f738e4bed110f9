import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/core/errors.js';
import { signGatewayToken } from '../../src/gateway/sign.js';
import type { GatewayPayload } from '../../src/gateway/payload.js';
import { startGatewayServer, type GatewayMessageMeta, type GatewayServer, type GatewayServerOptions } from '../../src/gateway/server.js';

const SECRET = 'server-test-secret-abcdefghijklmnop';
const verify = { secret: SECRET, audience: 'urn:gw', subject: 'urn:Auth0' };
const payload = { recipient: '+15550001', body: 'Your code is 1', sender: '' };

let servers: GatewayServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(options: Partial<GatewayServerOptions> = {}) {
  const messages: Array<{ payload: GatewayPayload; meta: GatewayMessageMeta }> = [];
  const rejected: Array<{ status: number; reason: string; code: string }> = [];
  const server = await startGatewayServer({
    verify,
    onMessage: (p, meta) => {
      messages.push({ payload: p, meta });
    },
    onRejected: (status, reason, meta) => rejected.push({ status, reason, code: meta.code }),
    ...options,
  });
  servers.push(server);
  return { server, messages, rejected };
}

const bearer = async (): Promise<string> => `Bearer ${await signGatewayToken({ ...verify, secretBase64Encoded: false })}`;

interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A request through node:http, chunked when `chunks` is given (no content-length). */
function rawRequest(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; chunks?: Buffer[] }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'POST', headers: init.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (init.chunks) {
      for (const chunk of init.chunks) req.write(chunk);
      req.end();
    } else {
      req.end(init.body);
    }
  });
}

describe('startGatewayServer', () => {
  it('listens on 127.0.0.1 with a free port and accepts a verified message', async () => {
    const { server, messages, rejected } = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    const res = await fetch(`${server.url}/sms`, { method: 'POST', headers: { authorization: await bearer(), 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(messages).toHaveLength(1);
    expect(messages[0]?.payload).toEqual(payload);
    expect(messages[0]?.meta.path).toBe('/sms');
    expect(messages[0]?.meta.claims).toMatchObject({ aud: 'urn:gw', sub: 'urn:Auth0' });
    expect(rejected).toEqual([]);
  });

  it.each([
    { name: 'no token', auth: false, body: JSON.stringify(payload), status: 401, code: 'missing_bearer' },
    { name: 'bad token', auth: 'Bearer a.b.c', body: JSON.stringify(payload), status: 401, code: 'malformed_token' },
    { name: 'bad JSON', auth: true, body: '{"recipient"', status: 400, code: 'malformed_payload' },
    { name: 'bad payload', auth: true, body: JSON.stringify({ body: 'x' }), status: 400, code: 'malformed_payload' },
  ])('$name → $status', async ({ auth, body, status, code }) => {
    const { server, messages, rejected } = await start();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth === true) headers.authorization = await bearer();
    else if (typeof auth === 'string') headers.authorization = auth;
    const res = await fetch(server.url, { method: 'POST', headers, body });
    expect(res.status).toBe(status);
    const answer = (await res.json()) as { ok: boolean; error: string; message: string };
    expect(answer).toMatchObject({ ok: false, error: code });
    if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    if (headers.authorization) expect(JSON.stringify(answer)).not.toContain(headers.authorization.slice(7));
    expect(JSON.stringify(answer)).not.toContain(SECRET);
    expect(messages).toEqual([]);
    expect(rejected).toEqual([{ status, reason: answer.message, code }]);
  });

  it('405 on GET, naming POST', async () => {
    const { server, rejected } = await start();
    const res = await fetch(server.url);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toMatchObject({ ok: false, error: 'method_not_allowed' });
    expect(rejected[0]?.status).toBe(405);
  });

  it('413 on a large body with content-length, before reading it', async () => {
    const { server, messages } = await start({ maxBodyBytes: 1024 });
    const body = JSON.stringify({ ...payload, body: 'x'.repeat(200_000) });
    const res = await rawRequest(server.url, { headers: { authorization: await bearer(), 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, body });
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: 'payload_too_large' });
    expect(messages).toEqual([]);
  });

  it('413 through fetch for a 5 MB body: the client gets the answer, not a reset', async () => {
    const { server } = await start({ maxBodyBytes: 1024 });
    const res = await fetch(server.url, { method: 'POST', headers: { authorization: await bearer() }, body: 'x'.repeat(5_000_000) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('413 on a large chunked body, counting as it reads', async () => {
    const { server, rejected } = await start({ maxBodyBytes: 1024 });
    const res = await rawRequest(server.url, { headers: { authorization: await bearer() }, chunks: [Buffer.alloc(600, 'a'), Buffer.alloc(600, 'b')] });
    expect(res.status).toBe(413);
    expect(rejected.map((r) => r.code)).toEqual(['payload_too_large']);
  });

  it('a body exactly at the limit is read', async () => {
    const body = JSON.stringify(payload);
    const { server } = await start({ maxBodyBytes: Buffer.byteLength(body) });
    const res = await rawRequest(server.url, { headers: { authorization: await bearer() }, body });
    expect(res.status).toBe(200);
  });

  it('runs without authentication when verify is null', async () => {
    const { server, messages } = await start({ verify: null });
    const res = await fetch(server.url, { method: 'POST', body: JSON.stringify(payload) });
    expect(res.status).toBe(200);
    expect(messages[0]?.meta.claims).toBeNull();
  });

  it('answers 500 when the message handler throws', async () => {
    const { server } = await start({
      onMessage: () => {
        throw new Error('provider down');
      },
    });
    const res = await fetch(server.url, { method: 'POST', headers: { authorization: await bearer() }, body: JSON.stringify(payload) });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'handler_failed', message: expect.stringContaining('provider down') as unknown });
  });

  it('answers 500 when the message handler rejects, and 200 only once an async one has resolved', async () => {
    let release: () => void = () => undefined;
    let delivered = false;
    const slow = await start({
      onMessage: () =>
        new Promise<void>((resolve) => {
          release = () => {
            delivered = true;
            resolve();
          };
        }),
    });
    const answer = fetch(slow.server.url, { method: 'POST', headers: { authorization: await bearer() }, body: JSON.stringify(payload) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(delivered).toBe(false);
    release();
    const ok = await answer;
    expect(ok.status).toBe(200);
    expect(delivered).toBe(true);

    const failing = await start({ onMessage: () => Promise.reject(new Error('queue full')) });
    const res = await fetch(failing.server.url, { method: 'POST', headers: { authorization: await bearer() }, body: JSON.stringify(payload) });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ ok: false, error: 'handler_failed', message: 'the message handler failed: queue full' });
    expect(failing.rejected).toEqual([{ status: 500, reason: 'the message handler failed: queue full', code: 'handler_failed' }]);
  });

  it('refuses an undecodable base64url secret at start', async () => {
    await expect(startGatewayServer({ verify: { ...verify, secret: 'not+base64/', secretBase64Encoded: true } })).rejects.toThrow(/base64url/);
  });

  it('reports a port in use', async () => {
    const { server } = await start();
    await expect(startGatewayServer({ verify, port: server.port })).rejects.toThrow(/in use/);
  });

  // No clock in these two. A close() that waited for the connection would not resolve within the
  // test's timeout (the keep-alive lasts 5 s; Node stops checking request timeouts once the server
  // closes, so a stuck request would hold it for good), and a connection closed by a timeout
  // rather than by close() leaves traces (a 408, a report) asserted absent here.
  it('close() drops an idle keep-alive connection at once', async () => {
    const { server, messages } = await start();
    // A plain socket, not an http.Agent: Node 22's and 24's agent destroy a pooled socket as soon
    // as it reads anything, so neither the server's clean end nor a reset would show through it.
    const socket = connect(server.port, '127.0.0.1');
    const errors: string[] = [];
    socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    let answer = '';
    socket.setEncoding('latin1');
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const body = JSON.stringify(payload);
      const answered = new Promise<void>((resolve) => {
        socket.on('data', (chunk: string) => {
          answer += chunk;
          const head = answer.indexOf('\r\n\r\n');
          const length = /\r\ncontent-length: (\d+)\r\n/i.exec(answer)?.[1];
          if (head !== -1 && length !== undefined && answer.length >= head + 4 + Number(length)) resolve();
        });
      });
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nAuthorization: ${await bearer()}\r\n\r\n${body}`);
      await answered;
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      // The server promised to keep the idle connection for 5 s: waiting for that would time this test out.
      expect(answer).toMatch(/\r\nkeep-alive: timeout=5\r\n/i);
      expect(answer).not.toMatch(/\r\nconnection: close\r\n/i);
      expect(messages).toHaveLength(1);
      // The connection is now idle, held open by keep-alive; only the server can end it.
      const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
      const closed = new Promise<boolean>((resolve) => socket.once('close', (hadError: boolean) => resolve(hadError)));
      await server.close();
      await ended;
      // Ended cleanly (a reset would be ECONNRESET), and nothing more was said on it.
      expect({ hadError: await closed, errors }).toEqual({ hadError: false, errors: [] });
      expect(answer).toMatch(/^HTTP\/1\.1 200 [^]*\}$/);
      // A second close is harmless.
      await server.close();
    } finally {
      socket.destroy();
    }
  }, 3_000);

  it('close() drops a client stuck mid-request, without waiting for its request timeout', async () => {
    const { server, messages, rejected } = await start();
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      // Headers promise 100 bytes; only 10 arrive. server.close() alone would wait for this request.
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Length: 100\r\nAuthorization: ${await bearer()}\r\n\r\n0123456789`);
      // Let the server read the headers, so that the request is in progress when close() is called.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await server.close();
      await closed;
      // Closed by close(), without an answer: not by a request timeout, which answers 408 and reports it.
      expect(answer).toBe('');
      expect(rejected).toEqual([]);
      expect(messages).toEqual([]);
    } finally {
      socket.destroy();
    }
  }, 3_000);
});

/** Connects, writes `text`, and resolves once the server closes the socket, with all it answered. */
function stall(port: number, text: string): Promise<{ answer: string; closed: true }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(text));
    // Only the server can close it: the client never ends the request.
    socket.on('close', () => resolve({ answer, closed: true }));
  });
}

describe('startGatewayServer timeouts', () => {
  // Node checks these timeouts only every connectionsCheckingInterval (30 s by default): without
  // the server's shorter interval these tests would hit the 5 s test timeout instead.
  const timeouts = { headersTimeoutMs: 300, requestTimeoutMs: 600 };

  it('closes a connection whose headers do not arrive, with a 408 it reports', async () => {
    const { server, rejected, messages } = await start(timeouts);
    const { answer } = await stall(server.port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: appl');
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ ok: false, error: 'request_timeout' });
    expect(rejected).toEqual([{ status: 408, reason: expect.stringContaining('headers within 300 ms') as unknown, code: 'request_timeout' }]);
    expect(messages).toEqual([]);
  }, 5_000);

  it('closes a connection whose body stops short, with a 408 it reports', async () => {
    const { server, rejected, messages } = await start(timeouts);
    const { answer } = await stall(server.port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nAuthorization: ${await bearer()}\r\n\r\n{"recipient":`);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(rejected.map((r) => r.code)).toEqual(['request_timeout']);
    expect(messages).toEqual([]);
  }, 5_000);

  it('answers a timeout after an earlier request on the same keep-alive connection', async () => {
    const { server, rejected, messages } = await start(timeouts);
    const body = JSON.stringify(payload);
    const first = `POST / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Length: ${Buffer.byteLength(body)}\r\nAuthorization: ${await bearer()}\r\n\r\n${body}`;
    const { answer } = await stall(server.port, `${first}POST / HTTP/1.1\r\nHost: x\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\{"ok":true\}HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(messages).toHaveLength(1);
    expect(rejected.map((r) => r.code)).toEqual(['request_timeout']);
  }, 5_000);

  it('answers a parse error with JSON and closes', async () => {
    const { server, rejected } = await start(timeouts);
    const { answer } = await stall(server.port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(rejected.map((r) => [r.status, r.code])).toEqual([[400, 'bad_request']]);
  }, 5_000);

  it('keeps serving other clients after a timeout', async () => {
    const { server, messages } = await start(timeouts);
    await stall(server.port, 'POST / HTTP/1.1\r\n');
    const res = await fetch(server.url, { method: 'POST', headers: { authorization: await bearer() }, body: JSON.stringify(payload) });
    expect(res.status).toBe(200);
    expect(messages).toHaveLength(1);
  }, 5_000);

  it.each([
    [{ headersTimeoutMs: 0 }, /headersTimeoutMs must be a positive/],
    [{ requestTimeoutMs: 1.5 }, /requestTimeoutMs must be a positive/],
    [{ headersTimeoutMs: 2000, requestTimeoutMs: 1000 }, /must not exceed requestTimeoutMs/],
  ])('refuses %j as an input error', async (options, message) => {
    const error = await startGatewayServer({ verify, ...options }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.input);
    expect((error as Error).message).toMatch(message);
  });
});

describe('startGatewayServer reports', () => {
  it('meta set by the server, whatever the payload holds', async () => {
    const { server, messages } = await start();
    const hostile = { ...payload, receivedAt: '1970-01-01', remoteAddress: '6.6.6.6', claims: { aud: 'forged' }, method: 'GET', path: '/forged' };
    const res = await fetch(`${server.url}/sms?x=1`, { method: 'POST', headers: { authorization: await bearer() }, body: JSON.stringify(hostile) });
    expect(res.status).toBe(200);
    const [message] = messages;
    expect(message?.payload).toMatchObject(hostile);
    expect(message?.meta.receivedAt).toBeInstanceOf(Date);
    expect(message?.meta).toMatchObject({ method: 'POST', path: '/sms', remoteAddress: '127.0.0.1', claims: { aud: 'urn:gw', sub: 'urn:Auth0' } });
  });

  it('a repeated Authorization header as a 401, even when its first value is valid, as createGatewayHandler does', async () => {
    const { server, messages, rejected } = await start();
    const body = JSON.stringify(payload);
    const auth = await bearer();
    const { answer } = await stall(server.port, `POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\nAuthorization: ${auth}\r\nauthorization: Bearer garbage\r\n\r\n${body}`);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toMatch(/\r\nwww-authenticate: Bearer\r\n/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: 'missing_bearer', message: expect.stringContaining('more than once') as unknown });
    expect(rejected.map((r) => r.code)).toEqual(['missing_bearer']);
    expect(messages).toEqual([]);
    // The same header once is accepted: the refusal is the repetition.
    const once = await stall(server.port, `POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\nAUTHORIZATION: ${auth}\r\n\r\n${body}`);
    expect(once.answer).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('an empty audience or a bad body limit as input errors', async () => {
    for (const options of [{ verify: { ...verify, audience: '' } }, { verify, maxBodyBytes: -1 }, { verify: { ...verify, secret: '' } }]) {
      const error = await startGatewayServer(options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(ExitCode.input);
    }
  });
});
