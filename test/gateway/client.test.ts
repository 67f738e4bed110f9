import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CliError, ExitCode } from '../../src/core/errors.js';
import type { BearerSettings } from '../../src/core/bearer.js';
import { ACTION_WAIT, sendTestMessage, type GatewayClientSettings, type TestMessageResult } from '../../src/gateway/client.js';
import { ACTION_TEMPLATE } from '../../src/core/action-code.js';
import type { GatewayPayload } from '../../src/gateway/payload.js';
import { startGatewayServer, type GatewayServer } from '../../src/gateway/server.js';
import { verifyGatewayRequest } from '../../src/gateway/verify.js';

const RAW_SECRET = 'client-test-secret-0123456789-abcdef';
const B64_SECRET = Buffer.from('base64url key bytes \u00ff\u00fe\u00fd?>', 'latin1').toString('base64url');
const auth: BearerSettings = { secret: RAW_SECRET, secretBase64Encoded: false, subject: 'urn:Auth0', audience: 'urn:MySmsGateway' };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((close) => close()));
});

async function gateway(verify: BearerSettings | null): Promise<{ server: GatewayServer; messages: GatewayPayload[]; reasons: string[] }> {
  const messages: GatewayPayload[] = [];
  const reasons: string[] = [];
  const server = await startGatewayServer({
    verify,
    onMessage: (payload) => {
      messages.push(payload);
    },
    onRejected: (_status, reason) => reasons.push(reason),
  });
  cleanups.push(() => server.close());
  return { server, messages, reasons };
}

interface Captured {
  method: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A tiny server that records each request and answers with `status` (or never, with null). */
async function tinyServer(status: number | null, extraHeaders: Record<string, string> = {}): Promise<{ url: string; port: number; requests: Captured[] }> {
  const requests: Captured[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method, headers: req.headers, body });
      if (status === null) return; // never answers
      res.writeHead(status, extraHeaders);
      res.end(status === 204 || status === 304 ? undefined : `{"status":${status}}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/sms`, port, requests };
}

const settings = (gatewayUrl: string, overrides: Partial<GatewayClientSettings> = {}): GatewayClientSettings => ({
  gatewayUrl,
  authentication: auth,
  forwardReqInfo: false,
  from: '+1 234 567',
  template: 'Your verification code is: @@password@@',
  syntax: 'md_with_macros',
  ...overrides,
});

