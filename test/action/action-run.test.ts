import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_SECRET_NAME, ACTION_TEMPLATE, renderActionCode, type ActionSettings } from '../../src/core/action-code.js';
import type { GatewayPayload } from '../../src/gateway/payload.js';
import { startGatewayServer, type GatewayMessageMeta, type GatewayServer, type GatewayServerOptions } from '../../src/gateway/server.js';
import { verifyGatewayRequest } from '../../src/gateway/verify.js';
import { GatewayVerificationError } from '../../src/gateway/errors.js';
import {
  CODE,
  IP,
  RECIPIENT,
  SENDER,
  TEXT,
  USER_AGENT,
  closedPortUrl,
  makeEvent,
  runAction,
  startStub,
  visibleText,
  type ActionRun,
  type StubServer,
} from './helpers.js';

const SECRET = 'correct horse battery staple, but longer: 7f3a9c';
const AUDIENCE = 'urn:acme-sms-gateway';
const SUBJECT = 'urn:Auth0';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

interface Received {
  payload: GatewayPayload;
  meta: GatewayMessageMeta;
}

async function gateway(verify: GatewayServerOptions['verify'], onMessage?: GatewayServerOptions['onMessage']): Promise<{ server: GatewayServer; received: Received[]; rejected: number[] }> {
  const received: Received[] = [];
  const rejected: number[] = [];
  const server = await startGatewayServer({
    verify,
    onMessage: async (payload, meta) => {
      received.push({ payload, meta });
      await onMessage?.(payload, meta);
    },
    onRejected: (status) => rejected.push(status),
  });
  closers.push(() => server.close());
  return { server, received, rejected };
}

async function stub(answer: Parameters<typeof startStub>[0]): Promise<StubServer> {
  const server = await startStub(answer);
  closers.push(() => server.close());
  return server;
}

function bearer(url: string, extra: Partial<ActionSettings> = {}): ActionSettings {
  return { gateway_url: url, authentication: 'bearer', subject: SUBJECT, audience: AUDIENCE, forward_req_info: false, ...extra };
}

function tokenOf(run: ActionRun): string {
  const authorization = run.requests[0]?.headers.authorization ?? '';
  return authorization.replace(/^Bearer /, '');
}

/** Nothing a person can read (log lines, drop/retry reasons) holds the code, text, number, secret or token. */
function expectNoLeak(run: ActionRun, secrets: string[]): void {
  const token = tokenOf(run);
  const forbidden = [CODE, TEXT, RECIPIENT, ...secrets, ...(token === '' ? [] : [token, token.split('.')[2] ?? token])];
  for (const line of visibleText(run)) {
    for (const value of forbidden) expect(line, `"${line}" leaks a value`).not.toContain(value);
    expect(line.length).toBeLessThanOrEqual(1024);
  }
}

