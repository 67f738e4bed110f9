import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { signGatewayToken } from '../../src/gateway/jwt.js';
import { GatewayVerificationError, verifyGatewayRequest, type GatewayVerificationErrorCode, type VerifyGatewayRequestOptions } from '../../src/index.js';
import { b64url, flipChar, handToken } from './helpers.js';

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
  {
    name: 'req without its fields is fine but req as a string is not',
    authorization: async () => `Bearer ${await good()}`,
    body: { ...payload, req: 'x' },
    code: 'malformed_payload',
    message: /req/,
  },
];

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
    for (const segment of (authorization ?? '').replace(/^Bearer\s*/i, '').split('.')) {
      if (segment.length > 8) expect(error.message).not.toContain(segment);
    }
  });

  it('checks the token before the body', async () => {
    const error = await rejection(verifyGatewayRequest({ authorization: undefined, body: 'not json' }, options));
    expect(error.code).toBe('missing_bearer');
  });

  it('throws a configuration error, not a verification error, for an undecodable base64url secret', async () => {
    await expect(verifyGatewayRequest({ authorization: `Bearer ${await good()}`, body: payload }, { ...options, secret: 'a+b/c', secretBase64Encoded: true })).rejects.toBeInstanceOf(
      CliError,
    );
  });

  it('throws a configuration error for an empty audience', async () => {
    await expect(verifyGatewayRequest({ authorization: `Bearer ${await good()}`, body: payload }, { ...options, audience: '' })).rejects.toBeInstanceOf(CliError);
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
