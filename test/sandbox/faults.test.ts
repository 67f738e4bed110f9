import { describe, expect, it, vi } from 'vitest';
import { SEED_IDS, seedConnections, type SandboxConnection } from '../../src/sandbox/index.js';
import { startTestSandbox, useSandbox } from '../helpers/sandbox.js';
import { ALL_SCOPES, api, call } from './http.js';

const TOO_MANY = { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' };

describe('rate limit', () => {
  const sandbox = useSandbox();

  it('puts x-ratelimit-* on every /api/v2 response, errors included, and none on /oauth/token', async () => {
    const responses = [
      await api(sandbox(), 'GET', '/connections'),
      await api(sandbox(), 'GET', '/connections/con_Missing000000000'),
      await call(sandbox(), 'GET', '/api/v2/connections'),
    ];
    responses.forEach((response, index) => {
      expect(Number(response.headers.get('x-ratelimit-limit'))).toBeGreaterThan(0);
      expect(Number(response.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
      // Epoch seconds, not milliseconds or a delta: next to the request's arrival in the log.
      const arrivedSeconds = Math.floor((sandbox().requests[index]?.at ?? Number.NaN) / 1000);
      const reset = Number(response.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(arrivedSeconds);
      expect(reset).toBeLessThan(arrivedSeconds + 60);
    });
    expect((await call(sandbox(), 'POST', '/oauth/token', { body: {} })).headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('answers 429 too_many_requests once the bucket is empty, and refills at perSecond', async () => {
    sandbox().setRateLimit({ perSecond: 1, burst: 2 });
    const first = await api(sandbox(), 'GET', '/connections');
    const second = await api(sandbox(), 'GET', '/connections');
    const third = await api(sandbox(), 'GET', '/connections');
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    expect([first, second, third].map((r) => r.headers.get('x-ratelimit-limit'))).toEqual(['2', '2', '2']);
    expect([first, second, third].map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['1', '0', '0']);
    expect(third.body).toEqual(TOO_MANY);
    // Epoch seconds (not milliseconds, not a delta) at which the bucket is full again: two tokens
    // short at 1/s, so more than a second after the request arrived (its `at` in the log). The
    // exact value, in virtual time, is rate-limit.test.ts's.
    const reset = Number(third.headers.get('x-ratelimit-reset'));
    const arrived = sandbox().requests.at(-1)?.at ?? Number.NaN;
    expect(reset * 1000).toBeGreaterThan(arrived + 1000);
    expect(reset * 1000).toBeLessThan(arrived + 60_000);
    // the token endpoint is not limited
    expect((await call(sandbox(), 'POST', '/oauth/token', { body: {} })).status).not.toBe(429);

    sandbox().setRateLimit({ perSecond: 4, burst: 1 }); // a new limit starts full
    expect((await api(sandbox(), 'GET', '/connections?fields=id')).status).toBe(200);
    // The sandbox refills on the real clock: a bucket of one that refills faster than any round
    // trip (a token a microsecond) never runs dry, where one that did not refill would refuse the second.
    sandbox().setRateLimit({ perSecond: 1_000_000, burst: 1 });
    for (let i = 0; i < 3; i += 1) expect((await api(sandbox(), 'GET', '/connections?fields=id')).status).toBe(200);

    sandbox().setRateLimit(undefined);
    for (let i = 0; i < 5; i += 1) expect((await api(sandbox(), 'GET', '/connections?fields=id')).status).toBe(200);
  });

  it('starts with options.rateLimit and reset() brings it back', async () => {
    const limited = await startTestSandbox({ rateLimit: { perSecond: 0.001, burst: 1 } });
    try {
      expect((await api(limited, 'GET', '/connections')).status).toBe(200);
      expect((await api(limited, 'GET', '/connections')).status).toBe(429);
      limited.reset();
      expect((await api(limited, 'GET', '/connections')).status).toBe(200);
      expect((await api(limited, 'GET', '/connections')).status).toBe(429);
      expect(() => limited.setRateLimit({ perSecond: 0, burst: 1 })).toThrow(RangeError);
    } finally {
      await limited.close();
    }
  });
});

describe('faults', () => {
  const sandbox = useSandbox();

  it('status: answers the next matching request with that status, then behaves', async () => {
    sandbox().inject({ kind: 'status', status: 503, method: 'patch' });
    expect((await api(sandbox(), 'GET', '/connections')).status).toBe(200); // not a PATCH
    const failed = await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { display_name: 'Changed' });
    expect(failed).toMatchObject({ status: 503, body: { statusCode: 503, error: 'Service Unavailable' } });
    expect(failed.headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect(sandbox().connection(SEED_IDS.twilio)?.display_name).toBe('SMS'); // not applied
    expect((await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { display_name: 'Changed' })).status).toBe(200);
  });

  it('status: honours path (string or RegExp) and times, and a 429 looks like Auth0\'s', async () => {
    sandbox().inject({ kind: 'status', status: 429, path: /^\/api\/v2\/connections\/con_/, times: 2 });
    sandbox().inject({ kind: 'status', status: 500, path: '/api/v2/connections' });
    const statuses = [];
    for (const path of [`/connections/${SEED_IDS.email}`, '/connections', `/connections/${SEED_IDS.email}`, `/connections/${SEED_IDS.email}`, '/connections']) {
      const response = await api(sandbox(), 'GET', path);
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.body).toEqual(TOO_MANY);
        expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
      }
    }
    expect(statuses).toEqual([429, 500, 429, 200, 200]);
  });

  it('drop: destroys the socket without answering and without applying', async () => {
    sandbox().inject({ kind: 'drop', method: 'PATCH' });
    await expect(api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { display_name: 'Changed' })).rejects.toThrow(/fetch failed/);
    expect(sandbox().connection(SEED_IDS.twilio)?.display_name).toBe('SMS');
    expect(sandbox().requests.at(-1)).toMatchObject({ method: 'PATCH', status: 0, dropped: true });
  });

  it('drop afterApply: the PATCH is applied and its response lost', async () => {
    sandbox().inject({ kind: 'drop', method: 'PATCH', afterApply: true });
    await expect(api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { display_name: 'Changed' })).rejects.toThrow(/fetch failed/);
    expect(sandbox().connection(SEED_IDS.twilio)?.display_name).toBe('Changed');
    expect(sandbox().requests.at(-1)).toMatchObject({ method: 'PATCH', status: 200, dropped: true });
  });

  it('drop: can hit the token endpoint too', async () => {
    sandbox().inject({ kind: 'drop', path: '/oauth/token' });
    await expect(call(sandbox(), 'POST', '/oauth/token', { body: {} })).rejects.toThrow(/fetch failed/);
    expect((await call(sandbox(), 'POST', '/oauth/token', { body: {} })).status).toBe(400);
  });

  // Order of events, not elapsed time: a delayed request is still unanswered (status 0 in the log)
  // once another request, sent after it arrived, has had its answer.
  it('latency: delays matching requests, once; options.latencyMs delays all', async () => {
    sandbox().inject({ kind: 'latency', ms: 300, method: 'GET' });
    const delayed = api(sandbox(), 'GET', '/connections?fields=id');
    await vi.waitFor(() => expect(sandbox().requests).toHaveLength(1), { interval: 5 });
    // The next GET matches too, but the fault was used once: it is answered while the first waits.
    expect((await api(sandbox(), 'GET', '/connections?fields=id')).status).toBe(200);
    expect(sandbox().requests.map((r) => r.status)).toEqual([0, 200]);
    expect((await delayed).status).toBe(200);
    expect(sandbox().requests.map((r) => r.status)).toEqual([200, 200]);

    const slow = await startTestSandbox({ latencyMs: 300 });
    try {
      const first = api(slow, 'GET', '/connections?fields=id');
      const second = call(slow, 'POST', '/oauth/token', { body: {} }); // any method, any path
      await vi.waitFor(() => expect(slow.requests).toHaveLength(2), { interval: 5 });
      expect((await api(sandbox(), 'GET', '/connections?fields=id')).status).toBe(200); // a sandbox without latency answers meanwhile
      expect(slow.requests.map((r) => r.status)).toEqual([0, 0]);
      expect([(await first).status, (await second).status]).toEqual([200, 400]);
    } finally {
      await slow.close();
    }
  });

  it('latency: a request whose client gave up is still carried out when the delay ends (abandoned in the log)', async () => {
    sandbox().inject({ kind: 'latency', ms: 800, method: 'PATCH' });
    const token = sandbox().issueToken(ALL_SCOPES);
    const patch = fetch(`${sandbox().url}/api/v2/connections/${SEED_IDS.twilio}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ display_name: 'Late' }),
      signal: AbortSignal.timeout(50),
    });
    await expect(patch).rejects.toThrow(/timeout|aborted/i);
    expect(sandbox().connection(SEED_IDS.twilio)?.display_name).toBe('SMS'); // the client saw nothing happen
    await sandbox().idle();
    expect(sandbox().connection(SEED_IDS.twilio)?.display_name).toBe('Late'); // …and yet it happened
    expect(sandbox().requests.at(-1)).toMatchObject({ method: 'PATCH', status: 200, abandoned: true });
    expect(sandbox().requests.at(-1)).not.toHaveProperty('dropped');
  });

  it('delayedApply: never answered, applied ms after arrival, after the client timed out', async () => {
    sandbox().inject({ kind: 'delayedApply', ms: 1000, method: 'PATCH', path: `/api/v2/connections/${SEED_IDS.twilio}` });
    const token = sandbox().issueToken(ALL_SCOPES);
    const patch = (signal?: AbortSignal) =>
      fetch(`${sandbox().url}/api/v2/connections/${SEED_IDS.twilio}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ display_name: 'Landed late' }),
        ...(signal === undefined ? {} : { signal }),
      });
    await expect(patch(AbortSignal.timeout(50))).rejects.toThrow(/timeout|aborted/i);
    // a read right after the timeout sees the old value: the tool cannot tell "not applied" from "not yet"
    expect((await api(sandbox(), 'GET', `/connections/${SEED_IDS.twilio}?fields=display_name`)).body).toEqual({ display_name: 'SMS' });
    await sandbox().idle();
    expect(sandbox().connection(SEED_IDS.twilio)?.display_name).toBe('Landed late');
    expect(sandbox().requests.find((r) => r.method === 'PATCH')).toMatchObject({ status: 200, dropped: true, abandoned: true });

    // a patient client gets no answer either: the socket closes once the change is applied
    sandbox().reset();
    sandbox().inject({ kind: 'delayedApply', ms: 50, method: 'PATCH' });
    await expect(patch()).rejects.toThrow(/fetch failed/);
    expect(sandbox().connection(SEED_IDS.twilio)?.display_name).toBe('Landed late');
    expect(sandbox().requests.at(-1)).toMatchObject({ method: 'PATCH', status: 200, dropped: true });
    expect(sandbox().requests.at(-1)).not.toHaveProperty('abandoned');
    expect(() => sandbox().inject({ kind: 'delayedApply', ms: -1 })).toThrow(RangeError);
  });

  it('concurrentWrite: another writer changes the connection after N reads of it', async () => {
    const mutate = (c: SandboxConnection) => {
      c.options = { ...c.options, template: 'Changed by someone else: @@password@@' };
    };
    sandbox().inject({ kind: 'concurrentWrite', afterReads: 2, id: SEED_IDS.twilio, mutate });
    const template = async () => ((await api(sandbox(), 'GET', `/connections/${SEED_IDS.twilio}`)).body as SandboxConnection).options?.template;
    await api(sandbox(), 'GET', `/connections/${SEED_IDS.email}`); // another connection: not counted
    await api(sandbox(), 'GET', '/connections?strategy=sms'); // read 1, in a list
    expect(await template()).toBe('Your verification code is: @@password@@'); // read 2 sees the old value
    expect(await template()).toBe('Changed by someone else: @@password@@');
    expect(sandbox().connections().find((c) => c.id === SEED_IDS.twilio)?.options?.template).toMatch(/^Changed/);
  });

  it('concurrentWrite with afterReads 0 applies at once; an unknown id is refused', () => {
    sandbox().inject({ kind: 'concurrentWrite', afterReads: 0, id: SEED_IDS.gateway, mutate: (c) => void (c.display_name = 'Now') });
    expect(sandbox().connection('sms-gateway')?.display_name).toBe('Now');
    expect(() => sandbox().inject({ kind: 'concurrentWrite', afterReads: 1, id: 'con_Missing00000000', mutate: () => undefined })).toThrow(/no connection/);
    expect(() => sandbox().inject({ kind: 'status', status: 503, times: 0 })).toThrow(RangeError);
  });
});

