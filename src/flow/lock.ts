import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, CliError } from '../core/errors.js';
import { untrusted } from '../core/untrusted.js';
import { stateDir } from './state-dir.js';

/** How long a run keeps trying when every try met another run that was trying too. */
const TRY_FOR_MS = 3000;

/** Whether a process with this pid is alive on this machine (a lock of a dead one is stale). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** Removes a file, retrying where Windows keeps one busy for a moment while another process reads it. */
const remove = (file: string): void => rmSync(file, { force: true, maxRetries: 5, retryDelay: 10 });

/**
 * Where pids mean what they say: this host, and on Linux this pid namespace. A lock written
 * elsewhere (a state folder shared with a container or over NFS) is never judged by its pid:
 * it counts as live.
 */
export const LOCK_ORIGIN: string = (() => {
  let namespace = '';
  try {
    namespace = readlinkSync('/proc/self/ns/pid');
  } catch {
    // Not Linux, or no /proc: the host name alone.
  }
  return `${hostname()} ${namespace}`.trim();
})();

/** The lock files this process holds: a file named with this pid, written here and not held, is a crashed run's (pid 1 in a container). */
const heldHere = new Set<string>();

/**
 * Another run's lock: the targets it lists and where it was written; null when it is not a lock
 * this tool wrote; undefined when there is nothing to read (released meanwhile, or a folder).
 */
function readLock(file: string): { targets: string[]; where: string | undefined } | null | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (code(error) === 'ENOENT' || code(error) === 'EISDIR') return undefined;
    throw error;
  }
  try {
    const lock = JSON.parse(text) as { targets?: unknown; where?: unknown };
    const held = lock.targets;
    if (!Array.isArray(held) || !held.every((t) => typeof t === 'string')) return null;
    return { targets: held, where: typeof lock.where === 'string' ? lock.where : undefined };
  } catch {
    return null;
  }
}

/** Where a lock was written: here, on another machine or container, or not said (a lock this version did not write). */
type Origin = 'here' | 'elsewhere' | 'unknown';
/** What one try found in the way: the first other run's lock that is. */
type Clash = { file: string; pid: number; target: string | null; origin: Origin };

/**
 * One try, in one synchronous step: publish this run's lock (written aside, then renamed into
 * place, so that no run reads it half written), then read the others. A lock of a process that
 * is gone is removed (by its own name: no other file ever has it).
 */
function tryOnce(dir: string, prefix: string, wanted: readonly string[], mine: string): Clash | null {
  const aside = mine.replace(/\.lock$/, '.tmp');
  writeFileSync(aside, `${JSON.stringify({ pid: process.pid, where: LOCK_ORIGIN, targets: wanted })}\n`, { flag: 'wx', mode: 0o600 });
  renameSync(aside, mine);
  heldHere.add(mine);
  // Names only: some file systems give no type with the listing, and a file removed meanwhile
  // must not fail the run.
  for (const name of readdirSync(dir)) {
    const m = name.startsWith(prefix) ? /^([1-9]\d*)-[0-9a-f]+\.(lock|tmp)$/.exec(name.slice(prefix.length)) : null;
    if (m === null) continue;
    const file = join(dir, name);
    if (heldHere.has(file)) continue;
    const pid = Number(m[1]);
    // A run's lock being written: it decides nothing, and whose it is cannot be told (a crash
    // in that instant leaves one behind, harmless).
    if (m[2] === 'tmp') continue;
    const lock = readLock(file);
    if (lock === undefined) continue;
    // Judged by its pid only where that pid means this machine's process.
    if (lock !== null && lock.where === LOCK_ORIGIN && (pid === process.pid || !alive(pid))) {
      // Read as a file just now: a folder of that name never gets here.
      remove(file);
      continue;
    }
    if (lock === null) return { file, pid, target: null, origin: 'unknown' };
    const target = wanted.find((t) => lock.targets.includes(t));
    if (target !== undefined) return { file, pid, target, origin: lock.where === LOCK_ORIGIN ? 'here' : lock.where === undefined ? 'unknown' : 'elsewhere' };
  }
  return null;
}

