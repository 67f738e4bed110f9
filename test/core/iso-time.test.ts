import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/core/iso-time.js';

describe('isoTime', () => {
  it('is toISOString, for any date in any order (years before 0 and past 9999, the same second twice)', () => {
    const date = fc.oneof(fc.date({ noInvalidDate: true }), fc.integer({ min: 1_700_000_000_000, max: 1_700_000_003_000 }).map((ms) => new Date(ms)));
    fc.assert(
      fc.property(fc.array(date, { minLength: 1, maxLength: 20 }), (dates) => {
        for (const at of dates) expect(isoTime(at)).toBe(at.toISOString());
      }),
    );
  });

  it('the edges of a second and of the epoch', () => {
    for (const ms of [0, -1, 999, 1000, -1000, -1001, 8.64e15, -8.64e15, 253402300799999, 253402300800000]) {
      expect(isoTime(new Date(ms))).toBe(new Date(ms).toISOString());
    }
  });
});
