// Row 5: verifyGatewayRequest of the built library entry, per call, against the floor of what it
// cannot avoid: node:crypto createHmac over the signing input, timingSafeEqual with the decoded
// signature, JSON.parse of the body, on the same token and body. In-process, alternating
// blocks of many calls (a block is long enough for the timer to be exact), medians of the blocks.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { alternate, formatMs, median, root } from './util.mjs';

const SECRET = 'bench-gateway-secret-7f3a9c1e5b2d8f4a6c0e';
const AUDIENCE = 'urn:bench-gateway';
const SUBJECT = 'urn:Auth0';
export const PAYLOAD = JSON.stringify({
  recipient: '+15551234567',
  body: '482913 is your verification code for Bench Tenant',
  sender: '+15557654321',
  req: { ip: '203.0.113.5', 'user-agent': 'Mozilla/5.0 (bench)' },
});

/**
 * @typedef {object} GatewayLibrary the part of dist/lib/index.mjs the bench uses
 * @property {(input: { authorization?: unknown, body: unknown }, options: { secret: string, audience: string, subject?: string }) => Promise<unknown>} verifyGatewayRequest
 * @property {(settings: { secret: string, audience: string, subject?: string }, options?: { lifetimeSeconds?: number }) => Promise<string>} signGatewayToken
 */

/** @returns {Promise<GatewayLibrary>} */
export async function importLibrary() {
  return import(pathToFileURL(join(root, 'dist', 'lib', 'index.mjs')).href);
}

/** A token as Auth0 signs one (HS256, sub, aud), valid for the whole bench. */
export async function benchToken() {
  const lib = await importLibrary();
  return lib.signGatewayToken({ secret: SECRET, audience: AUDIENCE, subject: SUBJECT }, { lifetimeSeconds: 3600 });
}
export const GATEWAY = { secret: SECRET, audience: AUDIENCE, subject: SUBJECT };

/**
 * @param {number} runs
 * @returns {Promise<{ perCallNs: number, floorNs: number, iterations: number }>}
 */
export async function benchVerify(runs) {
  const lib = await importLibrary();
  const token = await benchToken();
  const authorization = `Bearer ${token}`;
  const options = { secret: SECRET, audience: AUDIENCE, subject: SUBJECT };

  // The floor: what any HS256 check of this request must do.
  const key = Buffer.from(SECRET, 'utf8');
  const lastDot = token.lastIndexOf('.');
  const floorOnce = () => {
    const t = authorization.slice(7);
    const expected = createHmac('sha256', key).update(t.slice(0, lastDot)).digest();
    const signature = Buffer.from(t.slice(lastDot + 1), 'base64url');
    if (!timingSafeEqual(signature, expected)) throw new Error('floor: bad signature');
    return JSON.parse(PAYLOAD);
  };

  // Each verify is awaited, as a gateway awaits it; the floor is synchronous, it has no promise to make.
  /** @param {number} n */
  const verifyBlock = async (n) => {
    const start = performance.now();
    for (let i = 0; i < n; i++) await lib.verifyGatewayRequest({ authorization, body: PAYLOAD }, options);
    return (performance.now() - start) / n;
  };
  /** @param {number} n */
  const floorBlock = async (n) => {
    const start = performance.now();
    for (let i = 0; i < n; i++) floorOnce();
    return (performance.now() - start) / n;
  };

  // Warm both (JIT, the verifier's key and header caches), then size a block to about 25 ms of verify.
  await verifyBlock(2000);
  await floorBlock(2000);
  const probe = await verifyBlock(2000);
  const iterations = Math.max(1000, Math.min(200_000, Math.round(25 / Math.max(probe, 1e-6))));
  const [v, f] = await alternate(runs, () => verifyBlock(iterations), () => floorBlock(iterations));
  return { perCallNs: median(v) * 1e6, floorNs: median(f) * 1e6, iterations };
}

/** @param {import('./util.mjs').Table} table @param {number} runs */
export async function verifyRow(table, runs) {
  const r = await benchVerify(runs);
  const ratio = r.perCallNs / r.floorNs;
  table.add({
    id: '5',
    what: 'verifyGatewayRequest per call',
    now: formatMs(r.perCallNs / 1e6),
    floor: `${formatMs(r.floorNs / 1e6)} (createHmac+timingSafeEqual+JSON.parse)`,
    ratio,
    goal: '<= 2x',
    meets: ratio <= 2,
    note: `in-process, dist/lib/index.mjs; alternating blocks of ${r.iterations} calls, median of ${runs} blocks each; each verify awaited (its API is async), the floor synchronous`,
  });
}
