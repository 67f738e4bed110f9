/**
 * Paces Management API requests so that they follow Auth0's rate limit instead of bouncing off it.
 *
 * Auth0 limits the Management API with a token bucket: the bucket holds `x-ratelimit-limit`
 * tokens (the burst), refills at the sustained rate, every request takes one token, and a
 * request that finds less than one token is refused with 429. Every answer carries
 * `x-ratelimit-limit`, `x-ratelimit-remaining` (whole tokens left) and `x-ratelimit-reset`
 * (UNIX time in seconds at which the bucket will be full again). No header states the refill
 * rate, and it need not equal the burst.
 * https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy
 * https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/management-api-endpoint-rate-limits
 *
 * Sending until refused and then waiting for `reset` (a whole bucket) uses half of the allowed
 * rate on a small bucket. The pacer instead keeps a model of the bucket (size, refill rate,
 * tokens now), releases a request when the model says a token plus a small reserve is there,
 * learns the refill rate from the answers, and after a 429 waits for one token, not a bucket.
 *
 * One instance serves every Management API request of a run: each request waits in
 * `acquire()` and reports its answer to `observe()` (or its lack of one to `abandon()`). The
 * token endpoint has a bucket of its own and must not be reported here.
 */

import { setTimeout as delay } from 'node:timers/promises';

export interface PacerClock {
  /** Milliseconds. Only differences are used: prefer a monotonic clock (performance.now). */
  now(): number;
  /** Resolves after `ms`; may resolve or reject early once `signal` aborts (the pacer then no longer waits for it). */
  sleep(ms: number, signal?: AbortSignal): Promise<unknown>;
  /** Uniform in [0, 1); only used for the jitter after a 429. */
  random(): number;
}

/** The clock of a real run: monotonic time, and timers that an abort cancels. */
export const systemClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms, signal) => delay(ms, undefined, signal === undefined ? undefined : { signal }),
  random: Math.random,
};

export interface PacerOptions {
  /** Longest wait after a 429, in ms (default 10 s); also the slowest pacing, one request per this. */
  maxBackoffMs?: number | undefined;
}

/** The three rate-limit headers, as numbers; absent or unparsable headers are `undefined`. */
export interface RateLimitHeaders {
  limit: number | undefined;
  remaining: number | undefined;
  /** UNIX time in seconds. */
  reset: number | undefined;
}

export interface PacerAnswer extends Partial<RateLimitHeaders> {
  status: number;
}

/** Permission to send one request; hand it back to `observe()` or `abandon()`. */
export interface PacerGrant {
  readonly seq: number;
  /** When the request was released (clock ms). */
  readonly sentAt: number;
  /** How long `acquire()` waited, queue included (ms). */
  readonly waitedMs: number;
  /** Of that, how long it waited for the bucket to refill (ms): 0 when the request went at once. */
  readonly pacedMs: number;
}

export interface PacerVerdict {
  /** After a 429: the wait before the refused request may go again (ms). `acquire()` already enforces it. */
  retryInMs?: number;
}

/** What the pacer currently believes, for --verbose and for tests. */
export interface PacerSnapshot {
  /** Bucket size (x-ratelimit-limit), or undefined while no limit is known. */
  size: number | undefined;
  /** Tokens the model expects once every request in flight has taken its own. */
  tokens: number;
  /** Refill rate used for pacing, requests per second (undefined while no limit is known). */
  perSecond: number | undefined;
  /** What the answers prove about the refill rate available to us, requests per second. */
  atLeast: number;
  atMost: number;
  inFlight: number;
}

/** Reads the rate-limit headers of a fetch `Response` (or anything with `get`). */
export function readRateLimitHeaders(headers: { get(name: string): string | null }): RateLimitHeaders {
  const number = (name: string): number | undefined => {
    const raw = headers.get(name);
    if (raw === null || raw.trim() === '') return undefined;
    const value = Number(raw);
    return Number.isFinite(value) ? value : undefined;
  };
  return { limit: number('x-ratelimit-limit'), remaining: number('x-ratelimit-remaining'), reset: number('x-ratelimit-reset') };
}

