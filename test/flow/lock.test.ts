// Locks: one file per run and tenant, naming its targets, taken before the first write or not
// at all. Another live run's lock on any of the same targets stops this run and leaves nothing
// of it in the state folder; a lock of a process that is gone is removed.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/core/errors.js';
import { acquireLocks } from '../../src/flow/lock.js';

const TENANT = 'tenant.example.com';
/** A process that is alive while the test runs (the test runner's parent); no pid is above 2^22 on Linux. */
const LIVE = process.ppid;
const DEAD = 2147483646;

let state: string | undefined;
afterEach(() => {
  if (state !== undefined) rmSync(state, { recursive: true, force: true });
  state = undefined;
});

function setUp(): { env: NodeJS.ProcessEnv; dir: string } {
  state = mkdtempSync(join(tmpdir(), 'locks-'));
  const dir = join(state, 'auth0-sms-gateway', 'locks');
  mkdirSync(dir, { recursive: true });
  return { env: { XDG_STATE_HOME: state }, dir };
}

/** Another run's lock file, as acquireLocks writes one. */
function otherRun(dir: string, pid: number, targets: string[] | string, tenant = TENANT): string {
  const name = `${tenant}~${pid}-0badc0de.lock`;
  writeFileSync(join(dir, name), typeof targets === 'string' ? targets : `${JSON.stringify({ pid, targets })}\n`);
  return name;
}

function refusal(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('acquireLocks did not refuse');
}

describe('acquireLocks', () => {
  it('one file for the whole run, however many targets, listing them; release removes it', () => {
    const { env, dir } = setUp();
    const targets = Array.from({ length: 250 }, (_, i) => `con_${String(i).padStart(3, '0')}`);
    const release = acquireLocks(env, TENANT, [...targets].reverse());
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^tenant\\.example\\.com~${process.pid}-[0-9a-f]{8}\\.lock$`));
    expect(JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'))).toEqual({ pid: process.pid, targets });
    release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('another live run holding one of the targets: refused (exit 1, naming it and the pid), nothing of this run left', () => {
    const { env, dir } = setUp();
    const theirs = otherRun(dir, LIVE, ['con_b', 'con_z']);
    const error = refusal(() => acquireLocks(env, TENANT, ['con_a', 'con_b']));
    expect(error.exitCode).toBe(ExitCode.remote);
    expect(error.message).toBe(`another auth0-sms-gateway run (pid ${LIVE}) is changing con_b on ${TENANT}: nothing was written`);
    expect(error.hint).toContain(join(dir, theirs));
    expect(readdirSync(dir)).toEqual([theirs]);
  });

  it('a live run on other targets, or on another tenant, does not stop this one', () => {
    const { env, dir } = setUp();
    const a = otherRun(dir, LIVE, ['con_x']);
    const b = otherRun(dir, LIVE, ['con_a'], 'other.example.com');
    const release = acquireLocks(env, TENANT, ['con_a']);
    expect(readdirSync(dir)).toHaveLength(3);
    release();
    expect(readdirSync(dir).sort()).toEqual([a, b].sort());
  });

  it('a live run whose lock cannot be read whole (still being written) holds everything', () => {
    const { env, dir } = setUp();
    const theirs = otherRun(dir, LIVE, '');
    expect(refusal(() => acquireLocks(env, TENANT, ['con_b', 'con_a'])).message).toMatch(/\(pid \d+\) is changing con_a /);
    expect(readdirSync(dir)).toEqual([theirs]);
  });

  it('the lock of a process that is gone is stale: removed, and the run goes on', () => {
    const { env, dir } = setUp();
    otherRun(dir, DEAD, ['con_a']);
    const release = acquireLocks(env, TENANT, ['con_a']);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(new RegExp(`~${process.pid}-`))]);
    release();
    expect(existsSync(dir)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a lock this process holds already is its own, not another run', () => {
    const { env, dir } = setUp();
    const first = acquireLocks(env, TENANT, ['phone-provider']);
    const second = acquireLocks(env, TENANT, ['phone-provider']);
    expect(readdirSync(dir)).toHaveLength(2);
    second();
    first();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a state folder that cannot be written: exit 2 naming the fix, nothing taken', () => {
    state = mkdtempSync(join(tmpdir(), 'locks-'));
    // A file where the folder should be.
    writeFileSync(join(state, 'auth0-sms-gateway'), '');
    const error = refusal(() => acquireLocks({ XDG_STATE_HOME: state }, TENANT, ['con_a']));
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message).toMatch(/^cannot take the lock in .*: nothing was written$/);
    expect(error.hint).toMatch(/XDG_STATE_HOME/);
  });
});
