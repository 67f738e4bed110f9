import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { keyCacheSizes } from '../../src/gateway/key.js';
import { headerCached } from '../../src/gateway/verify.js';
import {
  GatewayConfigurationError,
  GatewayVerificationError,
  signGatewayToken,
  verifyGatewayRequest,
  verifyGatewayToken,
  type GatewayConfigurationErrorCode,
  type GatewayVerificationErrorCode,
  type VerifyGatewayRequestOptions,
} from '../../src/index.js';
import fixture from './fixtures/jose-signed-tokens.json' with { type: 'json' };
import { b64url, flipChar, handToken } from './helpers.js';
import { joseVerifyGatewayToken } from './jose-reference.js';

const SECRET = 'verify-test-secret-0123456789abcdef';
const AUD = 'urn:MySmsGateway';
const SUB = 'urn:Auth0';
const now = new Date('2024-05-01T12:00:00.000Z');
const iat = Math.floor(now.getTime() / 1000);
const options: VerifyGatewayRequestOptions = { secret: SECRET, audience: AUD, subject: SUB, now };
const payload = { recipient: '+1 399 999', body: 'Your verification code is: 12345', sender: '+1 234 567' };
const key = Buffer.from(SECRET);
const claims = { sub: SUB, aud: AUD, iat, exp: iat + 60 };

const good = (): Promise<string> => signGatewayToken({ secret: SECRET, subject: SUB, audience: AUD }, { now });

async function rejection(promise: Promise<unknown>): Promise<GatewayVerificationError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayVerificationError);
    return error as GatewayVerificationError;
  }
  throw new Error('expected a rejection');
}

interface Case {
  name: string;
  authorization: () => Promise<string | undefined> | string | undefined;
  body?: unknown;
  options?: Partial<VerifyGatewayRequestOptions>;
  code: GatewayVerificationErrorCode;
  message: RegExp;
}