describe('request log, copies and reset', () => {
  const sandbox = useSandbox();

  it('records method, path, query, status, parsed body and arrival time', async () => {
    const before = Date.now();
    await api(sandbox(), 'GET', '/connections?strategy=sms&strategy=email&take=2');
    await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.email}`, { display_name: 'E' });
    expect(sandbox().requests).toEqual([
      { method: 'GET', path: '/api/v2/connections', query: { strategy: ['sms', 'email'], take: '2' }, status: 200, at: expect.any(Number) },
      { method: 'PATCH', path: `/api/v2/connections/${SEED_IDS.email}`, query: {}, status: 200, body: { display_name: 'E' }, at: expect.any(Number) },
    ]);
    expect(sandbox().requests[0]?.at).toBeGreaterThanOrEqual(before);
  });

  it('hands out deep copies', () => {
    const copy = sandbox().connection(SEED_IDS.twilio);
    if (copy?.options === undefined) throw new Error('seed without options');
    copy.options.template = 'mutated';
    sandbox().connections()[0]!.name = 'mutated';
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual(seedConnections()[0]);
    expect(sandbox().connection('email')?.id).toBe(SEED_IDS.email);
    expect(sandbox().connection('nope')).toBeUndefined();
  });

  it('reset() restores the connections and empties the log and the fault queue', async () => {
    const log = sandbox().requests;
    expect((await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { options: { name: 'sms' } })).status).toBe(200);
    expect(sandbox().connection('sms')?.options).toEqual({ name: 'sms' });
    sandbox().inject({ kind: 'status', status: 500 });
    sandbox().reset();
    expect(log).toHaveLength(0); // the same array, emptied
    expect(sandbox().connections()).toEqual(seedConnections());
    expect((await api(sandbox(), 'GET', '/connections')).status).toBe(200);
  });
});
