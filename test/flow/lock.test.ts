// Locks: one file per run and tenant, naming its targets, published before the others are read,
// taken before the first write or not at all. Another live run's lock on any of the same targets
// stops this run and leaves nothing of it in the state folder; a lock of a process that is gone
// is removed; of runs that start together on one target, exactly one goes on.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/core/errors.js';
import { acquireLocks, LOCK_ORIGIN } from '../../src/flow/lock.js';

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

/** Another run's lock file, as acquireLocks writes one (or `text` in its place). */
function otherRun(dir: string, pid: number, targets: string[], { tenant = TENANT, text, where = LOCK_ORIGIN }: { tenant?: string; text?: string; where?: string } = {}): string {
  const name = `${tenant}~${pid}-0badc0de.lock`;
  writeFileSync(join(dir, name), text ?? `${JSON.stringify({ pid, where, targets })}\n`);
  return name;
}

async function refusal(run: () => Promise<unknown>): Promise<CliError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('acquireLocks did not refuse');
}

describe('acquireLocks', () => {
  it('one file for the whole run, however many targets, listing them; release removes it', async () => {
    const { env, dir } = setUp();
    const targets = Array.from({ length: 250 }, (_, i) => `con_${String(i).padStart(3, '0')}`);
    const release = await acquireLocks(env, TENANT, [...targets].reverse());
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^tenant\\.example\\.com~${process.pid}-[0-9a-f]{8}\\.lock$`));
    expect(JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'))).toEqual({ pid: process.pid, where: LOCK_ORIGIN, targets });
    release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('another live run holding one of the targets: refused (exit 1, naming it and the pid), nothing of this run left', async () => {
    const { env, dir } = setUp();
    const theirs = otherRun(dir, LIVE, ['con_b', 'con_z']);
    const error = await refusal(() => acquireLocks(env, TENANT, ['con_a', 'con_b']));
    expect(error.exitCode).toBe(ExitCode.remote);
    expect(error.message).toBe(`another auth0-sms-gateway run (pid ${LIVE}) is changing con_b on ${TENANT}: nothing was written`);
    expect(error.hint).toContain(join(dir, theirs));
    expect(readdirSync(dir)).toEqual([theirs]);
  });

  it('a live run on other targets, or on another tenant, does not stop this one', async () => {
    const { env, dir } = setUp();
    const a = otherRun(dir, LIVE, ['con_x']);
    const b = otherRun(dir, LIVE, ['con_a'], { tenant: 'other.example.com' });
    const release = await acquireLocks(env, TENANT, ['con_a']);
    expect(readdirSync(dir)).toHaveLength(3);
    release();
    expect(readdirSync(dir).sort()).toEqual([a, b].sort());
  });

  it('a live run\'s lock that is not one this tool wrote: refused, saying so rather than naming a connection', async () => {
    const { env, dir } = setUp();
    const theirs = otherRun(dir, LIVE, [], { text: 'not json' });
    const error = await refusal(() => acquireLocks(env, TENANT, ['con_a']));
    expect(error.message).toBe(`another auth0-sms-gateway run (pid ${LIVE}) holds a lock on ${TENANT} that cannot be read: nothing was written`);
    expect(error.hint).toContain(`remove ${join(dir, theirs)}`);
    expect(readdirSync(dir)).toEqual([theirs]);
  });

  it('stale: the lock of a process that is gone is removed; a folder, pid 0 or a foreign name is not a lock', async () => {
    const { env, dir } = setUp();
    otherRun(dir, DEAD, ['con_a']);
    mkdirSync(join(dir, `${TENANT}~${DEAD - 1}-00000000.lock`));
    const zero = otherRun(dir, 0, ['con_a']);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const release = await acquireLocks(env, TENANT, ['con_a']);
    const left = readdirSync(dir);
    expect(left.filter((name) => name.includes(`~${process.pid}-`))).toHaveLength(1);
    expect(left.filter((name) => !name.includes(`~${process.pid}-`)).sort()).toEqual([`${TENANT}~${DEAD - 1}-00000000.lock`, zero, 'notes.txt'].sort());
    release();
  });

  it('a lock this process holds already is its own, not another run', async () => {
    const { env, dir } = setUp();
    const first = await acquireLocks(env, TENANT, ['phone-provider']);
    const second = await acquireLocks(env, TENANT, ['phone-provider']);
    expect(readdirSync(dir)).toHaveLength(2);
    second();
    first();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a crashed run\'s lock named with this very pid (pid 1 in a container) is not this run\'s: removed; a half-written one decides nothing', async () => {
    const { env, dir } = setUp();
    otherRun(dir, process.pid, ['con_a']);
    const half = `${TENANT}~${LIVE}-0badc0de.tmp`;
    writeFileSync(join(dir, half), '{"pid":');
    const release = await acquireLocks(env, TENANT, ['con_a']);
    expect(readdirSync(dir)).toHaveLength(2);
    expect(readdirSync(dir)).not.toContain(`${TENANT}~${process.pid}-0badc0de.lock`);
    release();
    expect(readdirSync(dir)).toEqual([half]);
  });

  it('a lock written on another machine or container is never judged by its pid: it counts as live, and the hint says how to clear it', async () => {
    const { env, dir } = setUp();
    const theirs = otherRun(dir, DEAD, ['con_a'], { where: 'another-host pid:[4026531836]' });
    const error = await refusal(() => acquireLocks(env, TENANT, ['con_a']));
    expect(error.message).toBe(`another auth0-sms-gateway run (pid ${DEAD}, on another machine or container) is changing con_a on ${TENANT}: nothing was written`);
    expect(error.hint).toBe(`wait for it to finish; if no run is going on there, remove ${join(dir, theirs)}`);
    // A lock that does not say where it was written is live too, without claiming where it is.
    rmSync(join(dir, theirs));
    const old = otherRun(dir, DEAD, ['con_a'], { text: `${JSON.stringify({ pid: DEAD, targets: ['con_a'] })}\n` });
    const unknown = await refusal(() => acquireLocks(env, TENANT, ['con_a']));
    expect(unknown.message).toBe(`another auth0-sms-gateway run (pid ${DEAD}) is changing con_a on ${TENANT}: nothing was written`);
    expect(unknown.hint).toBe(`wait for it to finish; if no run is going on, remove ${join(dir, old)}`);
  });

  it('where a lock was written: this host name, and on Linux this pid namespace', () => {
    expect(LOCK_ORIGIN.startsWith(hostname())).toBe(true);
    let namespace = '';
    try {
      namespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      // Not Linux: the host name alone.
    }
    expect(LOCK_ORIGIN).toBe(`${hostname()} ${namespace}`.trim());
  });

  it('one tenant, however its domain is spelled: case, a final dot, the default port', async () => {
    const { env, dir } = setUp();
    for (const spelling of ['Acme.EU.auth0.com', 'acme.eu.auth0.com.', 'acme.eu.auth0.com:443', 'acme.eu.auth0.com.:443']) {
      const release = await acquireLocks(env, spelling, ['con_a']);
      expect(readdirSync(dir), spelling).toEqual([expect.stringMatching(/^acme\.eu\.auth0\.com~\d+-[0-9a-f]{8}\.lock$/)]);
      release();
    }
  });

  it('a live run whose lock stays in the way is named after a second look, within the time given', async () => {
    const { env, dir } = setUp();
    otherRun(dir, LIVE, ['con_a']);
    const started = performance.now();
    const error = await refusal(() => acquireLocks(env, TENANT, ['con_a'], { tryForMs: 60_000 }));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(error.message).toMatch(/is changing con_a on /);
  });

  it('a state folder that cannot be written: exit 2 naming the fix, nothing taken', async () => {
    state = mkdtempSync(join(tmpdir(), 'locks-'));
    // A file where the folder should be.
    writeFileSync(join(state, 'auth0-sms-gateway'), '');
    const started = performance.now();
    const error = await refusal(() => acquireLocks({ XDG_STATE_HOME: state }, TENANT, ['con_a']));
    // At once: only Windows's passing EPERM is worth waiting out.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message).toMatch(/^cannot take the lock in .*: nothing was written$/);
    expect(error.hint).toMatch(/XDG_STATE_HOME/);
  });
});

describe('two processes that start together', () => {
  // acquireLocks in separate processes, as two runs of the CLI take it: each one takes its lock
  // when the test writes a line to all of them at once, says what it got, and holds it until
  // its stdin closes.
  let harness: string;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'locks-race-'));
    const entry = join(work, 'entry.ts');
    writeFileSync(
      entry,
      `import { acquireLocks } from ${JSON.stringify(fileURLToPath(new URL('../../src/flow/lock.ts', import.meta.url)))};
process.stdin.once('data', async () => {
  try {
    const release = await acquireLocks(process.env, 'tenant.example.com', process.argv.slice(2));
    process.stdout.write('taken\\n');
    process.stdin.on('end', () => { release(); process.exit(0); }).resume();
  } catch (error) {
    process.stdout.write('refused: ' + error.message + '\\n');
    process.exit(0);
  }
});
`,
    );
    harness = join(work, 'lock-harness.mjs');
    await build({
      entryPoints: [entry],
      outfile: harness,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'error',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const start = (env: NodeJS.ProcessEnv, targets: string[]) => {
    const child = spawn(process.execPath, [harness, ...targets], { env: { ...env, PATH: process.env.PATH }, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const answered = new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => ((out += chunk.toString()).includes('\n') ? resolve(out.trim()) : undefined));
      child.on('close', (code) => resolve(`exited ${code} without an answer`));
    });
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    return { child, answered, exited, pid: child.pid };
  };

  it('three at once on one connection, with the lock of a crashed run in the folder: exactly one goes on', async () => {
    const { env, dir } = setUp();
    for (let round = 0; round < Number(process.env.LOCK_RACE_ROUNDS ?? 12); round++) {
      otherRun(dir, DEAD, ['con_a']);
      const runs = [start(env, ['con_a']), start(env, ['con_a']), start(env, ['con_a'])];
      await new Promise((resolve) => setTimeout(resolve, round === 0 ? 400 : 150));
      for (const run of runs) run.child.stdin.write('go\n');
      const answers = await Promise.all(runs.map((run) => run.answered));
      expect(answers.filter((a) => a === 'taken'), `round ${round}: ${answers.join(' | ')}`).toHaveLength(1);
      for (const run of runs) run.child.stdin.end();
      await Promise.all(runs.map((run) => run.exited));
      expect(readdirSync(dir)).toEqual([]);
    }
  }, 60_000);

  it('on the same connection exactly one goes on, every time; on different ones both do', async () => {
    const { env, dir } = setUp();
    for (let round = 0; round < 12; round++) {
      const same = round % 3 !== 2;
      const runs = [start(env, ['con_a']), start(env, [same ? 'con_a' : 'con_b'])];
      // Both loaded and waiting: then the word to both at once.
      await new Promise((resolve) => setTimeout(resolve, round === 0 ? 400 : 150));
      for (const run of runs) run.child.stdin.write('go\n');
      const answers = await Promise.all(runs.map((run) => run.answered));
      if (same) {
        expect(answers.filter((a) => a === 'taken'), `round ${round}: ${answers.join(' | ')}`).toHaveLength(1);
        const winner = runs[answers.indexOf('taken')]!;
        expect(answers.find((a) => a !== 'taken')).toBe(`refused: another auth0-sms-gateway run (pid ${winner.pid}) is changing con_a on ${TENANT}: nothing was written`);
      } else {
        expect(answers, `round ${round}`).toEqual(['taken', 'taken']);
      }
      for (const run of runs) run.child.stdin.end();
      await Promise.all(runs.map((run) => run.exited));
      expect(readdirSync(dir)).toEqual([]);
    }
  }, 60_000);
});