const cases: Case[] = [
  { name: 'no header', authorization: () => undefined, code: 'missing_bearer', message: /no Authorization header/ },
  { name: 'empty header', authorization: () => '  ', code: 'missing_bearer', message: /no Authorization header/ },
  { name: 'Basic scheme', authorization: () => 'Basic dXNlcjpwYXNz', code: 'missing_bearer', message: /not "Bearer <JWT>"/ },
  { name: 'token without scheme', authorization: async () => good(), code: 'missing_bearer', message: /not "Bearer <JWT>"/ },
  { name: 'Bearer without token', authorization: () => 'Bearer ', code: 'missing_bearer', message: /not "Bearer <JWT>"/ },
  { name: 'garbage token', authorization: () => 'Bearer not-a-jwt', code: 'malformed_token', message: /not a JWT/ },
  { name: 'garbage in three segments', authorization: () => 'Bearer a.b.c', code: 'malformed_token', message: /malformed token/ },
  { name: 'header not JSON', authorization: () => `Bearer ${b64url('nope')}.${b64url('{}')}.sig`, code: 'malformed_token', message: /header/ },
  {
    name: 'signed with another key',
    authorization: async () => `Bearer ${await signGatewayToken({ secret: 'another-secret', subject: SUB, audience: AUD }, { now })}`,
    code: 'bad_signature',
    message: /secret differs .*secret_base64_encoded differs/,
  },
  { name: 'alg none', authorization: () => `Bearer ${handToken({ alg: 'none', typ: 'JWT' }, claims, null)}`, code: 'wrong_algorithm', message: /"none".*HS256/ },
  {
    name: 'alg none with an HS256 signature appended',
    authorization: () => `Bearer ${handToken({ alg: 'none' }, claims, key)}`,
    code: 'wrong_algorithm',
    message: /"none"/,
  },
  { name: 'no alg', authorization: () => `Bearer ${handToken({ typ: 'JWT' }, claims, key)}`, code: 'wrong_algorithm', message: /names no alg/ },
  {
    name: 'RS256',
    authorization: async () => {
      const { privateKey } = await generateKeyPair('RS256');
      return `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(privateKey)}`;
    },
    code: 'wrong_algorithm',
    message: /"RS256"/,
  },
  { name: 'HS512 with the right secret', authorization: () => `Bearer ${handToken({ alg: 'HS512', typ: 'JWT' }, claims, key, 'sha512')}`, code: 'wrong_algorithm', message: /"HS512"/ },
  { name: 'HS256 header, HS512 signature', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, claims, key, 'sha512')}`, code: 'bad_signature', message: /bad signature/ },
  {
    name: 'expired',
    authorization: () => `Bearer ${handToken({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: iat - 600, exp: iat - 300 }, key)}`,
    code: 'expired',
    message: /expired at 2024-05-01T11:55:00.000Z.*clock/,
  },
  {
    name: 'expired beyond a custom tolerance',
    authorization: () => `Bearer ${handToken({ alg: 'HS256' }, { ...claims, exp: iat - 5 }, key)}`,
    options: { clockToleranceSeconds: 2 },
    code: 'expired',
    message: /expired/,
  },
  {
    name: 'not yet valid',
    authorization: () => `Bearer ${handToken({ alg: 'HS256' }, { ...claims, nbf: iat + 600 }, key)}`,
    code: 'not_yet_valid',
    message: /valid from .*clock/,
  },
  {
    name: 'wrong aud',
    authorization: async () => `Bearer ${await signGatewayToken({ secret: SECRET, subject: SUB, audience: 'urn:Other' }, { now })}`,
    code: 'wrong_audience',
    message: /aud is "urn:Other", expected "urn:MySmsGateway"/,
  },
  { name: 'no aud', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, { sub: SUB, iat }, key)}`, code: 'wrong_audience', message: /no aud claim/ },
  {
    name: 'wrong sub',
    authorization: async () => `Bearer ${await signGatewayToken({ secret: SECRET, subject: 'urn:Someone', audience: AUD }, { now })}`,
    code: 'wrong_subject',
    message: /sub is "urn:Someone", expected "urn:Auth0"/,
  },
  { name: 'no sub when one is expected', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, { aud: AUD }, key)}`, code: 'wrong_subject', message: /no sub claim/ },
  { name: 'exp not a number', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, { ...claims, exp: 'soon' }, key)}`, code: 'malformed_token', message: /"exp"/ },
  { name: 'tampered payload', authorization: async () => `Bearer ${flipChar(await good(), 1)}`, code: 'bad_signature', message: /bad signature/ },
  { name: 'tampered signature', authorization: async () => `Bearer ${flipChar(await good(), 2)}`, code: 'bad_signature', message: /bad signature/ },
  {
    name: 'base64url-decoded secret on one side only',
    authorization: async () => `Bearer ${await good()}`,
    options: { secretBase64Encoded: true },
    code: 'bad_signature',
    message: /secret_base64_encoded/,
  },
  { name: 'missing recipient', authorization: async () => `Bearer ${await good()}`, body: { body: 'x', sender: '' }, code: 'malformed_payload', message: /recipient/ },
  { name: 'body not a string', authorization: async () => `Bearer ${await good()}`, body: { ...payload, body: 42 }, code: 'malformed_payload', message: /body/ },
  { name: 'body not JSON', authorization: async () => `Bearer ${await good()}`, body: '{"recipient":', code: 'malformed_payload', message: /not JSON/ },
  { name: 'Buffer not JSON', authorization: async () => `Bearer ${await good()}`, body: Buffer.from('recipient=1'), code: 'malformed_payload', message: /not JSON/ },
  { name: 'empty body', authorization: async () => `Bearer ${await good()}`, body: '', code: 'malformed_payload', message: /empty/ },
  { name: 'no body', authorization: async () => `Bearer ${await good()}`, body: undefined, code: 'malformed_payload', message: /no body/ },
  { name: 'JSON array', authorization: async () => `Bearer ${await good()}`, body: '[]', code: 'malformed_payload', message: /malformed payload/ },
  { name: 'a list of Authorization values', authorization: () => ['Bearer a.b.c', 'Bearer d.e.f'] as unknown as string, code: 'missing_bearer', message: /a list/ },
  { name: 'a number for Authorization', authorization: () => 42 as unknown as string, code: 'missing_bearer', message: /of type number/ },
  { name: 'four segments', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, claims, key)}.x`, code: 'malformed_token', message: /not a JWT/ },
  { name: 'empty header segment', authorization: () => `Bearer .${b64url('{}')}.sig`, code: 'malformed_token', message: /header is not base64url-encoded JSON/ },
  { name: 'header is a JSON array', authorization: () => `Bearer ${b64url('["HS256"]')}.${b64url('{}')}.sig`, code: 'malformed_token', message: /header is not base64url-encoded JSON/ },
  { name: 'header is not UTF-8', authorization: () => `Bearer ${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.${b64url('{}')}.sig`, code: 'malformed_token', message: /header/ },
  { name: 'header with standard base64 characters', authorization: () => `Bearer ${Buffer.from('{"alg":"HS256"}>>>').toString('base64')}.${b64url('{}')}.sig`, code: 'malformed_token', message: /header/ },
  { name: 'alg as a number', authorization: () => `Bearer ${handToken({ alg: 256 }, claims, key)}`, code: 'wrong_algorithm', message: /signed with 256/ },
  { name: 'unknown critical header', authorization: () => `Bearer ${handToken({ alg: 'HS256', crit: ['exp'], exp: 1 }, claims, key)}`, code: 'malformed_token', message: /could not be decoded/ },
  { name: 'empty crit', authorization: () => `Bearer ${handToken({ alg: 'HS256', crit: [] }, claims, key)}`, code: 'malformed_token', message: /could not be decoded/ },
  { name: 'b64 false (unencoded payload)', authorization: () => `Bearer ${handToken({ alg: 'HS256', crit: ['b64'], b64: false }, claims, key)}`, code: 'malformed_token', message: /could not be decoded/ },
  { name: 'non-ASCII in the payload segment', authorization: () => `Bearer ${b64url(JSON.stringify({ alg: 'HS256' }))}.é${b64url('{}')}.sig`, code: 'malformed_token', message: /could not be decoded/ },
  { name: 'signature not base64url', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, claims, key)}+/`, code: 'malformed_token', message: /could not be decoded/ },
  { name: 'empty signature', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, claims, null)}`, code: 'bad_signature', message: /bad signature/ },
  { name: 'claims are a JSON array', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, [AUD] as unknown as Record<string, unknown>, key)}`, code: 'malformed_token', message: /could not be decoded/ },
  { name: 'aud array without the audience', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, { ...claims, aud: ['urn:a', 'urn:b'] }, key)}`, code: 'wrong_audience', message: /aud is \["urn:a","urn:b"\]/ },
  { name: 'aud as a number', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, { ...claims, aud: 7 }, key)}`, code: 'wrong_audience', message: /aud is 7/ },
  { name: 'neither sub nor aud: sub is reported first', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, { iat }, key)}`, code: 'wrong_subject', message: /no sub claim/ },
  { name: 'iat not a number', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, { ...claims, iat: '1' }, key)}`, code: 'malformed_token', message: /"iat" claim is invalid/ },
  { name: 'nbf not a number', authorization: () => `Bearer ${handToken({ alg: 'HS256' }, { ...claims, nbf: null }, key)}`, code: 'malformed_token', message: /"nbf" claim is invalid/ },
  {
    name: 'req without its fields is fine but req as a string is not',
    authorization: async () => `Bearer ${await good()}`,
    body: { ...payload, req: 'x' },
    code: 'malformed_payload',
    message: /req/,
  },
];

