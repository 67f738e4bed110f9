import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { GatewayVerificationError } from '../../src/gateway/errors.js';
import { parseGatewayPayload } from '../../src/gateway/payload.js';

// The schema the payload used to be parsed with. The library now parses by hand (no zod in its
// graph); these tests hold it to the same results and messages on generated input.
const zodPayloadSchema = z.looseObject({
  recipient: z.string().min(1, 'must be a non-empty phone number'),
  body: z.string(),
  sender: z.string().default(''),
  req: z.looseObject({ ip: z.string().default(''), 'user-agent': z.string().default('') }).optional(),
});
const EXPECTED = 'Auth0 sends a JSON object { "recipient", "body", "sender" } (plus "req" with forward_req_info)';

/** What parseGatewayPayload did with zod, for a value that is already an object (not raw JSON text). */
function zodParse(value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (value === null || value === undefined) return { ok: false, message: `malformed payload: there is no body; ${EXPECTED}` };
  const parsed = zodPayloadSchema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`).join('; ');
  return { ok: false, message: `malformed payload: ${problems}; ${EXPECTED}` };
}

function ours(value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: parseGatewayPayload(value) };
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayVerificationError);
    expect((error as GatewayVerificationError).code).toBe('malformed_payload');
    return { ok: false, message: (error as Error).message };
  }
}

/** Keys in order, all the way down: the parsed payload keeps a stable shape. */
const keyOrder = (value: unknown): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value).map(([k, v]) => [k, keyOrder(v)]) : value;

function expectSame(value: unknown): void {
  const a = ours(value);
  const b = zodParse(value);
  expect(a).toStrictEqual(b);
  if (a.ok && b.ok) expect(keyOrder(a.value)).toStrictEqual(keyOrder(b.value));
}

const w = <T,>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const field = (good: fc.Arbitrary<unknown>) => fc.oneof(w(6, good), w(1, fc.constant(undefined)), w(2, fc.anything({ maxDepth: 1, withNullPrototype: true, withDate: true, withMap: true, withTypedArray: true })));
const payloadArb = fc
  .record(
    {
      recipient: field(fc.oneof(fc.constant('+15550100'), fc.constant(''), fc.string({ maxLength: 3 }))),
      body: field(fc.string({ maxLength: 8 })),
      sender: field(fc.string({ maxLength: 3 })),
      req: field(fc.record({ ip: field(fc.string({ maxLength: 3 })), 'user-agent': field(fc.string({ maxLength: 3 })), extra: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] })),
      future: fc.jsonValue({ maxDepth: 1 }),
      __proto__: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  )
  // Through JSON too, as a body arrives: an own "__proto__" key, no undefined values.
  .chain((p) => fc.constantFrom<unknown>(p, JSON.parse(JSON.stringify(p) ?? 'null')));

describe('parseGatewayPayload (hand-written) against the zod schema it replaced', () => {
  it('same result, key order and messages for generated payload objects', () => {
    fc.assert(fc.property(payloadArb, expectSame), { numRuns: 3000 });
  });

  it('same for any value at all', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withDate: true, withMap: true, withSet: true, withBigInt: true, withTypedArray: true }), (value) => {
        // Raw JSON text and its bytes (any view of them, an ArrayBuffer): below.
        if (typeof value === 'string' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
        expectSame(value);
      }),
      { numRuns: 2000 },
    );
  });

  it.each<[string, unknown]>([
    ['a class instance as recipient', { recipient: new (class Phone {})(), body: 'x' }],
    ['NaN and Infinity', { recipient: Number.NaN, body: Number.POSITIVE_INFINITY, sender: Number.NEGATIVE_INFINITY }],
    ['a function', () => 1],
    ['a Date', new Date(0)],
    ['inherited keys', Object.create({ recipient: '+1', body: 'inherited', extra: 1 }) as unknown],
    ['req undefined', { recipient: '+1', body: 'b', req: undefined }],
    ['sender null', { recipient: '+1', body: 'b', sender: null }],
  ])('same for %s', (_name, value) => {
    expectSame(value);
  });

  it('parses raw JSON text and bytes, with or without a BOM', () => {
    const json = JSON.stringify({ recipient: '+1', body: 'b', sender: 's', x: 1 });
    for (const raw of [json, `\uFEFF${json}`, Buffer.from(json), new TextEncoder().encode(`\uFEFF${json}`)]) {
      expect(parseGatewayPayload(raw)).toStrictEqual({ recipient: '+1', body: 'b', sender: 's', x: 1 });
    }
    // A Uint8Array view into a larger buffer reads only its own bytes.
    const big = Buffer.from(`xx${json}yy`);
    expect(parseGatewayPayload(new Uint8Array(big.buffer, big.byteOffset + 2, Buffer.byteLength(json)))).toMatchObject({ recipient: '+1' });
    // Any other view of the bytes, and the ArrayBuffer a Fetch API request's arrayBuffer() gives.
    const bytes = new TextEncoder().encode(json);
    for (const raw of [bytes.buffer, new DataView(bytes.buffer), new Int8Array(bytes.buffer)]) expect(parseGatewayPayload(raw)).toMatchObject({ recipient: '+1', x: 1 });
    // A view is bytes, never an object with keys: two 16-bit numbers are no JSON.
    expect(() => parseGatewayPayload(new Int16Array([1, 2]))).toThrow(/the body is not JSON/);
  });

  it.each([
    ['', /the body is empty/],
    ['  \n', /the body is empty/],
    ['{', /not JSON/],
    ['null', /no body/],
    ['"text"', /\(body\): Invalid input: expected object, received string/],
    ['[1]', /\(body\): Invalid input: expected object, received array/],
  ])('raw %j is refused: %s', (raw, message) => {
    expect(() => parseGatewayPayload(raw)).toThrow(message);
  });

  it('never lets a payload set the prototype of what it returns', () => {
    const parsed = parseGatewayPayload('{"recipient":"+1","body":"b","__proto__":{"polluted":true},"req":{"__proto__":{"polluted":true}}}');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(parsed.req)).toBe(Object.prototype);
    expect((parsed as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(parsed)).toEqual(['recipient', 'body', 'sender', 'req']);
  });
});
