// The token test-gateway sends, checked by HS256 verification written here from RFC 7515/7518
// with node:crypto (not jose, which the tool uses), so a shared bug cannot hide.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const captured: { headers: IncomingHttpHeaders; body: string }[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      captured.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/sms`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function verifyHs256(token: string, key: Buffer): { header: Record<string, unknown>; claims: Record<string, number | string> } {
  const [h, p, s] = token.split('.') as [string, string, string];
  const expected = createHmac('sha256', key).update(`${h}.${p}`).digest();
  const actual = Buffer.from(s, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new Error('signature mismatch');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>, claims: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, number | string> };
}

describe('the JWT test-gateway sends', () => {
  const keyBytes = Buffer.from([0xfb, 0xff, 0x00, 0x10, 0x3e, 0x3f, 0xc0, 0x01, 0x7f, 0x80, 0xaa, 0x55, 0x01, 0x02, 0x03, 0x04]);
  it.each([
    ['a raw secret: the key is its UTF-8 bytes', 'raw-secret-value-for-the-hs256-check', false, Buffer.from('raw-secret-value-for-the-hs256-check')],
    ['a base64url secret: the key is the decoded bytes', keyBytes.toString('base64url'), true, keyBytes],
  ])('%s', async (_label, secret, b64, key) => {
    captured.length = 0;
    const before = Math.floor(Date.now() / 1000);
    const r = await runCli(
      ['test-gateway', '--gateway-url', url, '--audience', 'urn:gw', '--subject', 'urn:Auth0', '--secret-env', 'S', ...(b64 ? ['--secret-base64-encoded'] : []), '--to', '+15551234567', '--code', '777777'],
      { env: { S: secret } },
    );
    expect(r.code).toBe(0);
    expect(captured).toHaveLength(1);
    const auth = captured[0]!.headers.authorization ?? '';
    expect(auth).toMatch(/^Bearer /);
    const { header, claims } = verifyHs256(auth.slice('Bearer '.length), key);
    expect(header.alg).toBe('HS256');
    expect(claims.sub).toBe('urn:Auth0');
    expect(claims.aud).toBe('urn:gw');
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(Number(claims.exp) - Number(claims.iat)).toBeGreaterThan(0);
    expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(300);
    // Auth0's body, exactly: no req without forward_req_info, no sender without from.
    expect(JSON.parse(captured[0]!.body)).toEqual({ recipient: '+15551234567', body: 'Your verification code is: 777777' });
    expect(captured[0]!.headers['content-type']).toMatch(/^application\/json/);
    // The token is never printed.
    expect(r.stdout + r.stderr).not.toContain(auth.slice(7));
  });
});
