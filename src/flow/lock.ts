import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, CliError } from '../core/errors.js';
import { untrusted } from '../core/untrusted.js';
import { stateDir } from './backup.js';

/** Whether a process with this pid is alive on this machine (a lock of a dead one is stale). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The targets another run's lock file names; null when it cannot be read whole (it holds everything then). */
function heldTargets(file: string): string[] | null {
  try {
    const held: unknown = JSON.parse(readFileSync(file, 'utf8')).targets;
    return Array.isArray(held) && held.every((t) => typeof t === 'string') ? held : null;
  } catch (error) {
    // Released (removed) between the listing and this read: it holds nothing.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    return null;
  }
}

/**
 * Locks, so that two runs on one machine cannot interleave their re-read and PATCH on the same
 * connection (Auth0 has no conditional PATCH: the re-read guard alone cannot see a write that
 * lands between it and the PATCH). A run holds one file per tenant in the state folder's
 * locks/, named `<tenant>~<pid>-<random>.lock`, listing its targets; it takes them all before
 * the first write, or none; `release` removes the file. One file, not one per target: creating
 * a file costs a fraction of a millisecond (more on a network or encrypted home), which a
 * 200-connection apply would pay 200 times.
 *
 * The file is written first, then the folder is read: of two runs that start together, at
 * least one sees the other (whichever lists the folder last), so both may stop, never both
 * go on. A lock whose process is gone is stale and removed; one of this process is its own.
 */
export function acquireLocks(env: NodeJS.ProcessEnv, tenant: string, targets: readonly string[]): () => void {
  const dir = join(stateDir(env), 'locks');
  const prefix = `${tenant.replace(/[^A-Za-z0-9._-]/g, '_')}~`;
  const wanted = new Set(targets);
  const mine = join(dir, `${prefix}${process.pid}-${randomBytes(4).toString('hex')}.lock`);
  let taken = false;
  const release = () => {
    if (!taken) return;
    taken = false;
    rmSync(mine, { force: true });
  };
  try {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    }
    writeFileSync(mine, `${JSON.stringify({ pid: process.pid, targets: [...wanted].sort() })}\n`, { flag: 'wx', mode: 0o600 });
    taken = true;
    for (const name of readdirSync(dir).sort()) {
      const m = /^(\d+)-[0-9a-f]+\.lock$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '');
      if (m === null) continue;
      const pid = Number(m[1]);
      if (pid === process.pid) continue;
      const file = join(dir, name);
      if (!alive(pid)) {
        rmSync(file, { force: true });
        continue;
      }
      const held = heldTargets(file);
      const clash = held === null ? [...wanted].sort()[0] : held.find((t) => wanted.has(t));
      if (clash === undefined) continue;
      throw new CliError(ExitCode.remote, `another auth0-sms-gateway run (pid ${pid}) is changing ${untrusted(clash)} on ${tenant}: nothing was written`, {
        hint: `wait for it to finish, then run again (its lock is ${file})`,
      });
    }
  } catch (error) {
    release();
    if (error instanceof CliError) throw error;
    throw new CliError(ExitCode.input, `cannot take the lock in ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'}): nothing was written`, {
      hint: 'make the state folder writable (XDG_STATE_HOME or ~/.local/state), then run again',
    });
  }
  return release;
}
