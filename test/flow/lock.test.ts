// Locks are taken all or none. When one target is held by another live run, the locks this
// run already took are released, so nothing of it is left in the state folder.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { acquireLocks } from '../../src/flow/lock.js';

let state: string | undefined;
afterEach(() => {
  if (state !== undefined) rmSync(state, { recursive: true, force: true });
  state = undefined;
});

describe('acquireLocks', () => {
  it('takes none when one is held by a live run: the ones taken first are released', () => {
    state = mkdtempSync(join(tmpdir(), 'locks-'));
    const env = { XDG_STATE_HOME: state };
    const dir = join(state, 'auth0-sms-gateway', 'locks');
    mkdirSync(dir, { recursive: true });
    // Sorted order: con_a is taken first, then con_b is found held by the test's own parent (alive).
    writeFileSync(join(dir, 'tenant.example.com_con_b.lock'), `${process.ppid}\n`);
    expect(() => acquireLocks(env, 'tenant.example.com', ['con_b', 'con_a'])).toThrow(CliError);
    expect(existsSync(join(dir, 'tenant.example.com_con_a.lock'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['tenant.example.com_con_b.lock']);
  });
});