describe('verifyGatewayToken', () => {
  it('takes the token as signGatewayToken returns it, or its Authorization header', async () => {
    const token = await good();
    await expect(verifyGatewayToken(token, options)).resolves.toMatchObject({ sub: SUB, aud: AUD });
    await expect(verifyGatewayToken(`Bearer ${token}`, options)).resolves.toMatchObject({ sub: SUB, aud: AUD });
    await expect(verifyGatewayToken(`Basic ${token}`, options)).rejects.toMatchObject({ code: 'missing_bearer' });
    await expect(verifyGatewayToken(flipChar(token, 2), options)).rejects.toMatchObject({ code: 'bad_signature' });
  });
});

describe('verifyGatewayRequest rejects', () => {
  it.each(cases)('$name → $code', async (c) => {
    const authorization = await c.authorization();
    const body = 'body' in c ? c.body : payload;
    const error = await rejection(verifyGatewayRequest({ authorization, body }, { ...options, ...c.options }));
    expect(error.code).toBe(c.code);
    expect(error.message).toMatch(c.message);
    expect(error.status).toBe(c.code === 'malformed_payload' ? 400 : 401);
    // Never the secret, the token, or any of its segments.
    expect(error.message).not.toContain(SECRET);
    for (const segment of String(authorization ?? '').replace(/^Bearer\s*/i, '').split('.')) {
      if (segment.length > 8) expect(error.message).not.toContain(segment);
    }
  });

  it('checks the token before the body', async () => {
    const error = await rejection(verifyGatewayRequest({ authorization: undefined, body: 'not json' }, options));
    expect(error.code).toBe('missing_bearer');
  });

  it.each<{ name: string; options: Partial<Record<keyof VerifyGatewayRequestOptions, unknown>>; code: GatewayConfigurationErrorCode; message: RegExp }>([
    { name: 'an undecodable base64url secret', options: { secret: 'a+b/c', secretBase64Encoded: true }, code: 'secret_not_base64url', message: /standard base64/ },
    { name: 'a base64url secret of impossible length', options: { secret: 'abcde', secretBase64Encoded: true }, code: 'secret_not_base64url', message: /length/ },
    { name: 'an empty secret', options: { secret: '' }, code: 'empty_secret', message: /secret is empty/ },
    { name: 'no secret', options: { secret: undefined }, code: 'empty_secret', message: /secret is empty/ },
    { name: 'an empty audience', options: { audience: '' }, code: 'empty_audience', message: /needs the audience/ },
    { name: 'an audience that is not a string', options: { audience: ['urn:a'] }, code: 'empty_audience', message: /needs the audience/ },
    { name: 'a subject that is not a string', options: { subject: 1 }, code: 'invalid_subject', message: /subject must be a string/ },
    { name: 'a negative tolerance', options: { clockToleranceSeconds: -1 }, code: 'invalid_clock_tolerance', message: /clockToleranceSeconds/ },
    { name: 'a NaN tolerance', options: { clockToleranceSeconds: Number.NaN }, code: 'invalid_clock_tolerance', message: /clockToleranceSeconds must be a number of seconds >= 0, not NaN$/ },
    // fast-check found it: String() of this object throws a TypeError of its own.
    { name: 'a tolerance whose toString is no function', options: { clockToleranceSeconds: { toString: 0 } }, code: 'invalid_clock_tolerance', message: /, not object$/ },
    { name: 'a tolerance given as text', options: { clockToleranceSeconds: '30' }, code: 'invalid_clock_tolerance', message: /, not string$/ },
    { name: 'an invalid date', options: { now: new Date('nope') }, code: 'invalid_now', message: /valid Date/ },
    // The text "false" would otherwise turn decoding on, and every Auth0 token would fail its signature.
    { name: 'secretBase64Encoded as the text "false"', options: { secretBase64Encoded: 'false' }, code: 'invalid_secret_base64_encoded', message: /true or false .* not a string: pass the boolean/ },
    { name: 'secretBase64Encoded as a number', options: { secretBase64Encoded: 1 }, code: 'invalid_secret_base64_encoded', message: /not a number/ },
  ])('throws GatewayConfigurationError, never CliError or a verification error, for $name', async ({ options: bad, code, message }) => {
    const error = await verifyGatewayRequest({ authorization: `Bearer ${await good()}`, body: payload }, { ...options, ...bad } as VerifyGatewayRequestOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayConfigurationError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(CliError);
    expect((error as GatewayConfigurationError).code).toBe(code);
    expect((error as GatewayConfigurationError).name).toBe('GatewayConfigurationError');
    expect((error as Error).message).toMatch(message);
    if (typeof bad.secret === 'string' && bad.secret.length > 2) expect((error as Error).message).not.toContain(bad.secret);
  });

  it('reads a null secretBase64Encoded (an unset setting) as false', async () => {
    const token = await signGatewayToken({ ...options, secretBase64Encoded: null as unknown as boolean });
    await expect(verifyGatewayRequest({ authorization: `Bearer ${token}`, body: payload }, { ...options, secretBase64Encoded: null as unknown as boolean })).resolves.toMatchObject({ recipient: payload.recipient });
    await expect(verifyGatewayRequest({ authorization: `Bearer ${token}`, body: payload }, { ...options, secretBase64Encoded: false })).resolves.toBeDefined();
  });

  it('reports configuration errors even for a request that has no token', async () => {
    await expect(verifyGatewayRequest({ authorization: undefined, body: payload }, { ...options, audience: '' })).rejects.toBeInstanceOf(GatewayConfigurationError);
  });
});

describe('verifyGatewayRequest accepts', () => {
  const rawKey = Buffer.from([0xfb, 0xef, 0xbe, 0xff, 0x01, 0x02, 0xfe, 0xfd, 0x3e, 0x3f]);
  const b64Secret = rawKey.toString('base64url');

  it.each([
    { name: 'raw secret, object body', secretBase64Encoded: false, secret: SECRET, body: payload },
    { name: 'raw secret, string body', secretBase64Encoded: false, secret: SECRET, body: JSON.stringify(payload) },
    { name: 'raw secret, Buffer body', secretBase64Encoded: false, secret: SECRET, body: Buffer.from(JSON.stringify(payload)) },
    { name: 'raw secret, Uint8Array body', secretBase64Encoded: false, secret: SECRET, body: new TextEncoder().encode(JSON.stringify(payload)) },
    { name: 'base64url secret, object body', secretBase64Encoded: true, secret: b64Secret, body: payload },
    { name: 'base64url secret, Buffer body', secretBase64Encoded: true, secret: b64Secret, body: Buffer.from(`\uFEFF${JSON.stringify(payload)}`) },
    // What `await request.arrayBuffer()` gives a Fetch API handler, and other views of the bytes.
    { name: 'raw secret, ArrayBuffer body', secretBase64Encoded: false, secret: SECRET, body: new TextEncoder().encode(JSON.stringify(payload)).buffer },
    { name: 'raw secret, DataView body', secretBase64Encoded: false, secret: SECRET, body: new DataView(new TextEncoder().encode(JSON.stringify(payload)).buffer) },
  ])('$name', async ({ secretBase64Encoded, secret, body }) => {
    const token = await signGatewayToken({ secret, secretBase64Encoded, subject: SUB, audience: AUD }, { now });
    const result = await verifyGatewayRequest({ authorization: `Bearer ${token}`, body }, { secret, secretBase64Encoded, audience: AUD, subject: SUB, now });
    expect(result).toEqual(payload);
  });

  it('a hand-made HS256 token keyed with the decoded base64url bytes', async () => {
    const token = handToken({ alg: 'HS256', typ: 'JWT' }, claims, rawKey);
    await expect(verifyGatewayRequest({ authorization: `Bearer ${token}`, body: payload }, { ...options, secret: b64Secret, secretBase64Encoded: true })).resolves.toEqual(payload);
  });

  it('a lower-case scheme, extra spaces, no subject check, no exp (Auth0 does not document exp)', async () => {
    const token = handToken({ alg: 'HS256' }, { aud: AUD, sub: 'anything' }, key);
    await expect(verifyGatewayRequest({ authorization: `  bearer   ${token} `, body: payload }, { secret: SECRET, audience: AUD, now })).resolves.toEqual(payload);
  });

  it('expired within the clock tolerance', async () => {
    const token = handToken({ alg: 'HS256' }, { ...claims, exp: iat - 10 }, key);
    await expect(verifyGatewayRequest({ authorization: `Bearer ${token}`, body: payload }, options)).resolves.toEqual(payload);
  });

  it('an audience array that holds the audience', async () => {
    const token = handToken({ alg: 'HS256' }, { ...claims, aud: ['x', AUD] }, key);
    await expect(verifyGatewayRequest({ authorization: `Bearer ${token}`, body: payload }, options)).resolves.toEqual(payload);
  });

  it('forwarded request info, extra keys, no sender', async () => {
    const body = { recipient: '+1 399 999', body: 'hi', req: { ip: '167.56.227.117', 'user-agent': 'Mozilla/5.0' }, future: 1 };
    const result = await verifyGatewayRequest({ authorization: `Bearer ${await good()}`, body }, options);
    expect(result).toEqual({ ...body, sender: '' });
    expect(result.req?.['user-agent']).toBe('Mozilla/5.0');
  });

  it('a fetch-style null header is "missing", not a crash', async () => {
    const error = await rejection(verifyGatewayRequest({ authorization: null, body: payload }, options));
    expect(error.code).toBe('missing_bearer');
  });
});

describe('tokens signed by the previous jose-based signer', () => {
  it.each(fixture.tokens)('$name still verifies', async (t) => {
    const settings = { secret: t.secret, secretBase64Encoded: t.secretBase64Encoded, audience: t.audience, subject: 'subject' in t ? t.subject : undefined };
    const verified = await verifyGatewayToken(`Bearer ${t.token}`, { ...settings, now: new Date(t.now) });
    expect(verified).toMatchObject({ aud: t.audience, exp: Math.floor(Date.parse(t.now) / 1000) + 60 });
    // And today's signer makes the very same bytes from the same settings and clock.
    await expect(signGatewayToken(settings, { now: new Date(t.now) })).resolves.toBe(t.token);
  });
});

describe('the header cache', () => {
  it('keeps no header longer than Auth0 sends: an unsigned one of any size is judged, not stored', async () => {
    const long = handToken({ alg: 'HS256', typ: 'JWT', pad: 'x'.repeat(400) }, claims, key);
    await expect(verifyGatewayToken(`Bearer ${long}`, options)).resolves.toMatchObject({ sub: SUB });
    expect(headerCached(long.split('.')[0]!)).toBe(false);
    const usual = await good();
    await expect(verifyGatewayToken(usual, options)).resolves.toMatchObject({ sub: SUB });
    expect(headerCached(usual.split('.')[0]!)).toBe(true);
  });
});

describe('the key cache', () => {
  // Valid base64url text that is also a fine raw secret: the two keys differ.
  const text = 'c2VjcmV0LWtleS1ieXRlcy1mb3ItdGhlLWNhY2hlLXRlc3Q';
  const rawToken = handToken({ alg: 'HS256' }, claims, Buffer.from(text, 'utf8'));
  const decodedToken = handToken({ alg: 'HS256' }, claims, Buffer.from(text, 'base64url'));
  const verdict = (token: string, secretBase64Encoded: boolean) =>
    verifyGatewayToken(`Bearer ${token}`, { ...options, secret: text, secretBase64Encoded }).then(
      () => 'ok',
      (e: unknown) => (e as GatewayVerificationError).code,
    );

  it('never confuses a raw and a base64url secret with the same text, in either order', async () => {
    for (let round = 0; round < 2; round++) {
      expect(await verdict(rawToken, false)).toBe('ok');
      expect(await verdict(rawToken, true)).toBe('bad_signature');
      expect(await verdict(decodedToken, true)).toBe('ok');
      expect(await verdict(decodedToken, false)).toBe('bad_signature');
    }
  });

  it('stays bounded when many secrets pass through', async () => {
    for (let i = 0; i < 100; i++) {
      await verifyGatewayToken(`Bearer ${rawToken}`, { ...options, secret: `secret-number-${i}` }).catch(() => undefined);
      await verifyGatewayToken(`Bearer ${rawToken}`, { ...options, secret: `c2VjcmV0${String(i).padStart(4, '0')}`, secretBase64Encoded: true }).catch(() => undefined);
    }
    const sizes = keyCacheSizes();
    expect(sizes.raw).toBeGreaterThan(0);
    expect(sizes.raw).toBeLessThanOrEqual(16);
    expect(sizes.base64url).toBeGreaterThan(0);
    expect(sizes.base64url).toBeLessThanOrEqual(16);
    // An evicted secret still verifies: the cache only saves work.
    expect(await verdict(rawToken, false)).toBe('ok');
  });
});

// Verdicts of the node:crypto verifier against the jose-based one it replaced, on generated tokens.
describe('same verdict, code and message as the jose-based verifier', () => {
  const b64Secret = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64url');
  const settled = (p: Promise<unknown>) =>
    p.then(
      (claims) => ({ ok: true as const, claims }),
      (e: unknown) => {
        if (!(e instanceof GatewayVerificationError)) throw e;
        return { ok: false as const, code: e.code, message: e.message };
      },
    );
  const w = <T,>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
  const timeValue = fc.oneof(
    w(4, fc.constant(undefined)),
    w(6, fc.integer({ min: iat - 120, max: iat + 120 })),
    w(1, fc.double({ noNaN: true })),
    w(1, fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }))),
  );
  const odd = fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null), fc.integer(), fc.boolean(), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }));
  const headerArb = fc.record(
    {
      alg: fc.oneof(w(12, fc.constant('HS256')), w(1, fc.constantFrom('none', 'HS512', 'RS256', 'hs256', '')), w(1, fc.integer())),
      typ: fc.constantFrom('JWT', 'jwt', undefined),
      crit: fc.oneof(w(12, fc.constant(undefined)), w(1, fc.constantFrom(['b64'], [], ['exp'], ['b64', 'b64'], [1]))),
      b64: fc.oneof(w(8, fc.constant(undefined)), w(1, fc.boolean()), w(1, fc.constant('false'))),
    },
    { requiredKeys: ['alg'] },
  );
  const claimsArb = fc.record(
    {
      sub: fc.oneof(w(8, fc.constant(SUB)), w(1, fc.constant('urn:Other')), w(1, fc.constant(undefined)), w(1, odd)),
      aud: fc.oneof(w(6, fc.constant(AUD)), w(2, fc.constant([AUD])), w(1, fc.constant(['x', AUD])), w(1, fc.constant(['x'])), w(1, fc.constant('urn:Other')), w(1, fc.constant(undefined)), w(1, odd)),
      iat: timeValue,
      nbf: timeValue,
      exp: timeValue,
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  );
  const mutation = fc.oneof(
    w(10, fc.constant('none')),
    w(1, fc.constantFrom('flip-payload', 'flip-signature', 'pad', 'non-ascii', 'drop-signature', 'plus', 'bom-claims', 'wrong-key', 'lowercase-scheme')),
  );
  const tolerance = fc.constantFrom(undefined, 0, 5, 30);
  const strip = (value: Record<string, unknown>) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

  function tokenFor(header: Record<string, unknown>, body: Record<string, unknown>, how: string, secretBase64Encoded: boolean): string {
    const k = how === 'wrong-key' ? Buffer.from('wrong') : secretBase64Encoded ? Buffer.from(b64Secret, 'base64url') : key;
    if (how === 'bom-claims') {
      const input = `${b64url(JSON.stringify(header))}.${b64url(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(body))]))}`;
      return `${input}.${createHmacDigest(k, input)}`;
    }
    const token = handToken(header, body, k);
    const [h = '', p = '', s = ''] = token.split('.');
    switch (how) {
      case 'flip-payload':
        return flipChar(token, 1);
      case 'flip-signature':
        return flipChar(token, 2);
      case 'pad': {
        // Padding on a signed segment changes the signing input; on the signature it does not.
        const padded = s.length % 4 === 0 ? s : s + '='.repeat(4 - (s.length % 4));
        return `${h}.${p}.${padded}`;
      }
      case 'non-ascii':
        return `${h}.${p}é.${s}`;
      case 'drop-signature':
        return `${h}.${p}.`;
      case 'plus':
        return `${h}.${p}.${s.replace(/-/g, '+')}+`;
      default:
        return token;
    }
  }

  it('for any header, claims and tampering', async () => {
    await fc.assert(
      fc.asyncProperty(headerArb, claimsArb, mutation, fc.boolean(), fc.boolean(), tolerance, async (header, body, how, b64, withSubject, clockToleranceSeconds) => {
        const token = tokenFor(strip(header), strip(body), how, b64);
        const authorization = how === 'lowercase-scheme' ? `bearer ${token}` : `Bearer ${token}`;
        const opts: VerifyGatewayRequestOptions = { secret: b64 ? b64Secret : SECRET, secretBase64Encoded: b64, audience: AUD, now, clockToleranceSeconds, ...(withSubject ? { subject: SUB } : {}) };
        const [ours, theirs] = await Promise.all([settled(verifyGatewayToken(authorization, opts)), settled(joseVerifyGatewayToken(authorization, opts))]);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 2000 },
    );
  });
});