/**
 * Tokens kept in reserve: a request is released when the model expects 1 + MARGIN tokens once
 * all requests in flight have taken theirs. The reserve absorbs an overestimated rate (the
 * model drifts above the bucket by the rate error times the time since the last answer) and
 * requests that travel faster than the one before, before either turns into a 429. It costs
 * MARGIN tokens once, not a share of the rate.
 */
const MARGIN = 0.5;
/**
 * The wait after a 429 is one token's time at the estimated rate times 1 + HEADROOM + up to
 * JITTER: the headroom covers the estimate being a few percent high, the jitter keeps clients
 * refused together (several readers here, or another tool on the tenant) from retrying in
 * lock-step.
 */
const HEADROOM = 0.1;
const JITTER = 0.2;
/** Never retry a 429 sooner than this, whatever the estimate says. */
const MIN_BACKOFF_MS = 10;
/**
 * A window (see `learnFromWindow`) restarts after this many of our tokens. Long enough that the
 * token or so of uncertainty at each end moves the rate by a few percent; short enough that a
 * change of the rate available to us (another client starting or stopping) shows within a few
 * dozen requests instead of being averaged away.
 */
const WINDOW_TOKENS = 32;
/** Refill rate assumed until an answer says more: the Free plan's 2 requests per second. */
const PRIOR_PER_MS = 2 / 1000;

/** An answer, as a window (see `learnFromWindow`) starts or ends at it. */
interface Mark {
  /** When the answer arrived, and when its request was sent (clock ms). */
  at: number;
  sentAt: number;
  /** P(at) >= lo; the tokens right after Auth0 handled the request were <= hi. */
  lo: number;
  hi: number;
  /** Other requests in flight at some moment of its round trip. */
  overlap: number;
  /** x-ratelimit-reset (seconds), when usable for `reset` differences. */
  reset: number | undefined;
  /** Grants with a larger seq were released after it. */
  seq: number;
}

const INFINITY = Number.POSITIVE_INFINITY;

export class Pacer {
  readonly #clock: PacerClock;
  readonly #maxBackoffMs: number;

  /** x-ratelimit-limit; undefined while no answer carried it (requests then go unpaced). */
  #size: number | undefined;
  /** P at #levelAt: tokens in the bucket minus our requests released but not yet counted by Auth0. */
  #level = 0;
  #levelAt = 0;
  /** Refill rate used for pacing, tokens per ms. */
  #rate = PRIOR_PER_MS;
  #notBefore = -INFINITY;

  /** Bounds on the refill rate available to us (tokens per ms): earlier windows combined, and the current window's latest. */
  #pastLo = 0;
  #pastHi = INFINITY;
  #windowLo = 0;
  #windowHi = INFINITY;
  /** The largest lower bound any window gave: a proof about the bucket's own refill rate, whoever else spends tokens. */
  #totalLo = 0;
  /** The answer the current window starts at. */
  #anchor: Mark | undefined;
  /** Tokens our requests spent since the anchor: releases after it, less those refused. */
  #spent = 0;
  /** Of those, requests that got no answer: they may not have counted. */
  #unsure = 0;
  /** When the last answer arrived after which the bucket may have been full. */
  #fullSeenAt = -INFINITY;

  #seq = 0;
  /** Requests released and not yet answered, each with the number of other requests in flight at some moment since it was sent (less those refused). */
  readonly #inFlight = new Map<number, { overlap: number }>();
  #queue: Promise<void> = Promise.resolve();
  /** Callers of acquire() not yet released. */
  #waiting = 0;
  /** Resolved and replaced by every answer, so that a waiting acquire() looks again. */
  #wake: () => void = () => {};
  #woken: Promise<void>;

  constructor(clock: PacerClock, options: PacerOptions = {}) {
    this.#clock = clock;
    this.#maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.#woken = this.#nextWake();
  }

