/**
 * How the sandbox models Auth0's Management API rate limit
 * (https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/management-api-endpoint-rate-limits):
 *
 * - Auth0 uses the token bucket algorithm: every request takes a token, and a request that finds
 *   the bucket empty gets 429 `too_many_requests`.
 * - The "burst" limit is the bucket size (`RateLimit.burst`); the "sustained" limit is the rate at
 *   which tokens flow back in (`RateLimit.perSecond`). A new limit starts with a full bucket.
 * - Every Management API response, errors included, carries `x-ratelimit-limit` (the bucket size),
 *   `x-ratelimit-remaining` (whole tokens left) and `x-ratelimit-reset`: the UNIX time, in seconds,
 *   at which the bucket will be full again. Clients (the `auth0` SDK's retry among them) wait until
 *   then after a 429.
 * - One bucket covers all of /api/v2 in the sandbox; Auth0 keeps several (per endpoint and
 *   global), which a single bucket is enough to exercise. /oauth/token and /passwordless/start are
 *   not limited here.
 */
import type { RateLimit } from './types.js';

export interface RateLimitState {
  allowed: boolean;
  headers: Record<string, string>;
}

/** What the headers say when no limit is set: a bucket that never empties. */
const UNLIMITED = 1000;

export function assertRateLimit(limit: RateLimit): void {
  if (!(Number.isFinite(limit.perSecond) && limit.perSecond > 0)) throw new RangeError(`rateLimit.perSecond must be > 0, got ${limit.perSecond}`);
  if (!(Number.isInteger(limit.burst) && limit.burst >= 1)) throw new RangeError(`rateLimit.burst must be an integer >= 1, got ${limit.burst}`);
}

export class TokenBucket {
  #limit: RateLimit | undefined;
  #tokens = 0;
  #updatedAt = 0;

  constructor(limit: RateLimit | undefined, private readonly now: () => number = Date.now) {
    this.set(limit);
  }

  /** A new limit starts with a full bucket. */
  set(limit: RateLimit | undefined): void {
    if (limit !== undefined) assertRateLimit(limit);
    this.#limit = limit === undefined ? undefined : { ...limit };
    this.#tokens = limit?.burst ?? 0;
    this.#updatedAt = this.now();
  }

  /** Spends one token if there is one. */
  take(): RateLimitState {
    const now = this.now();
    const limit = this.#limit;
    if (limit === undefined) {
      return { allowed: true, headers: headers(UNLIMITED, UNLIMITED, Math.ceil(now / 1000)) };
    }
    this.#tokens = Math.min(limit.burst, this.#tokens + ((now - this.#updatedAt) / 1000) * limit.perSecond);
    this.#updatedAt = now;
    const allowed = this.#tokens >= 1;
    if (allowed) this.#tokens -= 1;
    const fullAt = now + ((limit.burst - this.#tokens) / limit.perSecond) * 1000;
    return { allowed, headers: headers(limit.burst, Math.floor(this.#tokens), Math.ceil(fullAt / 1000)) };
  }
}

const headers = (limit: number, remaining: number, reset: number): Record<string, string> => ({
  'x-ratelimit-limit': String(limit),
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-reset': String(reset),
});