/**
 * Locks, so that two runs on one machine cannot interleave their re-read and PATCH on the same
 * connection (Auth0 has no conditional PATCH: the re-read guard alone cannot see a write that
 * lands between it and the PATCH). A run holds one file per tenant in the state folder's
 * locks/, `<tenant>~<pid>-<random>.lock`, a JSON object with its pid, where it runs (pids are
 * judged only there) and the targets it changes.
 * It takes them all before the first write, or none; `release` removes the file. One file, not
 * one per target: creating a file costs a fraction of a millisecond (more on a network or
 * encrypted home), which an apply of 200 connections would pay 200 times.
 *
 * A run publishes its lock, then reads the others: of two runs on one target, the one that
 * publishes last sees the other, so never do both go on. When it sees one, it withdraws (removes
 * its own), waits a random moment and tries again under a new name; a lock it sees again under
 * the same name is a run that went on (a withdrawing run is gone within the same step), and stops
 * this one. So two runs that start together end with one going on, not both stopping. No file
 * has a name two runs could both use, so removing a stale one can never remove a live one.
 */
export async function acquireLocks(env: NodeJS.ProcessEnv, tenant: string, targets: readonly string[], { tryForMs = TRY_FOR_MS } = {}): Promise<() => void> {
  const dir = join(stateDir(env), 'locks');
  // One tenant, however its domain is spelled (case, a final dot, the default port).
  const key = tenant.toLowerCase().replace(/:443$/, '').replace(/\.$/, '');
  const prefix = `${key.replace(/[^A-Za-z0-9._-]/g, '_')}~`;
  const wanted = [...new Set(targets)].sort();
  const deadline = performance.now() + tryForMs;
  let mine: string | undefined;
  const withdraw = (): void => {
    if (mine === undefined) return;
    const file = mine;
    mine = undefined;
    heldHere.delete(file);
    // Best effort: a lock left behind is a dead run's to the next one, and says whose it was.
    for (const path of [file.replace(/\.lock$/, '.tmp'), file]) {
      try {
        remove(path);
      } catch {
        // Left for the next run to remove.
      }
    }
  };
  try {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    }
    let seen: string | undefined;
    for (let attempt = 0; ; attempt++) {
      mine = join(dir, `${prefix}${process.pid}-${randomBytes(4).toString('hex')}.lock`);
      let clash: Clash | null;
      try {
        clash = tryOnce(dir, prefix, wanted, mine);
      } catch (error) {
        // Windows holds a fresh file for a moment (an antivirus scan, a delete still pending): try again.
        if (process.platform !== 'win32' || !['EPERM', 'EACCES', 'EBUSY'].includes(code(error) ?? '') || performance.now() > deadline) throw error;
        withdraw();
        await sleep(20);
        continue;
      }
      if (clash === null) break;
      withdraw();
      if (clash.file === seen || performance.now() > deadline) throw clashError(clash, tenant);
      seen = clash.file;
      await sleep(10 + Math.random() * (20 + 10 * Math.min(attempt, 5)));
    }
  } catch (error) {
    withdraw();
    if (error instanceof CliError) throw error;
    throw new CliError(ExitCode.input, `cannot take the lock in ${dir} (${code(error) ?? 'error'}): nothing was written`, {
      hint: 'make the state folder writable (XDG_STATE_HOME or ~/.local/state), then run again',
    });
  }
  const held = mine;
  return () => {
    if (mine !== held) return;
    withdraw();
  };
}

function clashError(clash: Clash, tenant: string): CliError {
  const { file, pid, target, origin } = clash;
  if (target === null) {
    return new CliError(ExitCode.remote, `another auth0-sms-gateway run (pid ${pid}) holds a lock on ${tenant} that cannot be read: nothing was written`, {
      hint: `wait for it to finish; if no other run is going on, remove ${file}`,
    });
  }
  return new CliError(ExitCode.remote, `another auth0-sms-gateway run (pid ${pid}${origin === 'elsewhere' ? ', on another machine or container' : ''}) is changing ${untrusted(target)} on ${tenant}: nothing was written`, {
    hint:
      origin === 'here'
        ? `wait for it to finish, then run again (its lock is ${file})`
        : `wait for it to finish; if no run is going on${origin === 'elsewhere' ? ' there' : ''}, remove ${file}`,
  });
}
