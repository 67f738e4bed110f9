// The cost bounds of a fingerprint read back from the Action's code hold even when its hash is
// right: action-code.test.ts checks them with a hash that would not match anyway, so a dropped
// bound there still returns false (after paying the cost).
import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintMatches } from '../../src/core/action-code.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

function fingerprint(N: number, r: number, p: number): string {
  const salt = randomBytes(16);
  const hash = scryptSync('pw', salt, 32, { N, r, p, maxmem: 256 * 1024 * 1024 });
  return `scrypt$${N}$${r}$${p}$${b64(salt)}$${b64(hash)}`;
}

describe('fingerprintMatches cost bounds', () => {
  it('matches a correct fingerprint within bounds', () => {
    expect(fingerprintMatches('pw', fingerprint(1024, 1, 4))).toBe(true);
  });

  it.each<[string, number, number, number]>([
    ['p = 5', 1024, 1, 5],
    ['r = 17', 1024, 17, 1],
  ])('refuses %s even with the right hash', (_name, N, r, p) => {
    expect(fingerprintMatches('pw', fingerprint(N, r, p))).toBe(false);
  });
});
