import { createHmac, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/core/errors.js';
import { GatewayConfigurationError } from '../../src/gateway/errors.js';
import { signGatewayTokenForCli } from '../../src/gateway/jwt.js';
import { decodeBase64url, gatewayKeyBytes, isBase64url } from '../../src/gateway/key.js';
import { signGatewayToken } from '../../src/gateway/sign.js';

/** HS256 verification written from RFC 7515/7518 with node:crypto, independent of the signer. */
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

  it('refuses a secretBase64Encoded that is not a boolean, and settings that are not an object', async () => {
    for (const [settings, code] of [
      [{ secret: 'YWI', secretBase64Encoded: 'false', audience: 'a' }, 'invalid_secret_base64_encoded'],
      [null, 'empty_secret'],
    ] as const) {
      const error = await signGatewayToken(settings as unknown as Parameters<typeof signGatewayToken>[0]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayConfigurationError);
      expect((error as GatewayConfigurationError).code).toBe(code);
    }
  });

  it('honours lifetimeSeconds and leaves sub out without a subject', async () => {
    const token = await signGatewayToken({ secret: 's3cret-value', secretBase64Encoded: false, audience: 'aud' }, { now, lifetimeSeconds: 5 });
    const { claims } = independentVerify(token, Buffer.from('s3cret-value'));
    expect(claims).toEqual({ aud: 'aud', iat: nowSeconds, exp: nowSeconds + 5 });
  });

  it.each<unknown>([0, -1, 1.5, Number.NaN, { toString: 0 }, '60'])('rejects lifetime %s with a configuration error', async (lifetimeSeconds) => {
    const error = await signGatewayToken({ secret: 'x', audience: 'a' }, { lifetimeSeconds: lifetimeSeconds as number }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayConfigurationError);
    expect((error as GatewayConfigurationError).code).toBe('invalid_lifetime');
  });

  it.each([
    [{ secret: 'x', audience: '' }, 'empty_audience'],
    [{ secret: '', audience: 'a' }, 'empty_secret'],
    [{ secret: 'a+b', secretBase64Encoded: true, audience: 'a' }, 'secret_not_base64url'],
    [{ secret: 'x', audience: 'a', subject: 5 as unknown as string }, 'invalid_subject'],
  ] as const)('rejects %j with %s', async (settings, code) => {
    await expect(signGatewayToken(settings)).rejects.toMatchObject({ name: 'GatewayConfigurationError', code });
  });

  it('makes byte for byte the token the jose-based signer made', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        async (secret, audience, subject, seconds, lifetimeSeconds) => {
          const now = new Date(seconds * 1000 + 999);
          const mine = await signGatewayToken({ secret, audience, subject }, { now, lifetimeSeconds });
          const iat = seconds;
          const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setAudience(audience).setIssuedAt(iat).setExpirationTime(iat + lifetimeSeconds);
          if (subject !== undefined) jwt.setSubject(subject);
          expect(mine).toBe(await jwt.sign(new TextEncoder().encode(secret)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('gateway keys', () => {
  it('are the UTF-8 bytes without base64', () => {
    expect(Buffer.from(gatewayKeyBytes('héllo', false))).toEqual(Buffer.from('héllo', 'utf8'));
  });

  it('are the decoded bytes with base64url', () => {
    expect(Buffer.from(gatewayKeyBytes(rawKey.toString('base64url'), true))).toEqual(rawKey);
  });

  it('are a copy: changing one does not change the next', () => {
    const first = gatewayKeyBytes('copy-test-secret');
    first.fill(0);
    expect(Buffer.from(gatewayKeyBytes('copy-test-secret')).toString()).toBe('copy-test-secret');
  });

  it.each([
    ['standard base64 characters', '+/+/abcd', /'\+' and '\/' are standard base64/],
    ['spaces', 'abcd efgh', /outside A-Z a-z 0-9 - _/],
    ['impossible length', 'abcde', /length/],
    ['bad padding', 'abc==', /length/],
    ['padding only', '==', /length/],
    ['empty', '', /empty/],
  ])('refuse %s with a configuration error that does not quote the secret', (_name, secret, message) => {
    let caught: unknown;
    try {
      gatewayKeyBytes(secret, true);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayConfigurationError);
    expect(caught).not.toBeInstanceOf(CliError);
    const error = caught as GatewayConfigurationError;
    expect(error.code).toBe(secret === '' ? 'empty_secret' : 'secret_not_base64url');
    expect(error.message).toMatch(message);
    if (secret.length > 2) expect(error.message).not.toContain(secret);
  });

  // The same cases as the CLI's validation (test/core/validate.test.ts): one rule for both.
  it.each([
    ['c2VjcmV0', true],
    ['-_-_', true],
    ['abcdef==', true],
    ['abc', true],
    ['ab==', true],
    ['c2VjcmV0=', false],
    ['a+b/', false],
    ['abcde', false],
    ['', false],
    ['==', false],
    ['a', false],
    ['ab=c', false],
  ])('isBase64url(%j) is %s, and decodeBase64url agrees', (value, expected) => {
    expect(isBase64url(value)).toBe(expected);
    const decoded = decodeBase64url(value);
    expect(decoded === undefined).toBe(!expected);
    if (decoded) expect(Buffer.from(decoded)).toEqual(Buffer.from(value.replace(/=+$/, ''), 'base64url'));
  });

  it('isBase64url holds for every encoding of bytes, padded or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const encoded = Buffer.from(bytes).toString('base64url');
        expect(isBase64url(encoded)).toBe(true);
        expect(isBase64url(encoded + '='.repeat((4 - (encoded.length % 4)) % 4))).toBe(true);
        expect(Buffer.from(decodeBase64url(encoded) ?? [])).toEqual(Buffer.from(bytes));
      }),
    );
  });
});

describe('the CLI adapter (src/gateway/jwt.ts)', () => {
  it('turns configuration errors into input errors (exit 2)', async () => {
    const error = await signGatewayTokenForCli({ secret: 'a+b/c', secretBase64Encoded: true, audience: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.input);
    expect((error as CliError).message).not.toContain('a+b/c');
    // An empty secret (the key) and an empty audience (the claims) are input errors too.
    await expect(signGatewayTokenForCli({ secret: '', audience: 'a' })).rejects.toMatchObject({ name: 'CliError', exitCode: ExitCode.input });
    await expect(signGatewayTokenForCli({ secret: 'adapter-secret', audience: '' })).rejects.toMatchObject({ name: 'CliError', exitCode: ExitCode.input });
  });

  it('signs as the library does', async () => {
    const now = new Date('2024-05-01T12:00:00.000Z');
    const settings = { secret: 'adapter-secret', audience: 'urn:a', subject: 'urn:Auth0' };
    expect(await signGatewayTokenForCli(settings, { now })).toBe(await signGatewayToken(settings, { now }));
  });
});
