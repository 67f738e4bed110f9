import { describe, expect, it } from 'vitest';
import { lazy } from '../../src/core/lazy.js';
import { phoneSchemas } from '../../src/core/phone-schemas.js';

describe('lazy', () => {
  it('builds nothing until the first call, then once, and hands back the same value', () => {
    let builds = 0;
    const get = lazy(() => ({ built: ++builds }));
    expect(builds).toBe(0);
    const first = get();
    expect(get()).toBe(first);
    expect(builds).toBe(1);
  });

  it('keeps an undefined result instead of building again', () => {
    let builds = 0;
    const get = lazy(() => void builds++);
    get();
    get();
    expect(builds).toBe(1);
  });

  it('the schemas only some commands use are each built once', () => {
    expect(phoneSchemas().action).toBe(phoneSchemas().action);
  });
});
