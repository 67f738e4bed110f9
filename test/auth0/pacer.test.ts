// The pacer (issue 12, "Pace, don't bounce"): its arithmetic on a fake clock, then whole runs
// of 400 requests against the sandbox's own TokenBucket, in virtual time (nothing sleeps).
// PACER_REPORT=1 prints the numbers of every simulated run.
import { afterAll, describe, expect, it } from 'vitest';
import { Pacer, readRateLimitHeaders, systemClock, type PacerClock, type PacerGrant } from '../../src/auth0/pacer.js';
import { TokenBucket } from '../../src/sandbox/rate-limit.js';

/** Deterministic uniform [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** setImmediate runs once every pending microtask has, i.e. once all awaits have moved on. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Virtual time: sleep() parks a promise until advance() or run() moves the clock to it. */
class FakeClock implements PacerClock {
  #now: number;
  #seq = 0;
  readonly #timers: { at: number; seq: number; resolve: () => void }[] = [];
  random: () => number;

  constructor(start: number, random: () => number = seeded(1)) {
    this.#now = start;
    this.random = random;
  }

  now = (): number => this.#now;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve };
      this.#timers.push(timer);
      signal?.addEventListener('abort', () => {
        const index = this.#timers.indexOf(timer);
        if (index >= 0) this.#timers.splice(index, 1);
        resolve();
      });
    });

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Fires timers in time order until `done()` holds, settling every promise in between. */
  async run(done: () => boolean, limitMs = 3_600_000): Promise<void> {
    const end = this.#now + limitMs;
    for (;;) {
      await settle();
      if (done()) return;
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers.shift();
      if (next === undefined || next.at > end) throw new Error('simulation stalled or ran past its limit');
      this.#now = next.at;
      next.resolve();
    }
  }

  /** Moves the clock forward by `ms`, firing what falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await settle();
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers[0];
      if (next === undefined || next.at > end) break;
      this.#timers.shift();
      this.#now = next.at;
      next.resolve();
    }
    this.#now = end;
    await settle();
  }
}

const headersOf = (record: Record<string, string>) => readRateLimitHeaders(new Headers(record));

/** An answer with the rate-limit headers, as Auth0 sends them. */
const answer = (status: number, limit: number, remaining: number, reset: number) => ({ status, limit, remaining, reset });

/** Starts `n` acquire() calls at once and records, in order, which resolved when. */
function acquireMany(pacer: Pacer, clock: FakeClock, n: number): { order: number[]; at: number[]; grants: PacerGrant[] } {
  const result = { order: [] as number[], at: [] as number[], grants: [] as PacerGrant[] };
  for (let i = 0; i < n; i++) {
    void pacer.acquire().then((grant) => {
      result.order.push(i);
      result.at.push(clock.now());
      result.grants.push(grant);
    });
  }
  return result;
}

const T0 = 1_760_000_000_000;

