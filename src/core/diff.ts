import { REDACTED, isSecretKey, redactDeep } from './redact.js';

export type ChangeKind = 'added' | 'changed' | 'removed';

/**
 * One difference between two options objects. Always safe to print: values under a
 * secret-named key are `[redacted]`, and secret-named keys nested inside a value are
 * redacted too. `before` is absent for `added`, `after` is absent for `removed`.
 */
export interface Change {
  /** Dotted path, e.g. `gateway_authentication.secret`; keys that are not identifiers are written `["a.b"]`. */
  path: string;
  kind: ChangeKind;
  before?: unknown;
  after?: unknown;
  /** True when any key on the path is secret-named (redact.ts): say "secret changed", never the value. */
  secret: boolean;
}

type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON-shaped values; key order does not matter, array order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const aKeys = Object.keys(a);
    if (aKeys.length !== Object.keys(b).length) return false;
    return aKeys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  // NaN is not JSON, but a value equal to itself must never show up as a change.
  return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function joinPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Every difference between `before` and `after`, in key order (existing keys where they
 * were, new keys last). Plain objects are walked key by key; arrays and scalars are compared
 * whole. A plain object that appears or disappears is listed leaf by leaf, so each key a
 * whole-object replace adds or deletes shows up (Terraform's plan hid them).
 */
export function diffOptions(before: Readonly<PlainObject>, after: Readonly<PlainObject>): Change[] {
  const changes: Change[] = [];
  walk(before, after, '', false, changes);
  return changes;
}

function walk(before: Readonly<PlainObject>, after: Readonly<PlainObject>, parent: string, parentSecret: boolean, out: Change[]): void {
  for (const key in before) {
    if (!Object.hasOwn(before, key)) continue;
    const b = before[key];
    if (!Object.hasOwn(after, key)) {
      visit(key, b, undefined, 'removed', parent, parentSecret, out);
      continue;
    }
    const a = after[key];
    // Most keys keep their value: no path is built for them.
    if (a !== b) visit(key, b, a, 'changed', parent, parentSecret, out);
  }
  for (const key in after) {
    if (Object.hasOwn(after, key) && !Object.hasOwn(before, key)) visit(key, undefined, after[key], 'added', parent, parentSecret, out);
  }
}

/** One key present on either side (`kind` says which): the changes below it, or itself. */
function visit(key: string, b: unknown, a: unknown, kind: ChangeKind, parent: string, parentSecret: boolean, out: Change[]): void {
  const path = joinPath(parent, key);
  // A secret-named object (e.g. `credentials: {...}`) hides everything below it, whatever
  // the leaf keys are called.
  const secret = parentSecret || isSecretKey(key);
  if (kind === 'changed') {
    if (isPlainObject(b) && isPlainObject(a)) walk(b, a, path, secret, out);
    else if (!deepEqual(b, a)) out.push({ path, kind, before: shown(b, secret), after: shown(a, secret), secret });
  } else if (kind === 'removed') {
    if (isPlainObject(b) && Object.keys(b).length > 0) walk(b, {}, path, secret, out);
    else out.push({ path, kind, before: shown(b, secret), secret });
  } else if (isPlainObject(a) && Object.keys(a).length > 0) {
    walk({}, a, path, secret, out);
  } else {
    out.push({ path, kind, after: shown(a, secret), secret });
  }
}

/** What a Change may carry: never a secret, also not one nested in an array or object value. */
function shown(value: unknown, secret: boolean): unknown {
  return secret ? REDACTED : redactDeep(value);
}

/** `value` and every object in it, frozen; returned for chaining. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