function decodeSegment(token: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('the rendered Action against the reference gateway', () => {
  it('bearer, raw secret: sends exactly { recipient, body, sender } with an HS256 JWT the gateway verifies', async () => {
    const { server, received, rejected } = await gateway({ secret: SECRET, audience: AUDIENCE, subject: SUBJECT });
    const code = renderActionCode(bearer(`${server.url}/sms`));
    const run = await runAction(code, makeEvent({ secrets: { [ACTION_SECRET_NAME]: SECRET } }));

    expect(run.calls).toEqual([]);
    expect(rejected).toEqual([]);
    expect(received).toHaveLength(1);
    expect(received[0]?.payload).toStrictEqual({ recipient: RECIPIENT, body: TEXT, sender: SENDER });
    expect(received[0]?.meta.path).toBe('/sms');

    // The raw request, as it left the Action.
    expect(run.requests).toHaveLength(1);
    const request = run.requests[0]!;
    expect(request.url).toBe(`${server.url}/sms`);
    expect(request.method).toBe('POST');
    expect(request.redirect).toBe('manual');
    expect(request.hasSignal).toBe(true);
    expect(request.headers['content-type']).toBe('application/json');
    expect(Object.keys(request.headers).sort()).toEqual(['authorization', 'content-type']);
    expect(typeof request.body).toBe('string');
    const body = JSON.parse(request.body as string) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['recipient', 'body', 'sender']);
    expect(body).toEqual({ recipient: RECIPIENT, body: TEXT, sender: SENDER });

    // The token, checked by the library gateway authors use, and taken apart by hand.
    const authorization = request.headers.authorization;
    expect(authorization).toMatch(/^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    await expect(verifyGatewayRequest({ authorization, body: request.body }, { secret: SECRET, audience: AUDIENCE, subject: SUBJECT })).resolves.toStrictEqual({
      recipient: RECIPIENT,
      body: TEXT,
      sender: SENDER,
    });
    const token = tokenOf(run);
    expect(decodeSegment(token, 0)).toStrictEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeSegment(token, 1);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'sub']);
    expect(claims.sub).toBe(SUBJECT);
    expect(claims.aud).toBe(AUDIENCE);
    expect(Number.isInteger(claims.iat)).toBe(true);
    expect((claims.exp as number) - (claims.iat as number)).toBe(60);
    expect(received[0]?.meta.claims).toMatchObject({ sub: SUBJECT, aud: AUDIENCE });

    // Another secret or audience does not verify: the signature and claims mean something.
    await expect(verifyGatewayRequest({ authorization, body: request.body }, { secret: `${SECRET}x`, audience: AUDIENCE })).rejects.toMatchObject({ code: 'bad_signature' });
    await expect(verifyGatewayRequest({ authorization, body: request.body }, { secret: SECRET, audience: 'urn:other' })).rejects.toMatchObject({ code: 'wrong_audience' });

    expect(run.required.sort()).toEqual(['node:buffer', 'node:crypto']);
    expect(run.logs).toHaveLength(1);
    expect(run.logs[0]).toMatch(/HTTP 200 in \d+ ms/);
    expectNoLeak(run, [SECRET]);
  });

  it('bearer, base64url secret: signs with the decoded bytes, as Auth0 does with secret_base64_encoded', async () => {
    const secret = randomBytes(32).toString('base64url');
    const { server, received, rejected } = await gateway({ secret, secretBase64Encoded: true, audience: AUDIENCE, subject: SUBJECT });
    const code = renderActionCode(bearer(server.url, { secret_base64_encoded: true }));
    const run = await runAction(code, makeEvent({ secrets: { [ACTION_SECRET_NAME]: secret } }));

    expect(run.calls).toEqual([]);
    expect(rejected).toEqual([]);
    expect(received).toHaveLength(1);
    const request = run.requests[0]!;
    await expect(verifyGatewayRequest({ authorization: request.headers.authorization, body: request.body }, { secret, secretBase64Encoded: true, audience: AUDIENCE, subject: SUBJECT })).resolves.toMatchObject({
      recipient: RECIPIENT,
    });
    // The text of the secret is not the key.
    await expect(verifyGatewayRequest({ authorization: request.headers.authorization, body: request.body }, { secret, secretBase64Encoded: false, audience: AUDIENCE })).rejects.toBeInstanceOf(
      GatewayVerificationError,
    );
    expectNoLeak(run, [secret, Buffer.from(secret, 'base64url').toString('hex')]);
  });

  it('bearer, padded base64url secret and no subject: verifies, and the token has no sub', async () => {
    const secret = `${randomBytes(32).toString('base64url')}=`; // 32 bytes: 43 characters, one '=' pads to 44
    const { server, received } = await gateway({ secret, secretBase64Encoded: true, audience: AUDIENCE });
    const settings: ActionSettings = { gateway_url: server.url, authentication: 'bearer', audience: AUDIENCE, secret_base64_encoded: true, forward_req_info: false };
    const run = await runAction(renderActionCode(settings), makeEvent({ secrets: { [ACTION_SECRET_NAME]: secret } }));
    expect(run.calls).toEqual([]);
    expect(received).toHaveLength(1);
    expect(Object.keys(decodeSegment(tokenOf(run), 1)).sort()).toEqual(['aud', 'exp', 'iat']);
  });

  it('forward_req_info: adds req { ip, "user-agent" } remapped from event.request, nothing more of it', async () => {
    const { server, received } = await gateway({ secret: SECRET, audience: AUDIENCE, subject: SUBJECT });
    const run = await runAction(renderActionCode(bearer(server.url, { forward_req_info: true })), makeEvent({ secrets: { [ACTION_SECRET_NAME]: SECRET } }));
    expect(run.calls).toEqual([]);
    expect(received[0]?.payload).toStrictEqual({ recipient: RECIPIENT, body: TEXT, sender: SENDER, req: { ip: IP, 'user-agent': USER_AGENT } });
    const body = JSON.parse(run.requests[0]?.body as string) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['recipient', 'body', 'sender', 'req']);
    expect(body.req).toStrictEqual({ ip: IP, 'user-agent': USER_AGENT });
    expectNoLeak(run, [SECRET]);
  });

  it('forward_req_info without a User-Agent: "user-agent" is an empty string, not missing', async () => {
    const { server, received } = await gateway(null);
    const settings: ActionSettings = { gateway_url: server.url, authentication: 'none', forward_req_info: true };
    const event = makeEvent();
    delete event.request.user_agent;
    const run = await runAction(renderActionCode(settings), event);
    expect(run.calls).toEqual([]);
    expect(JSON.parse(run.requests[0]?.body as string)).toStrictEqual({ recipient: RECIPIENT, body: TEXT, sender: SENDER, req: { ip: IP, 'user-agent': '' } });
    expect(received).toHaveLength(1);
  });

  it('authentication none: no authorization header; no sender key when Auth0 has no sender', async () => {
    const { server, received } = await gateway(null);
    const settings: ActionSettings = { gateway_url: server.url, authentication: 'none', forward_req_info: false };
    // A secret left over in the Action must not turn into a token.
    const withoutFrom = makeEvent({ secrets: { [ACTION_SECRET_NAME]: SECRET } });
    delete withoutFrom.notification.from;
    const emptyFrom = makeEvent({ notification: { from: '' } });
    for (const event of [withoutFrom, emptyFrom]) {
      const run = await runAction(renderActionCode(settings), event);
      expect(run.calls).toEqual([]);
      expect(run.requests[0]?.headers).toStrictEqual({ 'content-type': 'application/json' });
      const body = JSON.parse(run.requests[0]?.body as string) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['recipient', 'body']);
      expectNoLeak(run, [SECRET]);
    }
    expect(received.map((message) => message.payload)).toStrictEqual([
      { recipient: RECIPIENT, body: TEXT, sender: '' },
      { recipient: RECIPIENT, body: TEXT, sender: '' },
    ]);
  });

  it('forwards every message type (MFA enrolment, notices), not only Passwordless codes', async () => {
    const { server, received } = await gateway(null);
    const code = renderActionCode({ gateway_url: server.url, authentication: 'none', forward_req_info: false });
    for (const message_type of ['otp_enroll', 'blocked_account', 'change_password', 'password_breach'] as const) {
      const run = await runAction(code, makeEvent({ notification: { message_type, as_text: `notice ${message_type}` } }));
      expect(run.calls).toEqual([]);
    }
    expect(received.map((message) => message.payload.body)).toEqual(['notice otp_enroll', 'notice blocked_account', 'notice change_password', 'notice password_breach']);
  });
});