describe('readRateLimitHeaders', () => {
  it('reads the three headers as numbers, and absent or garbled ones as unknown', () => {
    expect(headersOf({ 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1760000001' })).toEqual({
      limit: 2,
      remaining: 0,
      reset: 1_760_000_001,
    });
    expect(headersOf({ 'x-ratelimit-limit': 'fifty', 'x-ratelimit-remaining': ' ' })).toEqual({ limit: undefined, remaining: undefined, reset: undefined });
  });
});

describe('Pacer arithmetic', () => {
  it('without rate-limit headers, sends freely: no wait, however many at once', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer(clock);
    const grants = await Promise.all(Array.from({ length: 8 }, () => pacer.acquire()));
    expect(grants.map((g) => g.waitedMs)).toEqual(new Array(8).fill(0));
    expect(grants.map((g) => g.pacedMs)).toEqual(new Array(8).fill(0));
    for (const grant of grants) expect(pacer.observe(grant, { status: 200 })).toEqual({});
    expect((await pacer.acquire()).waitedMs).toBe(0);
    expect(pacer.estimateMs(100)).toBe(0);
    expect(pacer.snapshot().size).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it('spends the tokens an answer shows down to the reserve at once, then spaces requests one token apart', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer(clock);
    const first = await pacer.acquire();
    // 7 tokens (and a fraction) left in a bucket of 20: the model takes the top of what the
    // answer allows, 8, and keeps a reserve of half a token.
    pacer.observe(first, answer(200, 20, 7, T0 / 1000 + 7));
    const run = acquireMany(pacer, clock, 10);
    await settle();
    expect(run.order).toEqual([0, 1, 2, 3, 4, 5, 6]); // 8 -> 1 token left, and 1 < 1.5
    expect(pacer.snapshot().perSecond).toBeCloseTo(2, 9); // the rate before any window
    await clock.advance(2000);
    // The 8th waits for half a token (to 1.5), the others one token each.
    expect(run.at.slice(7).map((t) => t - T0)).toEqual([250, 750, 1250]);
    expect(run.order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('an exact answer (remaining = limit - 1: the bucket was full) is taken at its word', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer(clock);
    pacer.observe(await pacer.acquire(), answer(200, 10, 9, T0 / 1000 + 1));
    const run = acquireMany(pacer, clock, 10);
    await settle();
    expect(run.order).toHaveLength(8); // 9 -> 1
  });

  it('releases concurrent callers in the order they called, one token apart, and estimateMs agrees', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer(clock);
    pacer.observe(await pacer.acquire(), answer(200, 10, 0, T0 / 1000 + 5));
    // Less than one token left: the model says 1 (the top), the reserve needs 1.5.
    const estimate = [1, 2, 5].map((n) => pacer.estimateMs(n));
    const run = acquireMany(pacer, clock, 5);
    await settle();
    expect(clock.pendingTimers).toBe(1); // only the head of the line waits on a timer
    await clock.advance(5000);
    expect(run.order).toEqual([0, 1, 2, 3, 4]);
    expect(run.at.map((t) => t - T0)).toEqual([250, 750, 1250, 1750, 2250]);
    expect(run.grants.map((g) => g.waitedMs)).toEqual([250, 750, 1250, 1750, 2250]);
    // Of that, the time each waited for the bucket once at the head of the line: one token apart.
    expect(run.grants.map((g) => g.pacedMs)).toEqual([250, 500, 500, 500, 500]);
    expect(estimate).toEqual([250, 750, 2250]);
  });

  it('a caller arriving while another waits goes behind it, even once an answer has brought a token', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer(clock);
    const inFlight = await pacer.acquire();
    pacer.observe(await pacer.acquire(), answer(200, 10, 0, T0 / 1000 + 5));
    const order: string[] = [];
    void pacer.acquire().then(() => order.push('waiting'));
    await settle();
    expect(order).toEqual([]);
    // A full bucket: the waiting caller may go now, but has not been told yet.
    pacer.observe(inFlight, answer(200, 10, 9, T0 / 1000 + 5));
    void pacer.acquire().then(() => order.push('newcomer'));
    await settle();
    expect(order).toEqual(['waiting', 'newcomer']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('after a 429 waits one token (not a bucket) plus 10-30 %, for every caller', async () => {
    for (const [random, expected] of [
      [0, 550],
      [0.5, 600],
      [0.999, 649.9],
    ] as const) {
      const clock = new FakeClock(T0, () => random);
      const pacer = new Pacer(clock);
      const grant = await pacer.acquire();
      await clock.advance(40);
      // Refused, and the bucket full again in 5 s: waiting for x-ratelimit-reset would mean 5 s.
      const verdict = pacer.observe(grant, answer(429, 10, 0, Math.ceil((T0 + 5000) / 1000)));
      expect(verdict.retryInMs).toBeCloseTo(expected, 6);
      const run = acquireMany(pacer, clock, 3);
      await clock.advance(3000);
      expect(run.at[0]! - (T0 + 40)).toBe(Math.ceil(expected)); // the token's wait, then the jitter
      // And one token for each caller behind it: the k-th goes k tokens after the refusal.
      expect(run.at.map((t, k) => t - (T0 + 40) - (k + 1) * 500).every((slack) => slack >= 0)).toBe(true);
      expect(run.at[2]! - (T0 + 40)).toBeLessThan(3 * 500 + 150);
    }
  });

  it('never waits 0 after a 429, nor longer than the cap', async () => {
    const clock = new FakeClock(T0, () => 0.5);
    const capped = new Pacer(clock, { maxBackoffMs: 300 });
    expect(capped.observe(await capped.acquire(), answer(429, 2, 0, T0 / 1000 + 1)).retryInMs).toBe(300);
    // No header at all: one second, give or take the jitter.
    const blind = new Pacer(clock);
    const retry = blind.observe(await blind.acquire(), { status: 429 }).retryInMs!;
    expect(retry).toBeGreaterThanOrEqual(1100);
    expect(retry).toBeLessThanOrEqual(1300);
    const next = blind.acquire();
    await clock.advance(retry - 1);
    let released = false;
    void next.then(() => (released = true));
    await settle();
    expect(released).toBe(false);
    await clock.advance(1);
    expect(released).toBe(true);
  });

  it('waits for an answer when the bucket cannot hold the reserve with this many in flight, and abandon() counts as one', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer(clock);
    pacer.observe(await pacer.acquire(), answer(200, 2, 1, T0 / 1000 + 1));
    const second = acquireMany(pacer, clock, 1);
    await clock.advance(250);
    expect(second.grants).toHaveLength(1);
    const third = acquireMany(pacer, clock, 1);
    await clock.advance(10_000);
    expect(third.grants).toHaveLength(0); // 2 tokens minus 1 in flight < 1.5, however long
    expect(clock.pendingTimers).toBe(0); // and no timer keeps a process alive meanwhile
    pacer.abandon(second.grants[0]!);
    await settle();
    expect(third.grants).toHaveLength(1);
  });
});

describe('Pacer and aborted requests', () => {
  it('a request whose signal aborts while it waits is never released, and the line moves on in order', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer(clock);
    pacer.observe(await pacer.acquire(), answer(200, 10, 0, T0 / 1000 + 5));
    const head = new AbortController();
    const queued = new AbortController();
    const outcomes: string[] = [];
    const track = (name: string, p: Promise<PacerGrant>) =>
      p.then(
        () => outcomes.push(`${name} at ${clock.now() - T0}`),
        (error: unknown) => outcomes.push(`${name} ${String(error)}`),
      );
    void track('head', pacer.acquire(head.signal));
    void track('queued', pacer.acquire(queued.signal));
    void track('last', pacer.acquire());
    await clock.advance(100);
    queued.abort('timed out too');
    await settle();
    expect(outcomes).toEqual(['queued timed out too']);
    expect(clock.pendingTimers).toBe(1); // the last caller still waits behind the head, not beside it
    await clock.advance(20);
    head.abort('timed out');
    await clock.advance(2000);
    // The last caller goes when the bucket has refilled to the reserve (whole milliseconds, rounded up).
    expect(outcomes.slice(0, 2)).toEqual(['queued timed out too', 'head timed out']);
    expect(outcomes[2]).toMatch(/^last at 25[01]$/);
    expect(pacer.snapshot().inFlight).toBe(1);
    await expect(pacer.acquire(AbortSignal.abort('already'))).rejects.toBe('already');
  });

  it('systemClock: monotonic time, and a sleep that an abort ends at once', async () => {
    const before = systemClock.now();
    const stop = new AbortController();
    const sleeping = systemClock.sleep(10_000, stop.signal);
    stop.abort();
    await expect(sleeping).rejects.toThrow();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    expect(systemClock.random()).toBeLessThan(1);
  });
});

// --- simulations ---------------------------------------------------------------------------

interface Simulation {
  perSecond: number;
  burst: number;
  requests?: number;
  /** Requests in flight at once: 1 for writes, 4 for reads. */
  concurrency?: number;
  /** Round trip, uniform in [min, max] ms; Auth0 counts the request at a random point of it. */
  latencyMs?: [number, number];
  seed?: number;
  /** Another client takes tokens from `afterMs` (until `untilMs`), `perSecond` attempts a second at random times. */
  storm?: { afterMs: number; perSecond: number; untilMs?: number };
  /** Auth0's clock minus ours, ms. */
  skewMs?: number;
}

interface SimulationResult {
  start: number;
  elapsedMs: number;
  /** Successful requests per second over the whole run. */
  achieved: number;
  refused: number;
  /** Local times of our releases, our successes, our 429 answers. */
  sentAt: number[];
  doneAt: number[];
  refusedAt: number[];
  /** For each 429: the wait it announced, and how long until our next release. */
  retries: { at: number; announced: number; gap: number }[];
  /** Tokens the other client got. */
  stolen: number;
  /** Answers after which the pacer's proven bounds excluded the true rate. */
  unsound: number;
  maxWaitMs: number;
  pacer: Pacer;
}

async function simulate(sim: Simulation): Promise<SimulationResult> {
  const requests = sim.requests ?? 400;
  const concurrency = sim.concurrency ?? 1;
  const [minLatency, maxLatency] = sim.latencyMs ?? [20, 80];
  const random = seeded((sim.seed ?? 1) * 7919 + 1);
  // A realistic epoch with a random phase within the second: reset is rounded to seconds.
  const start = T0 + Math.floor(random() * 1000);
  const clock = new FakeClock(start, seeded(sim.seed ?? 1));
  const bucket = new TokenBucket({ perSecond: sim.perSecond, burst: sim.burst }, () => clock.now() + (sim.skewMs ?? 0));
  const pacer = new Pacer(clock);
  let started = 0;
  let finished = 0;
  let lastAnswer = start;
  let stolen = 0;
  let unsound = 0;
  let maxWaitMs = 0;
  let failure: unknown;
  const sentAt: number[] = [];
  const doneAt: number[] = [];
  const refusedAt: number[] = [];
  const pending: { at: number; announced: number; release: number }[] = [];

  const worker = async (): Promise<void> => {
    while (started < requests) {
      started++;
      for (;;) {
        const grant = await pacer.acquire();
        maxWaitMs = Math.max(maxWaitMs, grant.waitedMs);
        sentAt.push(clock.now());
        const latency = minLatency + (maxLatency - minLatency) * random();
        const there = latency * random();
        await clock.sleep(there);
        const state = bucket.take();
        await clock.sleep(latency - there);
        lastAnswer = clock.now();
        const verdict = pacer.observe(grant, { status: state.allowed ? 200 : 429, ...headersOf(state.headers) });
        if (verdict.retryInMs !== undefined) pending.push({ at: clock.now(), announced: verdict.retryInMs, release: sentAt.length });
        const { atLeast, atMost } = pacer.snapshot();
        if (sim.storm === undefined && !(atLeast <= sim.perSecond * (1 + 1e-9) && sim.perSecond <= atMost * (1 + 1e-9))) unsound++;
        if (state.allowed) {
          doneAt.push(clock.now());
          break;
        }
        refusedAt.push(clock.now());
      }
      finished++;
    }
  };
  if (sim.storm !== undefined) {
    const storm = sim.storm;
    void (async () => {
      await clock.sleep(storm.afterMs);
      while (finished < requests && clock.now() - start < (storm.untilMs ?? Number.POSITIVE_INFINITY)) {
        if (bucket.take().allowed) stolen++;
        // Exponential gaps: a client of its own, not phase-locked to our releases.
        await clock.sleep((-Math.log(1 - random()) * 1000) / storm.perSecond);
      }
    })().catch((error: unknown) => (failure ??= error));
  }
  for (let i = 0; i < concurrency; i++) worker().catch((error: unknown) => (failure ??= error));
  await clock.run(() => finished >= requests || failure !== undefined);
  if (failure !== undefined) throw failure;
  const elapsedMs = lastAnswer - start;
  const retries = pending.flatMap(({ at, announced, release }) => (release < sentAt.length ? [{ at, announced, gap: sentAt[release]! - at }] : []));
  return { start, elapsedMs, achieved: (requests * 1000) / elapsedMs, refused: refusedAt.length, sentAt, doneAt, refusedAt, retries, stolen, unsound, maxWaitMs, pacer };
}

const report: string[] = [];
afterAll(() => {
  if (process.env.PACER_REPORT !== undefined) console.log(report.join('\n'));
});
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The shortest gap from one of our 429 answers (from `from` on) to our next release, by whichever caller. */
function shortestRetry(r: SimulationResult, from = 0): number {
  return Math.min(...r.retries.filter((x) => x.at >= from).map((x) => x.gap));
}

/** After every 429 no caller went before the wait it announced, and that wait was more than 0. */
function expectRetriesKept(r: SimulationResult): void {
  for (const { announced, gap } of r.retries) {
    expect(announced).toBeGreaterThan(0);
    expect(gap).toBeGreaterThanOrEqual(announced - 1e-9);
  }
}

describe('Pacer against the sandbox TokenBucket (400 requests, 20-80 ms round trips)', () => {
  const limits = [
    { perSecond: 2, burst: 2, concurrency: 1 },
    { perSecond: 2, burst: 2, concurrency: 4 },
    { perSecond: 15, burst: 15, concurrency: 1 },
    { perSecond: 15, burst: 15, concurrency: 4 },
    { perSecond: 15, burst: 2, concurrency: 1 },
    { perSecond: 15, burst: 2, concurrency: 4 },
    // One request at a time cannot reach 50/s with 50 ms round trips: see the next test.
    { perSecond: 50, burst: 50, concurrency: 4 },
    // Not an Auth0 configuration, but the hardest bucket: no room for a reserve.
    { perSecond: 1, burst: 1, concurrency: 1 },
  ];
  it.each(limits)('$perSecond/s, burst $burst, $concurrency in flight: >= 90 % of the rate, < 30 answers 429', async ({ perSecond, burst, concurrency }) => {
    for (const seed of [1, 2, 3]) {
      const r = await simulate({ perSecond, burst, concurrency, seed });
      // The fastest any client can go: the burst at once, then one request per token.
      const ideal = ((400 - burst) / perSecond) * 1000;
      report.push(
        [
          `${perSecond}/s burst ${burst} x${concurrency} seed ${seed}: ${(r.elapsedMs / 1000).toFixed(1)} s`,
          `${r.achieved.toFixed(2)}/s = ${pct(r.achieved / perSecond)} of the rate, ${pct(ideal / r.elapsedMs)} of the ideal schedule`,
          `${r.refused} × 429, learned ${r.pacer.snapshot().perSecond!.toFixed(2)}/s`,
          `shortest retry ${shortestRetry(r).toFixed(0)} ms (2nd half ${shortestRetry(r, r.start + r.elapsedMs / 2).toFixed(0)} ms)`,
        ].join(', '),
      );
      expect(r.achieved).toBeGreaterThanOrEqual(0.9 * perSecond);
      expect(r.elapsedMs).toBeLessThanOrEqual(ideal / 0.9);
      expect(r.refused).toBeLessThan(30);
      // After every answer, what the pacer claims to have proven about the rate was true.
      expect(r.unsound).toBe(0);
      // After a 429, one token at the estimated rate; once learned, that is a true token.
      expectRetriesKept(r);
      expect(shortestRetry(r, r.start + r.elapsedMs / 2)).toBeGreaterThanOrEqual(1000 / perSecond);
    }
  });

  it('adds no wait when the round trip, not the limit, is the bottleneck (50/s burst 50, one at a time)', async () => {
    const r = await simulate({ perSecond: 50, burst: 50, concurrency: 1 });
    report.push(`50/s burst 50 x1: ${r.achieved.toFixed(2)}/s (round-trip bound), longest wait ${r.maxWaitMs} ms, ${r.refused} × 429`);
    expect(r.maxWaitMs).toBe(0);
    expect(r.refused).toBe(0);
  });

  it('does not depend on this machine agreeing with Auth0 on the time', async () => {
    for (const skewMs of [-2000, -300, 300, 2000]) {
      for (const { perSecond, burst } of [
        { perSecond: 2, burst: 2 },
        { perSecond: 15, burst: 2 },
      ]) {
        const r = await simulate({ perSecond, burst, skewMs });
        report.push(`${perSecond}/s burst ${burst}, Auth0's clock ${skewMs > 0 ? '+' : ''}${skewMs} ms: ${pct(r.achieved / perSecond)} of the rate, ${r.refused} × 429`);
        expect(r.achieved).toBeGreaterThanOrEqual(0.9 * perSecond);
        expect(r.refused).toBeLessThan(30);
      }
    }
  });

  describe('a 429 storm: from a third of the run, another client takes tokens at half the rate', () => {
    const storms = [
      { perSecond: 2, burst: 2, concurrency: 1, afterMs: 60_000 },
      { perSecond: 2, burst: 2, concurrency: 4, afterMs: 60_000 },
      { perSecond: 15, burst: 15, concurrency: 1, afterMs: 8_000 },
      { perSecond: 15, burst: 2, concurrency: 1, afterMs: 8_000 },
      { perSecond: 50, burst: 50, concurrency: 4, afterMs: 2_500 },
    ];
    it.each(storms)('$perSecond/s, burst $burst, $concurrency in flight: converges, never retries within a token', async ({ perSecond, burst, concurrency, afterMs }) => {
      for (const seed of [1, 2, 3]) {
        const r = await simulate({ perSecond, burst, concurrency, seed, storm: { afterMs, perSecond: perSecond / 2 } });
        const stormAt = r.start + afterMs;
        const end = r.start + r.elapsedMs;
        const secondHalf = (stormAt + end) / 2;
        const seconds = (end - secondHalf) / 1000;
        const ours = r.doneAt.filter((t) => t >= secondHalf).length / seconds;
        const refusedLate = r.refusedAt.filter((t) => t >= secondHalf).length;
        const attemptsLate = r.sentAt.filter((t) => t >= secondHalf).length;
        const theirs = r.stolen / ((end - stormAt) / 1000);
        report.push(
          [
            `storm ${perSecond}/s burst ${burst} x${concurrency} seed ${seed}: ${r.refusedAt.filter((t) => t >= stormAt).length} × 429 in the storm`,
            `(${refusedLate} of ${attemptsLate} attempts in its 2nd half); 2nd half: ours ${ours.toFixed(2)}/s, the other's ${theirs.toFixed(2)}/s`,
            `bucket used ${pct((ours + theirs) / perSecond)}; shortest retry ${shortestRetry(r).toFixed(0)} ms`,
            `in the 2nd half ${shortestRetry(r, secondHalf).toFixed(0)} ms (a token: ${(1000 / perSecond).toFixed(0)} ms)`,
          ].join(' '),
        );
        // No retry loop: after a 429 the next request waits the announced token; once
        // converged, at least a token of the bucket's own rate.
        expectRetriesKept(r);
        expect(shortestRetry(r, secondHalf)).toBeGreaterThanOrEqual(1000 / perSecond);
        // Converged: the bucket is used and we keep a fair share. A client that does not pace
        // itself still collides with us on a small bucket (a token it takes at random is one
        // our model counted on): each collision costs one token's wait, and most attempts get
        // through.
        expect((ours + theirs) / perSecond).toBeGreaterThanOrEqual(0.8);
        expect(ours / perSecond).toBeGreaterThanOrEqual(0.4);
        expect(refusedLate / attemptsLate).toBeLessThan(1 / 3);
      }
    });

    it('recovers the whole rate once the other client has gone', async () => {
      for (const { perSecond, burst, concurrency, t, requests } of [
        { perSecond: 2, burst: 2, concurrency: 1, t: 40_000, requests: 400 },
        { perSecond: 15, burst: 15, concurrency: 1, t: 10_000, requests: 800 },
        { perSecond: 15, burst: 2, concurrency: 1, t: 10_000, requests: 800 },
        { perSecond: 50, burst: 50, concurrency: 4, t: 4_000, requests: 1200 },
      ]) {
        const r = await simulate({ perSecond, burst, concurrency, requests, storm: { afterMs: t, untilMs: 3 * t, perSecond: perSecond / 2 } });
        // From half a storm-length after it ended.
        const from = r.start + 3.5 * t;
        const rate = r.doneAt.filter((x) => x >= from).length / ((r.start + r.elapsedMs - from) / 1000);
        report.push(`${perSecond}/s burst ${burst}: after the other client left, ${pct(rate / perSecond)} of the rate, ${r.refusedAt.filter((x) => x >= from).length} × 429`);
        expect(rate).toBeGreaterThanOrEqual(0.9 * perSecond);
      }
    });
  });
});