/** Neither the secret nor any token may appear anywhere in a result. */
function expectNoSecrets(result: TestMessageResult, ...secrets: string[]): void {
  const text = JSON.stringify(result);
  for (const secret of [RAW_SECRET, B64_SECRET, ...secrets]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
}

describe('sendTestMessage against startGatewayServer', () => {
  it.each([
    { name: 'raw secret', authentication: auth },
    { name: 'base64url secret', authentication: { ...auth, secret: B64_SECRET, secretBase64Encoded: true } },
    { name: 'no subject on either side', authentication: { subject: undefined, secret: RAW_SECRET, secretBase64Encoded: false, audience: 'urn:MySmsGateway' } },
  ])('succeeds with a $name', async ({ authentication }) => {
    const { server, messages } = await gateway(authentication);
    const result = await sendTestMessage(settings(`${server.url}/sms`, { authentication }), { to: '+1 399 999', code: '12345' });
    expect(result).toMatchObject({ status: 200, ok: true, auth0Error: null, hint: null, dryRun: false, url: `${server.url}/sms` });
    expect(result.ms).toBeGreaterThanOrEqual(0);
    expect(messages).toEqual([{ recipient: '+1 399 999', body: 'Your verification code is: 12345', sender: '+1 234 567' }]);
    expect(result.request.headers.authorization).toBe('Bearer [redacted]');
    expectNoSecrets(result);
  });

  it.each([
    { name: 'secret', client: { ...auth, secret: 'some-other-secret-value' }, reason: /bad signature/ },
    { name: 'audience', client: { ...auth, audience: 'urn:Wrong' }, reason: /wrong audience/ },
    { name: 'subject', client: { ...auth, subject: 'urn:NotAuth0' }, reason: /wrong subject/ },
    // The same text, read as base64url on one side only: the keys differ.
    { name: 'base64 encoding flag', client: { ...auth, secret: B64_SECRET, secretBase64Encoded: true }, gateway: { ...auth, secret: B64_SECRET }, reason: /secret_base64_encoded/ },
    { name: 'authentication (none sent)', client: null, reason: /missing bearer/ },
  ])('reports 401 the way Auth0 does when they disagree on the $name', async ({ client, gateway: gatewayAuth, reason }) => {
    const { server, messages, reasons } = await gateway(gatewayAuth ?? auth);
    const result = await sendTestMessage(settings(server.url, { authentication: client }), { to: '+15550100' });
    expect(result.status).toBe(401);
    expect(result.ok).toBe(false);
    expect(result.auth0Error).toBe('Authentication failed while calling the SMS gateway: 401');
    // The same client serves configure and phone-provider configure: the hint names both places the settings live.
    expect(result.hint).toMatch(
      client === null ? /configure gateway authentication/ : /secret, secret_base64_encoded, audience and subject must match those it was signed with \(the connection's gateway_authentication, or the phone provider's settings\)$/,
    );
    expect(result.responseBody).toMatch(reason);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(reason);
    expect(messages).toEqual([]);
    expectNoSecrets(result, 'some-other-secret-value');
  });
});

describe('sendTestMessage verdicts', () => {
  it.each([
    [201, 'Unexpected response while calling the SMS gateway: 201', /HTTP 200 only/],
    [202, 'Unexpected response while calling the SMS gateway: 202', /HTTP 200 only/],
    [204, 'Unexpected response while calling the SMS gateway: 204', /HTTP 200 only/],
    [302, 'Unexpected response while calling the SMS gateway: 302', /redirects/],
    [403, 'Unexpected response while calling the SMS gateway: 403', /logs/],
    [500, 'Unexpected response while calling the SMS gateway: 500', /logs/],
    [401, 'Authentication failed while calling the SMS gateway: 401', /secret/],
    [200, null, null],
  ] as const)('HTTP %i → %s', async (status, auth0Error, hint) => {
    const tiny = await tinyServer(status, status === 302 ? { location: 'http://127.0.0.1:9/elsewhere' } : {});
    const result = await sendTestMessage(settings(tiny.url), { to: '+15550100', code: '4242' });
    expect(result.status).toBe(status);
    expect(result.ok).toBe(status === 200);
    expect(result.auth0Error).toBe(auth0Error);
    if (hint === null) expect(result.hint).toBeNull();
    else expect(result.hint).toMatch(hint);
    // Redirects are reported, not followed.
    expect(tiny.requests).toHaveLength(1);
  });

  it('sends exactly what Auth0 sends', async () => {
    const tiny = await tinyServer(200);
    const now = new Date();
    const result = await sendTestMessage(settings(tiny.url), { to: '+1 399 999', code: '12345', now });
    const [req] = tiny.requests;
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual({ recipient: '+1 399 999', body: 'Your verification code is: 12345', sender: '+1 234 567' });
    // The key order of Auth0's example.
    expect(Object.keys(JSON.parse(req?.body ?? '') as object)).toEqual(['recipient', 'body', 'sender']);
    const authorization = req?.headers.authorization;
    expect(authorization).toMatch(/^Bearer eyJ/);
    await expect(verifyGatewayRequest({ authorization, body: req?.body }, { secret: RAW_SECRET, audience: 'urn:MySmsGateway', subject: 'urn:Auth0', now })).resolves.toBeDefined();
    expect(result.request).toEqual({
      method: 'POST',
      url: tiny.url,
      headers: { 'content-type': 'application/json', authorization: 'Bearer [redacted]' },
      body: { recipient: '+1 399 999', body: 'Your verification code is: 12345', sender: '+1 234 567' },
    });
    expectNoSecrets(result, (authorization ?? '').slice(7));
  });

  it('sends no Authorization header without authentication, and no sender without from', async () => {
    const tiny = await tinyServer(200);
    const result = await sendTestMessage(settings(tiny.url, { authentication: null, from: undefined, template: 'Code {{ code }}', syntax: 'liquid' }), { to: '+15550100', code: '777' });
    expect(tiny.requests[0]?.headers.authorization).toBeUndefined();
    expect(JSON.parse(tiny.requests[0]?.body ?? '')).toEqual({ recipient: '+15550100', body: 'Code 777' });
    expect(result.request.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('makes up a 6-digit code when none is given', async () => {
    const result = await sendTestMessage(settings('https://gateway.example.com/sms', { template: undefined }), { to: '+15550100', dryRun: true });
    expect(result.request.body.body).toMatch(/^Your verification code is: \d{6}$/);
  });

  it.each([
    { forwardReqInfo: true, options: { ip: '167.56.227.117', userAgent: 'Mozilla/5.0 test' }, req: { ip: '167.56.227.117', 'user-agent': 'Mozilla/5.0 test' } },
    { forwardReqInfo: true, options: {}, req: { ip: '203.0.113.10', 'user-agent': expect.stringContaining('auth0-sms-gateway') as unknown } },
    { forwardReqInfo: false, options: { ip: '167.56.227.117', userAgent: 'ignored' }, req: undefined },
  ])('forward_req_info $forwardReqInfo → req $req', async ({ forwardReqInfo, options, req }) => {
    const tiny = await tinyServer(200);
    const result = await sendTestMessage(settings(tiny.url, { forwardReqInfo }), { to: '+15550100', ...options });
    const sent = JSON.parse(tiny.requests[0]?.body ?? '') as Record<string, unknown>;
    if (req === undefined) {
      expect('req' in sent).toBe(false);
      expect('req' in result.request.body).toBe(false);
    } else {
      expect(sent.req).toEqual(req);
      expect(result.request.body.req).toEqual(req);
    }
  });

  it('times out like Auth0 against a gateway that never answers', async () => {
    const tiny = await tinyServer(null);
    const result = await sendTestMessage(settings(tiny.url), { to: '+15550100', timeoutMs: 200 });
    expect(result).toMatchObject({ status: null, ok: false, auth0Error: 'Timeout while calling the SMS gateway' });
    expect(result.hint).toMatch(/200 ms/);
    expect(result.ms).toBeGreaterThanOrEqual(150);
    expect(tiny.requests).toHaveLength(1);
    expectNoSecrets(result);
  });

  it('a 200 slower than the caller waits is that caller\'s timeout, named in the hint', async () => {
    const slow = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 120));
      return new Response('ok', { status: 200 });
    });
    const result = await sendTestMessage(settings('https://sms.example.com/send'), { to: '+15550100', timeoutMs: 1000, waitLimit: { ms: 50, who: 'the phone provider\'s Action' }, fetchImpl: slow });
    expect(result).toMatchObject({ status: 200, ok: false, auth0Error: 'Timeout while calling the SMS gateway' });
    expect(result.hint).toMatch(/^the gateway answered after \d+ ms; the phone provider's Action gives up after 50 ms$/);
  });

  it('the Action\'s wait is the one the Action\'s code has', () => {
    expect(ACTION_TEMPLATE).toContain(`const GATEWAY_TIMEOUT_MS = ${ACTION_WAIT.ms};`);
  });

  it('explains a refused connection', async () => {
    const tiny = await tinyServer(200);
    await cleanups.pop()?.(); // close it: nothing listens on the port any more
    const result = await sendTestMessage(settings(tiny.url), { to: '+15550100' });
    expect(result.status).toBeNull();
    expect(result.ok).toBe(false);
    expect(result.auth0Error).toBe(`Could not call the SMS gateway: connection refused by 127.0.0.1:${tiny.port}: nothing is listening there (ECONNREFUSED)`);
    expect(result.hint).toMatch(/start the gateway/);
    expectNoSecrets(result);
  });

  it('explains a connection reset by the gateway', async () => {
    const server = createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const result = await sendTestMessage(settings(`http://127.0.0.1:${port}/`), { to: '+15550100' });
    expect(result.auth0Error).toMatch(/^Could not call the SMS gateway: the connection to 127\.0\.0\.1:\d+ was reset before the gateway answered \((ECONNRESET|UND_ERR_SOCKET)\)$/);
  });

  it('explains https:// to a plain-HTTP port', async () => {
    const tiny = await tinyServer(200);
    const result = await sendTestMessage(settings(`https://127.0.0.1:${tiny.port}/`), { to: '+15550100' });
    expect(result.status).toBeNull();
    expect(result.auth0Error).toMatch(/TLS/);
    expectNoSecrets(result);
  });

  it.each([
    { name: 'DNS not found', cause: Object.assign(new Error('getaddrinfo ENOTFOUND sms.invalid'), { code: 'ENOTFOUND' }), message: /DNS lookup found no host named sms\.invalid \(ENOTFOUND\)/ },
    { name: 'self-signed certificate', cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), message: /TLS certificate problem .*DEPTH_ZERO_SELF_SIGNED_CERT/ },
    { name: 'expired certificate', cause: Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }), message: /TLS certificate problem .*CERT_HAS_EXPIRED/ },
    { name: 'incomplete chain', cause: Object.assign(new Error('unable to verify'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), message: /TLS certificate problem/ },
    { name: 'reset', cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), message: /was reset/ },
    { name: 'undici socket closed', cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), message: /was reset/ },
    { name: 'connect timeout', cause: Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), message: /timed out; Auth0 would report "Timeout while calling the SMS gateway"/ },
    {
      name: 'refused on every address (AggregateError)',
      cause: Object.assign(new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:443'), { code: 'ECONNREFUSED' })], ''), {}),
      message: /connection refused by sms\.invalid:443/,
    },
    { name: 'unknown', cause: new Error(`boom ${RAW_SECRET}`), message: /the request to sms\.invalid:443 failed: boom \[redacted\]/ },
  ])('explains $name', async ({ cause, message }) => {
    const fetchImpl = vi.fn(() => Promise.reject(new TypeError('fetch failed', { cause })));
    const result = await sendTestMessage(settings('https://sms.invalid/send'), { to: '+15550100', fetchImpl: fetchImpl as unknown as typeof fetch });
    expect(fetchImpl).toHaveBeenCalledOnce();
    expect(result.status).toBeNull();
    expect(result.auth0Error).toMatch(message);
    expect(result.hint).toBeTruthy();
    expectNoSecrets(result);
  });

  it('dry run sends nothing and shows the request with the token redacted', async () => {
    const tiny = await tinyServer(200);
    const fetchImpl = vi.fn(fetch);
    const result = await sendTestMessage(settings(tiny.url, { forwardReqInfo: true }), { to: '+15550100', code: '9', dryRun: true, fetchImpl });
    expect(fetchImpl).not.toHaveBeenCalled();
    expect(tiny.requests).toEqual([]);
    expect(result).toMatchObject({ status: null, ok: false, auth0Error: null, dryRun: true, ms: 0 });
    expect(result.request.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer [redacted]' });
    expect(result.request.body).toMatchObject({ recipient: '+15550100', body: 'Your verification code is: 9', sender: '+1 234 567' });
    expectNoSecrets(result);
  });

  it('keeps a gateway echoing the secret or token out of the result', async () => {
    const server = createServer((req, res) => {
      res.writeHead(400);
      res.end(`you sent ${req.headers.authorization ?? ''} and I know ${RAW_SECRET}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const result = await sendTestMessage(settings(`http://127.0.0.1:${port}/`), { to: '+15550100' });
    expect(result.status).toBe(400);
    expect(result.responseBody).toMatch(/^you sent Bearer \[redacted\] and I know \[redacted\]$/);
    expectNoSecrets(result);
  });

  it('hides a secret that straddles the 500-character cut whole, never a part of it', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(500);
      res.end(`${'x'.repeat(480)}${RAW_SECRET} end`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const result = await sendTestMessage(settings(`http://127.0.0.1:${port}/`), { to: '+15550100' });
    expect(result.responseBody).toBe(`${'x'.repeat(480)}[redacted] end`);
    expect(result.responseBody).not.toContain(RAW_SECRET.slice(0, 8));
  });

  it.each([
    ['ftp://gateway.example.com/', /http:\/\/ or https:\/\//],
    ['not a url', /not a valid URL/],
    ['https://user:pass@gateway.example.com/', /user name or password/],
  ])('refuses gateway URL %s as an input error', async (gatewayUrl, message) => {
    const error = await sendTestMessage(settings(gatewayUrl), { to: '+15550100', dryRun: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.input);
    expect((error as CliError).message).toMatch(message);
  });

  it('refuses an undecodable base64url secret before sending', async () => {
    const fetchImpl = vi.fn(fetch);
    const error = await sendTestMessage(settings('https://gateway.example.com/', { authentication: { ...auth, secret: 'a+b/c=', secretBase64Encoded: true } }), { to: '+1', fetchImpl }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).not.toContain('a+b/c=');
    expect(fetchImpl).not.toHaveBeenCalled();
  });
});