function createHmacDigest(k: Buffer, input: string): string {
  return createHmac('sha256', k).update(input).digest('base64url');
}

describe('verifyGatewayRequest throws nothing but its two error types', () => {
  const isOurs = (e: unknown) => e instanceof GatewayVerificationError || e instanceof GatewayConfigurationError;

  it('for inputs whose getters or Proxies throw, and bodies that are not read yet: the code a request would get', async () => {
    const bearer = `Bearer ${await good()}`;
    const throwing = new Proxy({}, { get: () => { throw new Error('get'); }, ownKeys: () => { throw new Error('keys'); }, getPrototypeOf: () => { throw new Error('proto'); } });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const cases: [unknown, string, RegExp][] = [
      [{ get authorization() { throw new Error('x'); }, body: payload }, 'missing_bearer', /the Authorization value could not be read/],
      [throwing, 'missing_bearer', /could not be read/],
      [{ authorization: revoked.proxy, body: payload }, 'missing_bearer', /of type object/],
      [{ authorization: bearer, get body() { throw new Error('y'); } }, 'malformed_payload', /the body could not be read/],
      [{ authorization: bearer, body: throwing }, 'malformed_payload', /the body could not be read/],
      [{ authorization: bearer, body: { ...payload, get recipient() { throw new Error('z'); } } }, 'malformed_payload', /the body could not be read/],
      [{ authorization: bearer, body: new Blob([JSON.stringify(payload)]) }, 'malformed_payload', /the body is a Blob; pass the raw body/],
      [{ authorization: bearer, body: new URLSearchParams('recipient=1') }, 'malformed_payload', /the body is a URLSearchParams/],
    ];
    for (const [input, code, message] of cases) {
      const error = await verifyGatewayRequest(input as never, options).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayVerificationError);
      expect(error).toMatchObject({ code, message: expect.stringMatching(message) as unknown });
    }
  });

  it('for any authorization and body, with valid options: only GatewayVerificationError', async () => {
    const tokenish = fc.oneof(
      fc.anything(),
      fc.string(),
      fc.constantFrom('Bearer ', 'Bearer a.b.c', 'bearer ..', 'Bearer ===.===.==='),
      fc.tuple(fc.string(), fc.string(), fc.string()).map(([a, b, c]) => `Bearer ${b64url(a)}.${b64url(b)}.${c}`),
      fc.tuple(fc.jsonValue(), fc.jsonValue()).map(([h, c]) => `Bearer ${b64url(JSON.stringify(h) ?? '')}.${b64url(JSON.stringify(c) ?? '')}.sig`),
    );
    await fc.assert(
      fc.asyncProperty(tokenish, fc.anything(), async (authorization, body) => {
        const error = await verifyGatewayRequest({ authorization: authorization as string, body }, options).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error !== undefined) expect(error).toBeInstanceOf(GatewayVerificationError);
      }),
      { numRuns: 1000 },
    );
    // A valid token with any body: the payload parser too.
    const token = `Bearer ${await good()}`;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.uint8Array()), async (body) => {
        const error = await verifyGatewayRequest({ authorization: token, body }, options).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error !== undefined) expect((error as GatewayVerificationError).code).toBe('malformed_payload');
      }),
      { numRuns: 500 },
    );
  });

  it('for any options and input: only its verification or configuration error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), fc.record({ secret: fc.anything(), audience: fc.anything(), subject: fc.anything(), secretBase64Encoded: fc.anything(), clockToleranceSeconds: fc.anything(), now: fc.anything() }, { requiredKeys: [] }), async (authorization, body, opts) => {
        const error = await verifyGatewayRequest({ authorization: authorization as string, body }, opts as VerifyGatewayRequestOptions).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error !== undefined) expect(isOurs(error)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    for (const input of [null, undefined, 'x', 1]) {
      const error = await verifyGatewayRequest(input as never, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayVerificationError);
    }
    for (const opts of [null, undefined, 'secret', 1]) {
      const error = await verifyGatewayRequest({ authorization: undefined, body: payload }, opts as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayConfigurationError);
    }
  });
});

