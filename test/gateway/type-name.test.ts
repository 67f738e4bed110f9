import { describe, expect, it } from 'vitest';
import { invalid, shownValue, typeName } from '../../src/gateway/type-name.js';

describe('the words for a wrong value', () => {
  it('name a value by its type, never by text the value itself supplies', () => {
    expect(typeName(new Map())).toBe('Map');
    expect(typeName([])).toBe('array');
    expect(typeName(null)).toBe('null');
    // A prototype whose constructor's name is no string (String() of it would throw).
    expect(typeName(Object.create({ constructor: { name: { toString: 0 } } }))).toBe('object');
    expect(typeName(Object.create(null))).toBe('object');
  });

  it('show a number or boolean as written, anything else by its type', () => {
    expect([shownValue(-1), shownValue(Number.NaN), shownValue(Infinity), shownValue(false), shownValue(undefined)]).toEqual(['-1', 'NaN', 'Infinity', 'false', 'undefined']);
    expect(shownValue('sk_live_secret')).toBe('string');
    expect(shownValue({ toString: () => 'sk_live_secret' })).toBe('object');
    expect(shownValue({ toString: 0 })).toBe('object');
    expect(invalid('string', { toString: () => 'sk_live_secret' })).toBe('Invalid input: expected string, received object');
  });
});
