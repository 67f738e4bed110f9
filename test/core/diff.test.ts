import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepEqual, diffOptions, isPlainObject, type Change } from '../../src/core/diff.js';
import { isSecretKey, REDACTED, redactDeep } from '../../src/core/redact.js';

describe('diffOptions', () => {
  const table: { name: string; before: Record<string, unknown>; after: Record<string, unknown>; changes: Change[] }[] = [
    { name: 'equal objects, keys in another order', before: { a: 1, b: { c: [1, 2] } }, after: { b: { c: [1, 2] }, a: 1 }, changes: [] },
    {
      name: 'scalar changed, added, removed',
      before: { a: 1, gone: 'x' },
      after: { a: 2, fresh: null },
      changes: [
        { path: 'a', kind: 'changed', before: 1, after: 2, secret: false },
        { path: 'gone', kind: 'removed', before: 'x', secret: false },
        { path: 'fresh', kind: 'added', after: null, secret: false },
      ],
    },
    {
      name: 'arrays compare whole',
      before: { list: [1, { x: 1 }] },
      after: { list: [1, { x: 2 }] },
      changes: [{ path: 'list', kind: 'changed', before: [1, { x: 1 }], after: [1, { x: 2 }], secret: false }],
    },
    {
      name: 'nested objects walk to the leaf',
      before: { o: { p: { q: 1, r: 2 } } },
      after: { o: { p: { q: 1, r: 3 } } },
      changes: [{ path: 'o.p.r', kind: 'changed', before: 2, after: 3, secret: false }],
    },
    {
      name: 'a removed object lists every key it held',
      before: { keep: true, obj: { a: 1, inner: { b: 2 } } },
      after: { keep: true },
      changes: [
        { path: 'obj.a', kind: 'removed', before: 1, secret: false },
        { path: 'obj.inner.b', kind: 'removed', before: 2, secret: false },
      ],
    },
    {
      name: 'an empty object added or removed is one entry',
      before: { e: {} },
      after: { f: {} },
      changes: [
        { path: 'e', kind: 'removed', before: {}, secret: false },
        { path: 'f', kind: 'added', after: {}, secret: false },
      ],
    },
    {
      name: 'object replaced by null and back',
      before: { o: { a: 1 }, n: null },
      after: { o: null, n: { a: 1 } },
      changes: [
        { path: 'o', kind: 'changed', before: { a: 1 }, after: null, secret: false },
        { path: 'n', kind: 'changed', before: null, after: { a: 1 }, secret: false },
      ],
    },
    {
      name: 'secret leaves are redacted on both sides',
      before: { twilio_token: 'tok-1', gateway_authentication: { secret: 's-1', secret_base64_encoded: false } },
      after: { gateway_authentication: { secret: 's-2', secret_base64_encoded: true } },
      changes: [
        { path: 'twilio_token', kind: 'removed', before: '[redacted]', secret: true },
        { path: 'gateway_authentication.secret', kind: 'changed', before: '[redacted]', after: '[redacted]', secret: true },
        { path: 'gateway_authentication.secret_base64_encoded', kind: 'changed', before: false, after: true, secret: false },
      ],
    },
    {
      name: 'everything under a secret-named object is secret',
      before: { credentials: { user: 'u', pass: 'p-1' } },
      after: { credentials: { user: 'u', pass: 'p-2' } },
      changes: [{ path: 'credentials.pass', kind: 'changed', before: '[redacted]', after: '[redacted]', secret: true }],
    },
    {
      name: 'secrets nested in array values are redacted too',
      before: { hooks: [{ api_key: 'k-1' }] },
      after: { hooks: [{ api_key: 'k-2' }] },
      changes: [{ path: 'hooks', kind: 'changed', before: [{ api_key: '[redacted]' }], after: [{ api_key: '[redacted]' }], secret: false }],
    },
    {
      name: 'keys that are not identifiers are quoted',
      before: { 'a.b': 1, 'with space': { x: 1 } },
      after: { 'a.b': 2, 'with space': { x: 2 } },
      changes: [
        { path: '["a.b"]', kind: 'changed', before: 1, after: 2, secret: false },
        { path: '["with space"].x', kind: 'changed', before: 1, after: 2, secret: false },
      ],
    },
  ];

  for (const row of table) {
    it(row.name, () => {
      expect(diffOptions(row.before, row.after)).toStrictEqual(row.changes);
    });
  }

  it('never carries a secret value', () => {
    const changes = diffOptions(
      { twilio_token: 'SECRET-A', nested: { client_secret: 'SECRET-B' }, list: [{ password: 'SECRET-C' }] },
      { nested: { client_secret: 'SECRET-D' }, list: [], extra: { refresh_token: 'SECRET-E' } },
    );
    expect(changes.map((c) => c.path)).toEqual(['twilio_token', 'nested.client_secret', 'list', 'extra.refresh_token']);
    expect(JSON.stringify(changes)).not.toMatch(/SECRET-/);
  });

  it('reads a NaN kept as it was, and a key set to undefined on one side, as a change', () => {
    expect(diffOptions({ n: Number.NaN }, { n: Number.NaN })).toStrictEqual([]);
    expect(diffOptions({ u: undefined }, { u: 1 })).toStrictEqual([{ path: 'u', kind: 'changed', before: undefined, after: 1, secret: false }]);
    expect(diffOptions({ u: undefined }, {})).toStrictEqual([{ path: 'u', kind: 'removed', before: undefined, secret: false }]);
  });

  /**
   * The rule written out plainly (every key visited, its path and secrecy built for each): the
   * implementation skips the work for keys whose value is the same, and must say the same.
   */
  function plainDiff(before: Record<string, unknown>, after: Record<string, unknown>, parent = '', parentSecret = false): Change[] {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((key) => !Object.hasOwn(before, key))];
    return keys.flatMap((key): Change[] => {
      const path = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? (parent === '' ? key : `${parent}.${key}`) : `${parent}[${JSON.stringify(key)}]`;
      const secret = parentSecret || isSecretKey(key);
      const shown = (value: unknown) => (secret ? REDACTED : redactDeep(value));
      const [b, a] = [before[key], after[key]];
      if (Object.hasOwn(before, key) && Object.hasOwn(after, key)) {
        if (isPlainObject(b) && isPlainObject(a)) return plainDiff(b, a, path, secret);
        return deepEqual(b, a) ? [] : [{ path, kind: 'changed', before: shown(b), after: shown(a), secret }];
      }
      if (Object.hasOwn(before, key)) return isPlainObject(b) && Object.keys(b).length > 0 ? plainDiff(b, {}, path, secret) : [{ path, kind: 'removed', before: shown(b), secret }];
      return isPlainObject(a) && Object.keys(a).length > 0 ? plainDiff({}, a, path, secret) : [{ path, kind: 'added', after: shown(a), secret }];
    });
  }

  it('says what the plain rule says for any two options objects (property)', () => {
    const key = fc.constantFrom('a', 'b', 'secret', 'twilio_token', 'gateway_authentication', 'x.y', '0', '1');
    const leaf = fc.oneof(fc.constantFrom(null, true, false, 0, 1, 'v', 'w', Number.NaN), fc.array(fc.constantFrom(1, 'v'), { maxLength: 2 }));
    const { tree } = fc.letrec<{ tree: Record<string, unknown> }>((tie) => ({
      tree: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, tie('tree')), { maxKeys: 5 }),
    }));
    // Pairs that share most of their values, as a plan's before and after do.
    const pair = tree.chain((before) => fc.tuple(fc.constant(before), fc.oneof(tree, fc.constant(structuredClone(before)), tree.map((patch) => ({ ...before, ...patch })))));
    fc.assert(
      fc.property(pair, ([before, after]) => {
        expect(diffOptions(before, after)).toStrictEqual(plainDiff(before, after));
      }),
      { numRuns: 500 },
    );
  });
});

describe('deepEqual', () => {
  const rows: [unknown, unknown, boolean][] = [
    [1, 1, true],
    ['1', 1, false],
    [null, undefined, false],
    [[1, 2], [2, 1], false],
    [{ a: undefined }, {}, false],
    [{ a: [1, { b: null }] }, { a: [1, { b: null }] }, true],
    [{}, [], false],
    [Number.NaN, Number.NaN, true],
  ];
  for (const [a, b, equal] of rows) {
    it(`${JSON.stringify(a)} vs ${JSON.stringify(b)}`, () => {
      expect(deepEqual(a, b)).toBe(equal);
      expect(deepEqual(b, a)).toBe(equal);
    });
  }
});
