import { describe, expect, it } from 'vitest';
import { deepEqual, diffOptions, type Change } from '../../src/core/diff.js';

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