describe('hostile headers', () => {
  it('an unsigned header whose alg nests 100,000 deep is refused as wrong_algorithm, quoted short: no stack overflow', async () => {
    const header = Buffer.from(`{"alg":${'['.repeat(100_000)}${']'.repeat(100_000)}}`).toString('base64url');
    const error = await verifyGatewayToken(`Bearer ${header}.e30.c2ln`, { secret: 'a-secret-of-enough-length', audience: 'urn:a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayVerificationError);
    expect((error as GatewayVerificationError).code).toBe('wrong_algorithm');
    expect((error as Error).message).toMatch(/signed with \[\[\[\.\.\.\]\]\]/);
    expect((error as Error).message.length).toBeLessThan(400);
  });
});

describe('the error classes', () => {
  it('keep ordinary instanceof for a gateway\'s own subclass, while the base class answers by its brand', () => {
    class ReplayDetected extends GatewayVerificationError {}
    class BadSetup extends GatewayConfigurationError {}
    const base = new GatewayVerificationError('missing_bearer', 'x');
    const replay = new ReplayDetected('bad_signature', 'replayed');
    expect(base instanceof ReplayDetected).toBe(false);
    expect(replay instanceof ReplayDetected).toBe(true);
    expect(replay instanceof GatewayVerificationError).toBe(true);
    expect(new GatewayConfigurationError('empty_secret', 'x') instanceof BadSetup).toBe(false);
    expect(new BadSetup('empty_secret', 'x') instanceof GatewayConfigurationError).toBe(true);
    expect(base instanceof BadSetup).toBe(false);
  });
});