  /**
   * Resolves when one more request may be sent. Callers are released one at a time in the
   * order they called; each release spends a token of the model at once, so the callers
   * behind it wait for the next token, not for the same one. Rejects with the signal's reason
   * if it aborts first (the request's own timeout): nothing may be sent after that.
   */
  async acquire(signal?: AbortSignal): Promise<PacerGrant> {
    signal?.throwIfAborted();
    const calledAt = this.#clock.now();
    // Nobody queued and a token at hand: release at once, without the queue and abort
    // machinery below (most requests of a run, when the limit is far).
    if (this.#waiting === 0 && this.#waitMs(calledAt) <= 0) return this.#release(calledAt, calledAt, undefined);
    this.#waiting++;
    const previous = this.#queue;
    let done!: () => void;
    this.#queue = new Promise<void>((resolve) => (done = resolve));
    let onAbort = (): void => {};
    const aborted = new Promise<never>((_, reject) => (onAbort = () => reject(signal?.reason)));
    aborted.catch(() => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    let head = false;
    try {
      await Promise.race([previous, aborted]);
      head = true;
      let pacedFrom: number | undefined;
      for (;;) {
        // Whole milliseconds, as timers have: a fraction would spin without time passing.
        const wait = Math.ceil(this.#waitMs(this.#clock.now()));
        if (wait <= 0) break;
        pacedFrom ??= this.#clock.now();
        if (wait === INFINITY) {
          await Promise.race([this.#woken, aborted]);
          continue;
        }
        // An answer can bring the time forward (more tokens than the model thought) or push it
        // back (a 429): look again after whichever comes first, and drop the other timer so
        // that it cannot keep the process alive.
        const stop = new AbortController();
        const slept = this.#clock.sleep(wait, stop.signal).catch(() => undefined);
        try {
          await Promise.race([slept, this.#woken, aborted]);
        } finally {
          stop.abort();
        }
      }
      return this.#release(calledAt, this.#clock.now(), pacedFrom);
    } finally {
      this.#waiting--;
      signal?.removeEventListener('abort', onAbort);
      // A caller that gave up before its turn still hands the turn on in order.
      if (head) done();
      else void previous.then(done);
    }
  }

  /** Spends a token of the model for a request sent now, at `now`. */
  #release(calledAt: number, now: number, pacedFrom: number | undefined): PacerGrant {
    this.#level = this.#tokensAt(now) - 1;
    this.#levelAt = now;
    const seq = ++this.#seq;
    for (const other of this.#inFlight.values()) other.overlap += 1;
    this.#inFlight.set(seq, { overlap: this.#inFlight.size });
    if (this.#anchor !== undefined) this.#spent += 1;
    return { seq, sentAt: now, waitedMs: now - calledAt, pacedMs: pacedFrom === undefined ? 0 : now - pacedFrom };
  }

  /**
   * Reports the answer to a request released by `acquire()`. Absent or unparsable headers
   * teach nothing; while no answer has carried them, requests go out unpaced.
   */
  observe(grant: PacerGrant, answer: PacerAnswer): PacerVerdict {
    const now = this.#clock.now();
    const overlap = this.#inFlight.get(grant.seq)?.overlap ?? this.#inFlight.size;
    this.#inFlight.delete(grant.seq);
    const refused = answer.status === 429;
    if (refused) {
      // A refused request took no token: give it back to the model and to the window, and
      // the requests in flight with it need not count it among those Auth0 may have counted
      // after them (see `overlap` below).
      this.#level += 1;
      if (this.#anchor !== undefined && grant.seq > this.#anchor.seq) this.#spent -= 1;
      for (const other of this.#inFlight.values()) other.overlap -= 1;
    }
    const verdict: PacerVerdict = {};
    const { limit, remaining: reported } = answer;
    if (limit === undefined || !Number.isInteger(limit) || limit < 1 || reported === undefined) {
      if (refused) verdict.retryInMs = this.#backoffAfter429(now);
      this.#wakeWaiters();
      return verdict;
    }
    if (limit !== this.#size) this.#forget(limit, now);
    const size = limit;
    const others = this.#inFlight.size;
    const latency = Math.max(0, now - grant.sentAt);
    const remaining = Math.min(size, Math.max(0, Math.floor(reported)));

    // The tokens right after Auth0 handled this request, at some server time s between sentAt
    // and now: `remaining` is their whole part.
    let tokensLo: number;
    let tokensHi: number;
    if (refused) {
      // Refused: less than one token was there, and none was taken.
      [tokensLo, tokensHi] = [0, 1];
    } else if (remaining >= size) {
      [tokensLo, tokensHi] = [size, size];
    } else if (remaining === size - 1) {
      // Taking a token left at least size - 1, so the bucket held at least size before: it was
      // full (it cannot hold more) and exactly size - 1 is left. Exact, and a sign that refill
      // may have been lost to the full bucket.
      [tokensLo, tokensHi] = [size - 1, size - 1];
    } else {
      [tokensLo, tokensHi] = [remaining, remaining + 1];
    }

    // The model tracks P = tokens in the bucket - our requests released but not yet counted by
    // Auth0. A release lowers P by one at once, Auth0 counting a request leaves P unchanged, a
    // 429 gives the one back, and refill raises P at the rate r. This answer pins the tokens at
    // s; P now differs from them by the requests Auth0 counted after s or has yet to count.
    // Answers overtake each other, so that is not only the `others` still in flight: any
    // request in flight at some moment of this round trip may have been counted after s
    // (`overlap` of them). And refill runs from s to now, for at most the whole round trip:
    //   P(now) >= tokensLo - overlap,    P(now) <= tokensHi + r·latency,    P(now) <= size.
    // (A request refused after s only gives back what its release took: it cannot lift P
    // above tokensHi + refill.)
    const pLo = tokensLo - overlap;

    // A full bucket drops refill, so P no longer grows by r·t across it. If the bucket was full
    // at some time x before s, the first request counted after x showed remaining = size - 1.
    // Had it been answered already, that answer would have started a new window; so it is this
    // one or still in flight, and so are all counted since x (by induction on the order Auth0
    // counted them, each earlier one overlapped the later's round trip). So at most `taken`
    // tokens went since x, and the bucket still held more than size - taken: only then may it
    // have been full. (Not so with another client on the bucket: see chooseRate.)
    const taken = others + (refused ? 0 : 1);
    const mayHaveBeenFull = (!refused && tokensLo >= size - 1) || tokensHi > size - taken;
    // `reset` differences (see learnFromWindow) also need the bucket not to have been full
    // between s and now; an answer during this round trip may have shown it full after s.
    const resetUsable = answer.reset !== undefined && Number.isFinite(answer.reset) && tokensHi < size && this.#fullSeenAt <= grant.sentAt;
    const here: Mark = { at: now, sentAt: grant.sentAt, lo: pLo, hi: tokensHi, overlap, reset: resetUsable ? answer.reset : undefined, seq: this.#seq };
    this.#learnFromWindow(here, mayHaveBeenFull);
    this.#chooseRate();

    // Move the model inside what the answer allows, as little as possible. The estimate may
    // narrow the interval here: this is the model, not a proof. A bucket too small for the
    // reserve (size 1) keeps it in time instead: assume the request was counted as its answer
    // arrived, so that a next request travelling faster cannot arrive before its token.
    const refillMs = this.#threshold(size) - 1 < MARGIN ? 0 : latency;
    const pHi = Math.min(size, tokensHi + this.#rate * refillMs);
    this.#level = Math.min(pHi, Math.max(pLo, this.#tokensAt(now)));
    this.#levelAt = now;
    if (refused) {
      // The model was wrong by at least the reserve. Assume the worst the 429 allows (an empty
      // bucket now) for the refused request and the `others` ahead of it: the next release
      // comes one token per request later, at the corrected rate.
      this.#level = Math.min(this.#level, this.#threshold(size) - 1 - others);
      verdict.retryInMs = this.#backoffAfter429(now);
    }

    if (mayHaveBeenFull) this.#fullSeenAt = now;
    if (mayHaveBeenFull || this.#anchor === undefined || this.#spent >= WINDOW_TOKENS) {
      [this.#pastLo, this.#pastHi] = this.#flowBounds();
      [this.#windowLo, this.#windowHi] = [0, INFINITY];
      this.#anchor = here;
      this.#spent = 0;
      this.#unsure = 0;
    }
    this.#wakeWaiters();
    return verdict;
  }

  /** The request got no answer (network error, timeout): it may or may not have taken a token. */
  abandon(grant: PacerGrant): void {
    if (!this.#inFlight.delete(grant.seq)) return;
    // The model keeps its token spent, the side that cannot cause a 429; the window's lower
    // bound must not count on it.
    if (this.#anchor !== undefined && grant.seq > this.#anchor.seq) this.#unsure += 1;
    this.#wakeWaiters();
  }

  /** How long `n` more requests will take at the learned rate, in ms (0 while no limit is known; round trips not included). */
  estimateMs(n: number): number {
    if (this.#size === undefined || n <= 0) return 0;
    const now = this.#clock.now();
    // The n-th request goes when the model has refilled to the threshold after n - 1 releases.
    const tokensShort = n - 1 + this.#threshold(this.#size) - this.#tokensAt(now);
    return Math.max(0, this.#notBefore - now, tokensShort / this.#rate);
  }

  snapshot(): PacerSnapshot {
    const [lo, hi] = this.#flowBounds();
    const known = this.#size !== undefined;
    return {
      size: this.#size,
      tokens: this.#tokensAt(this.#clock.now()),
      perSecond: known ? this.#rate * 1000 : undefined,
      atLeast: lo * 1000,
      atMost: hi * 1000,
      inFlight: this.#inFlight.size,
    };
  }

  // --- the model ---------------------------------------------------------------------------

  /** Auth0 lets a request through on one token; MARGIN more is the reserve. A bucket of one has no room for it. */
  #threshold(size: number): number {
    return Math.min(1 + MARGIN, size);
  }

  #tokensAt(now: number): number {
    if (this.#size === undefined) return INFINITY;
    // The bucket never holds more than its size, so P is at most the size minus the requests
    // in flight (taking none of them as counted yet: the cautious side).
    const ceiling = this.#size - this.#inFlight.size;
    return Math.min(Math.max(ceiling, this.#level), this.#level + this.#rate * Math.max(0, now - this.#levelAt));
  }

  #waitMs(now: number): number {
    const untilAllowed = this.#notBefore - now;
    if (this.#size === undefined) return untilAllowed;
    // Too many in flight for the bucket to hold the threshold: only an answer can help.
    if (this.#size - this.#inFlight.size < this.#threshold(this.#size)) return INFINITY;
    const short = this.#threshold(this.#size) - this.#tokensAt(now);
    return Math.max(untilAllowed, short > 0 ? short / this.#rate : 0);
  }

  /**
   * One token's time, not a whole bucket's: after a 429 the bucket holds less than one token,
   * so one token of refill is what the refused request needs. Waiting for x-ratelimit-reset
   * (the bucket full again) is what halved the rate before. Never 0, at most maxBackoffMs.
   */
  #backoffAfter429(now: number): number {
    // Without any header yet: one second, the unit Auth0 states its limits in.
    const token = this.#size === undefined ? 1000 : 1 / this.#rate;
    const ms = Math.min(this.#maxBackoffMs, Math.max(MIN_BACKOFF_MS, token * (1 + HEADROOM + JITTER * this.#clock.random())));
    this.#notBefore = Math.max(this.#notBefore, now + ms);
    return ms;
  }

  /** A new bucket size (the first answer, or the tenant's plan changed): learn again. */
  #forget(size: number, now: number): void {
    this.#size = size;
    [this.#pastLo, this.#pastHi, this.#windowLo, this.#windowHi, this.#totalLo] = [0, INFINITY, 0, INFINITY, 0];
    this.#anchor = undefined;
    [this.#spent, this.#unsure] = [0, 0];
    this.#fullSeenAt = -INFINITY;
    this.#level = size - this.#inFlight.size;
    this.#levelAt = now;
  }

  /**
   * From the anchor a (an earlier answer) to this answer b, in which our requests spent `spent`
   * tokens:
   *   P(b) = P(a) + r·(b.at - a.at) - spent - lost,
   * where `lost` >= 0 is refill dropped by a full bucket and tokens taken by other clients. P is
   * known at each answer only up to the requests in flight and the refill during its round
   * trip (see `observe`). Bounding that refill by r itself, not by an estimate, keeps both
   * bounds proofs: with P(a) <= a.hi + r·(a.at - a.sentAt),
   *   r >= (b.lo - a.hi + spent) / (b.at - a.sentAt)          always;
   * and with P(b) <= b.hi + r·(b.at - b.sentAt), if no refill was lost,
   *   r <= (b.hi - a.lo + spent) / (b.sentAt - a.at)          without a full bucket or another client.
   * The error is the width of the two intervals (a token or so plus the requests in flight)
   * over the window: a window of a few dozen tokens pins r within a few percent, which the
   * whole tokens of a single answer never could.
   */
  #learnFromWindow(b: Mark, mayHaveBeenFull: boolean): void {
    const a = this.#anchor;
    if (a === undefined) return;
    const spent = this.#spent;
    const surelySpent = spent - this.#unsure;
    let lo = (b.lo - a.hi + surelySpent) / (b.at - a.sentAt);
    let hi = !mayHaveBeenFull && b.sentAt > a.at ? (b.hi - a.lo + spent) / (b.sentAt - a.at) : INFINITY;
    if (a.reset !== undefined && b.reset !== undefined && !mayHaveBeenFull) {
      // The same window through x-ratelimit-reset, the time the bucket will be full:
      // full = s + (size - tokens) / r. Refill shortens the deficit exactly as fast as time
      // passes, so full stands still, except that each token taken pushes it out by 1/r (a
      // full bucket instead drags it along with the clock, hence !mayHaveBeenFull). So from
      // a to b full moved by K/r, K the tokens taken in between, and both are rounded up to
      // whole seconds:
      //   K / r in (1000·(b.reset - a.reset) - 1000, 1000·(b.reset - a.reset) + 1000) ms.
      // Only Auth0's clock is involved. The bound a single answer gives, r = (size - tokens) /
      // (reset - now), also needs this machine's clock to agree with Auth0's within a few
      // tens of ms (the bucket refills in about a second), which nothing ensures. K is `spent`,
      // give or take the requests whose round trip overlapped a's or b's; other clients'
      // tokens only make K larger, so the lower bound holds with them too.
      const moved = 1000 * (b.reset - a.reset);
      lo = Math.max(lo, (surelySpent - b.overlap) / (moved + 1000));
      if (moved > 1000) hi = Math.min(hi, (spent + a.overlap) / (moved - 1000));
    }
    this.#windowLo = Math.max(0, lo);
    this.#totalLo = Math.max(this.#totalLo, this.#windowLo);
    if (hi < INFINITY) this.#windowHi = hi;
  }

  /**
   * The current window counts with its latest bounds, not the intersection of all its answers:
   * with another client taking tokens at random the upper bound is no proof, and the smallest
   * of many short windows would be an outlier (one stolen token in a one-token window
   * "proves" a rate near 0). Windows are intersected with the earlier ones; if they
   * contradict, the rate available to us changed (another client started or stopped) and
   * the newest window wins.
   */
  #flowBounds(): [number, number] {
    const lo = Math.max(this.#pastLo, this.#windowLo);
    const hi = Math.min(this.#pastHi, this.#windowHi);
    return lo <= hi ? [lo, hi] : [this.#windowLo, this.#windowHi];
  }

  /**
   * The pacing rate, inside the bounds. With both known, their middle: an answer that
   * contradicts it (a 429 above, a full bucket below) moves a bound past it, so the interval
   * halves, as in bisection. With no upper bound yet, twice the lower one: a bucket that keeps
   * filling up proves only that the rate is at least what we send, so only sending faster
   * can teach more; the first 429 then gives the upper bound.
   */
  #chooseRate(): void {
    const [lo, hi] = this.#flowBounds();
    let rate: number;
    if (hi < INFINITY) rate = lo > 0 ? (lo + hi) / 2 : Math.min(hi, PRIOR_PER_MS);
    else rate = lo > 0 ? 2 * lo : PRIOR_PER_MS;
    // With another client on the bucket the upper bounds are no proof, and they err low: when
    // it takes the first token after the bucket filled up, the refill lost to the full bucket
    // looks like its doing too. Slowing down then lets the bucket fill more often, which looks
    // like more of the same: a spiral towards zero. The lower bounds still hold for the
    // bucket's own rate, so claim at least half of that (a client taking more is not pacing
    // itself); a 429 still costs one token's wait, never a loop. And however little is left,
    // send one request per longest wait: only answers can show that the other has gone.
    this.#rate = Math.max(rate, this.#totalLo / 2, 1 / this.#maxBackoffMs);
  }

  #nextWake(): Promise<void> {
    return new Promise<void>((resolve) => (this.#wake = resolve));
  }

  #wakeWaiters(): void {
    const wake = this.#wake;
    this.#woken = this.#nextWake();
    wake();
  }
}
