import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/sandbox/rate-limit.js';

describe('TokenBucket', () => {
  const start = 1_700_000_000_000; // a whole second
  let now = start;
  const clock = () => now;

  it('spends burst tokens, refuses when empty, refills at perSecond, reports reset in epoch seconds', () => {
    now = start;
    const bucket = new TokenBucket({ perSecond: 2, burst: 3 }, clock);
    const seen = [bucket.take(), bucket.take(), bucket.take(), bucket.take()];
    expect(seen.map((s) => s.allowed)).toEqual([true, true, true, false]);
    expect(seen.map((s) => s.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
    expect(seen[3]?.headers).toEqual({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(start / 1000 + 2) }); // 3 tokens at 2/s: full in 1.5 s
    now = start + 499;
    expect(bucket.take().allowed).toBe(false);
    now = start + 500;
    expect(bucket.take()).toMatchObject({ allowed: true, headers: { 'x-ratelimit-remaining': '0' } });
    now = start + 60_000; // never more than burst
    expect(bucket.take().headers['x-ratelimit-remaining']).toBe('2');
  });

  it('without a limit always allows, and a new limit starts full', () => {
    now = start;
    const bucket = new TokenBucket(undefined, clock);
    for (let i = 0; i < 10; i += 1) expect(bucket.take().allowed).toBe(true);
    bucket.set({ perSecond: 1, burst: 1 });
    expect(bucket.take().allowed).toBe(true);
    expect(bucket.take().allowed).toBe(false);
    expect(() => bucket.set({ perSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});