describe('failures: retry what may succeed later, drop what cannot', () => {
  it('HTTP 500 → retry', async () => {
    const { server, received } = await gateway({ secret: SECRET, audience: AUDIENCE, subject: SUBJECT }, () => {
      throw new Error('carrier down');
    });
    const run = await runAction(renderActionCode(bearer(server.url)), makeEvent({ secrets: { [ACTION_SECRET_NAME]: SECRET } }));
    expect(received).toHaveLength(1);
    expect(run.drops).toEqual([]);
    expect(run.retries).toHaveLength(1);
    expect(run.retries[0]).toMatch(/HTTP 500, not 200/);
    expect(run.logs.join('\n')).toMatch(/HTTP 500/);
    expectNoLeak(run, [SECRET]);
  });

  it.each([
    [201, '{"queued":true}'],
    [204, ''],
  ])('HTTP %i → retry: only 200 counts as delivered', async (status, body) => {
    const server = await stub((_req, res) => res.writeHead(status, body === '' ? {} : { 'content-type': 'application/json' }).end(body));
    const run = await runAction(renderActionCode(bearer(server.url)), makeEvent({ secrets: { [ACTION_SECRET_NAME]: SECRET } }));
    expect(server.received).toHaveLength(1);
    expect(run.drops).toEqual([]);
    expect(run.retries).toHaveLength(1);
    expect(run.retries[0]).toMatch(new RegExp(`HTTP ${status}; only 200 counts as delivered`));
    expectNoLeak(run, [SECRET]);
  });

  it('HTTP 401 from the gateway (another secret) → retry, naming the secret to check', async () => {
    const { server, rejected } = await gateway({ secret: SECRET, audience: AUDIENCE, subject: SUBJECT });
    const wrong = `${SECRET}-old`;
    const run = await runAction(renderActionCode(bearer(server.url)), makeEvent({ secrets: { [ACTION_SECRET_NAME]: wrong } }));
    expect(rejected).toEqual([401]);
    expect(run.retries).toHaveLength(1);
    expect(run.retries[0]).toMatch(/HTTP 401/);
    expect(run.retries[0]).toContain(ACTION_SECRET_NAME);
    expectNoLeak(run, [SECRET, wrong]);
  });

  it('a redirect → retry, and it is not followed (the token would go to another address)', async () => {
    const { server: target, received } = await gateway(null);
    const redirector = await stub((_req, res) => res.writeHead(307, { location: `${target.url}/sms` }).end());
    const run = await runAction(renderActionCode(bearer(redirector.url)), makeEvent({ secrets: { [ACTION_SECRET_NAME]: SECRET } }));
    expect(redirector.received).toHaveLength(1);
    expect(received).toHaveLength(0);
    expect(run.retries).toHaveLength(1);
    expect(run.retries[0]).toMatch(/HTTP 307, a redirect, which is not followed/);
    expectNoLeak(run, [SECRET]);
  });

  it('connection refused → retry, with the error code', async () => {
    const url = await closedPortUrl();
    const run = await runAction(renderActionCode(bearer(url)), makeEvent({ secrets: { [ACTION_SECRET_NAME]: SECRET } }));
    expect(run.requests).toHaveLength(1);
    expect(run.drops).toEqual([]);
    expect(run.retries).toHaveLength(1);
    expect(run.retries[0]).toMatch(/could not reach the SMS gateway at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    // The origin only: the path (which could hold a credential) stays out of the reason.
    expect(run.retries[0]).not.toContain('/sms');
    expectNoLeak(run, [SECRET]);
  });

  it('no answer → retry after AbortSignal.timeout(15000), one attempt only', async () => {
    const timeouts: number[] = [];
    let abortNow: (() => void) | undefined;
    // Answers nothing; when the request has arrived, the fake timeout fires.
    const silent = await stub(() => abortNow?.());
    const FakeAbortSignal = {
      timeout(ms: number): AbortSignal {
        timeouts.push(ms);
        const controller = new AbortController();
        abortNow = () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
        return controller.signal;
      },
    };
    const run = await runAction(renderActionCode(bearer(silent.url)), makeEvent({ secrets: { [ACTION_SECRET_NAME]: SECRET } }), { AbortSignal: FakeAbortSignal });
    expect(timeouts).toEqual([15000]);
    expect(silent.received).toHaveLength(1);
    expect(run.requests).toHaveLength(1);
    expect(run.drops).toEqual([]);
    expect(run.retries).toHaveLength(1);
    expect(run.retries[0]).toMatch(/did not answer within 15 s/);
    expect(run.logs.join('\n')).toMatch(/no answer from the gateway/);
    expectNoLeak(run, [SECRET]);
  });

  it('a voice notification → drop, and nothing is sent', async () => {
    const { server, received } = await gateway(null);
    const run = await runAction(renderActionCode({ gateway_url: server.url, authentication: 'none', forward_req_info: false }), makeEvent({ notification: { delivery_method: 'voice' } }));
    expect(run.requests).toEqual([]);
    expect(received).toEqual([]);
    expect(run.retries).toEqual([]);
    expect(run.drops).toHaveLength(1);
    expect(run.drops[0]).toMatch(/this gateway delivers text messages only/);
    expectNoLeak(run, []);
  });

  it('another delivery method → drop too; none given → sent as text', async () => {
    const { server, received } = await gateway(null);
    const code = renderActionCode({ gateway_url: server.url, authentication: 'none', forward_req_info: false });
    const other = makeEvent();
    (other.notification as Record<string, unknown>).delivery_method = 'whatsapp';
    const dropped = await runAction(code, other);
    expect(dropped.drops[0]).toMatch(/text messages only/);
    expect(dropped.drops[0]).not.toContain('whatsapp');
    const absent = makeEvent();
    delete (absent.notification as Record<string, unknown>).delivery_method;
    const sent = await runAction(code, absent);
    expect(sent.calls).toEqual([]);
    expect(received).toHaveLength(1);
  });

  it('bearer with the Action secret missing or empty → drop, and nothing is sent', async () => {
    const { server, received } = await gateway({ secret: SECRET, audience: AUDIENCE, subject: SUBJECT });
    const code = renderActionCode(bearer(server.url));
    for (const secrets of [{}, { [ACTION_SECRET_NAME]: '' }, { OTHER_SECRET: SECRET }]) {
      const run = await runAction(code, makeEvent({ secrets }));
      expect(run.requests).toEqual([]);
      expect(run.retries).toEqual([]);
      expect(run.drops).toHaveLength(1);
      expect(run.drops[0]).toMatch(new RegExp(`Action secret ${ACTION_SECRET_NAME} is missing or empty`));
      expectNoLeak(run, [SECRET]);
    }
    expect(received).toEqual([]);
  });

  it('secret_base64_encoded with a secret that is not base64url → drop, without quoting it', async () => {
    const notBase64url = 'abc+/def==xyz';
    const run = await runAction(renderActionCode(bearer('http://127.0.0.1:9/sms', { secret_base64_encoded: true })), makeEvent({ secrets: { [ACTION_SECRET_NAME]: notBase64url } }));
    expect(run.requests).toEqual([]);
    expect(run.drops).toHaveLength(1);
    expect(run.drops[0]).toMatch(/not base64url/);
    expectNoLeak(run, [notBase64url]);
  });

  it('the template without its settings block, or with broken settings → drop', async () => {
    const broken = renderActionCode({ gateway_url: 'https://sms.example.com/send', authentication: 'none', forward_req_info: false }).replace('"authentication": "none"', '"authentication": "basic"');
    for (const code of [ACTION_TEMPLATE, broken]) {
      const run = await runAction(code, makeEvent());
      expect(run.requests).toEqual([]);
      expect(run.drops).toHaveLength(1);
      expect(run.drops[0]).toMatch(/SETTINGS block of this Action is missing or invalid/);
    }
  });

  it('an unexpected error → retry naming only its type, never its message', async () => {
    const { server } = await gateway(null);
    const event = makeEvent();
    Object.defineProperty(event.notification, 'recipient', {
      get() {
        throw new TypeError(`cannot read ${RECIPIENT} ${CODE} ${SECRET}`);
      },
    });
    const run = await runAction(renderActionCode({ gateway_url: server.url, authentication: 'none', forward_req_info: false }), event);
    expect(run.requests).toEqual([]);
    expect(run.retries).toEqual(['auth0-sms-gateway: unexpected TypeError in the Action; Auth0 will retry the message']);
    expectNoLeak(run, [SECRET]);
  });

  it('calls drop or retry at most once per run (Auth0 keeps only the last call)', async () => {
    const { server } = await gateway(null, () => {
      throw new Error('down');
    });
    const run = await runAction(renderActionCode({ gateway_url: server.url, authentication: 'none', forward_req_info: false }), makeEvent());
    expect(run.calls).toHaveLength(1);
    expect(run.calls[0]?.kind).toBe('retry');
  });
});
