// exp and nbf exactly at the clock tolerance's edges, where the property test against jose
// rarely lands (it draws exp/nbf from ±120 s and would have to hit one second).
import { describe, expect, it } from 'vitest';
import { GatewayVerificationError, verifyGatewayToken, type VerifyGatewayRequestOptions } from '../../src/index.js';
import { handToken } from '../gateway/helpers.js';
import { joseVerifyGatewayToken } from '../gateway/jose-reference.js';

const SECRET = 'verify-test-secret-0123456789abcdef';
const AUD = 'urn:MySmsGateway';
const now = new Date('2024-05-01T12:00:00.000Z');
const iat = Math.floor(now.getTime() / 1000);

const verdict = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof GatewayVerificationError ? e.code : Promise.reject(e)),
  );

describe('exp and nbf at the tolerance edges', () => {
  it.each<[string, Record<string, number>, number | undefined, string]>([
    ['exp 29 s ago, default 30 s', { exp: iat - 29 }, undefined, 'ok'],
    ['exp exactly 30 s ago, default 30 s', { exp: iat - 30 }, undefined, 'expired'],
    ['exp now, tolerance 0', { exp: iat }, 0, 'expired'],
    ['exp 1 s ahead, tolerance 0', { exp: iat + 1 }, 0, 'ok'],
    ['nbf exactly 30 s ahead, default 30 s', { nbf: iat + 30 }, undefined, 'ok'],
    ['nbf 31 s ahead, default 30 s', { nbf: iat + 31 }, undefined, 'not_yet_valid'],
    ['nbf now, tolerance 0', { nbf: iat }, 0, 'ok'],
    ['nbf 1 s ahead, tolerance 0', { nbf: iat + 1 }, 0, 'not_yet_valid'],
  ])('%s: same verdict as jose', async (_name, times, clockToleranceSeconds, expected) => {
    const token = handToken({ alg: 'HS256' }, { aud: AUD, iat, ...times }, Buffer.from(SECRET));
    const opts: VerifyGatewayRequestOptions = { secret: SECRET, audience: AUD, now, clockToleranceSeconds };
    expect(await verdict(verifyGatewayToken(`Bearer ${token}`, opts))).toBe(expected);
    expect(await verdict(joseVerifyGatewayToken(`Bearer ${token}`, opts))).toBe(expected);
  });
});
