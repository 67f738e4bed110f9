import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/core/errors.js';
import { secretKeyBytes, signGatewayToken } from '../../src/gateway/jwt.js';

/** HS256 verification written from RFC 7515/7518 with node:crypto, independent of jose. */
function independentVerify(token: string, key: Buffer): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  const [h, p, s] = parts as [string, string, string];
  const expected = createHmac('sha256', key).update(`${h}.${p}`).digest();
  const actual = Buffer.from(s, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new Error('HS256 signature mismatch');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

const now = new Date('2024-05-01T12:00:00.000Z');
const nowSeconds = Math.floor(now.getTime() / 1000);
const rawKey = Buffer.from([0xfb, 0xff, 0x00, 0x10, 0x3e, 0x3f, 0xc0, 0x01, 0x7f, 0x80, 0xaa, 0x55]);

describe('signGatewayToken', () => {
  it.each([
    { name: 'raw secret: key is the UTF-8 text', secret: 'MySecretToSignTheToken-é', b64: false, key: Buffer.from('MySecretToSignTheToken-é', 'utf8') },
    // '-' and '_' only appear in base64url, so a standard-base64 decoder would get other bytes.
    { name: 'base64url secret: key is the decoded bytes', secret: rawKey.toString('base64url'), b64: true, key: rawKey },
  ])('$name', async ({ secret, b64, key }) => {
    expect(secret.length > 0).toBe(true);
    const token = await signGatewayToken({ secret, secretBase64Encoded: b64, subject: 'urn:Auth0', audience: 'urn:MySmsGateway' }, { now });
    const { header, claims } = independentVerify(token, key);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(claims).toEqual({ sub: 'urn:Auth0', aud: 'urn:MySmsGateway', iat: nowSeconds, exp: nowSeconds + 60 });
    // The text of a base64url secret is not the key.
    if (b64) expect(() => independentVerify(token, Buffer.from(secret, 'utf8'))).toThrow('mismatch');
  });

  it.each([
    ['one pad', 'YWI=', 'ab'],
    ['two pads', 'YQ==', 'a'],
  ])('accepts padded base64url (%s)', async (_name, padded, bytes) => {
    const token = await signGatewayToken({ secret: padded, secretBase64Encoded: true, audience: 'a' }, { now });
    expect(() => independentVerify(token, Buffer.from(bytes))).not.toThrow();
  });

  it('honours lifetimeSeconds and leaves sub out without a subject', async () => {
    const token = await signGatewayToken({ secret: 's3cret-value', secretBase64Encoded: false, audience: 'aud' }, { now, lifetimeSeconds: 5 });
    const { claims } = independentVerify(token, Buffer.from('s3cret-value'));
    expect(claims).toEqual({ aud: 'aud', iat: nowSeconds, exp: nowSeconds + 5 });
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects lifetime %s', async (lifetimeSeconds) => {
    await expect(signGatewayToken({ secret: 'x', audience: 'a' }, { lifetimeSeconds })).rejects.toBeInstanceOf(CliError);
  });

  it('rejects an empty audience', async () => {
    await expect(signGatewayToken({ secret: 'x', audience: '' })).rejects.toThrow(/audience/);
  });
});

describe('secretKeyBytes', () => {
  it('is the UTF-8 bytes without base64', () => {
    expect(Buffer.from(secretKeyBytes('héllo', false))).toEqual(Buffer.from('héllo', 'utf8'));
  });

  it('is the decoded bytes with base64url', () => {
    expect(Buffer.from(secretKeyBytes(rawKey.toString('base64url'), true))).toEqual(rawKey);
  });

  it.each([
    ['standard base64 characters', '+/+/abcd', /'\+' and '\/' are standard base64/],
    ['spaces', 'abcd efgh', /outside A-Z a-z 0-9 - _/],
    ['impossible length', 'abcde', /length/],
    ['bad padding', 'abc==', /length/],
    ['padding only', '==', /length/],
    ['empty', '', /empty/],
  ])('rejects %s with an input error that does not quote the secret', (_name, secret, message) => {
    let caught: unknown;
    try {
      secretKeyBytes(secret, true);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CliError);
    const error = caught as CliError;
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message).toMatch(message);
    if (secret.length > 2) expect(error.message).not.toContain(secret);
  });
});
