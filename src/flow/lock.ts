import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, CliError } from '../core/errors.js';
import { untrusted } from '../core/untrusted.js';
import { stateDir } from './state-dir.js';

/** How long a run waits for another one to finish taking its lock (a few milliseconds of work). */
const GATE_WAIT_MS = 3000;

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

/** The targets another run's lock lists ([] once it is released); null when it is not a lock this tool wrote. */
function heldTargets(file: string): string[] | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (code(error) === 'ENOENT') return [];
    throw error;
  }
  try {
    const held: unknown = (JSON.parse(text) as { targets?: unknown }).targets;
    return Array.isArray(held) && held.every((t) => typeof t === 'string') ? held : null;
  } catch {
    return null;
  }
}

/** An empty gate older than this is stale: no run stays inside one for more than milliseconds. */
const GATE_STALE_MS = 30_000;

/** What a look at the gate found: gone, or a file with its identity, its holder's pid and age. */
type GateSeen = { kind: 'gone' } | { kind: 'foreign' } | { kind: 'file'; ino: number; pid: number | undefined; ageMs: number };

function lookAtGate(gate: string): GateSeen {
  try {
    const stat = lstatSync(gate);
    if (!stat.isFile()) return { kind: 'foreign' };
    const pid = Number(readFileSync(gate, 'utf8').split(' ')[0]);
    return { kind: 'file', ino: stat.ino, pid: Number.isInteger(pid) && pid > 0 ? pid : undefined, ageMs: Date.now() - stat.mtimeMs };
  } catch (error) {
    if (code(error) === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
}

/**
 * A gate its holder left behind (killed inside it): its process is gone, or is this one (no
 * run of this process is inside a gate while it waits for one: taking, using and leaving it
 * happen in one synchronous step; pid 1 in a container after a crash). An empty one (its
 * process died between creating and filling it) is stale once older than any run stays
 * inside. Age alone never condemns a gate that names a live process: on a network folder
 * whose clock is off, a fresh gate can look old.
 */
const isStale = (seen: GateSeen & { kind: 'file' }, staleMs: number): boolean =>
  seen.pid === undefined ? seen.ageMs > staleMs : seen.pid === process.pid || !alive(seen.pid);

/**
 * Removes a stale gate, and only it: moved aside first (atomic), then deleted if it is the file
 * that was judged stale; a gate another run made meanwhile is put back.
 */
function breakStaleGate(gate: string, seen: GateSeen & { kind: 'file' }): void {
  const aside = `${gate}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(gate, aside);
  } catch (error) {
    if (code(error) === 'ENOENT') return;
    throw error;
  }
  if (lstatSync(aside).ino !== seen.ino) {
    try {
      linkSync(aside, gate);
    } catch (error) {
      if (code(error) !== 'EEXIST') throw error;
    }
  }
  rmSync(aside, { force: true });
}

/**
 * The tenant's gate: a file created with O_EXCL, held for the few milliseconds in which a run
 * reads the other runs' locks and writes its own, so that two runs never decide at once. It
 * holds the run's pid and a token; leaving, a run removes it only if it is still its own.
 */
async function passGate<T>(gate: string, { waitMs, staleMs }: { waitMs: number; staleMs: number }, inside: () => T): Promise<T> {
  const token = `${process.pid} ${randomBytes(6).toString('hex')}\n`;
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(gate, token, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if (code(error) !== 'EEXIST') throw error;
    }
    const seen = lookAtGate(gate);
    if (seen.kind === 'foreign') {
      throw new CliError(ExitCode.input, `${gate} is not a file this tool wrote (a folder or a link): nothing was written`, { hint: 'remove it, then run again' });
    }
    if (seen.kind === 'file' && isStale(seen, staleMs)) {
      breakStaleGate(gate, seen);
      continue;
    }
    if (Date.now() > deadline) {
      const holder = seen.kind === 'file' && seen.pid !== undefined ? ` (pid ${seen.pid})` : '';
      throw new CliError(ExitCode.remote, `another auth0-sms-gateway run${holder} has been taking its lock for over ${waitMs / 1000} s: nothing was written`, {
        hint: `run again; if no other run is going on, remove ${gate}`,
      });
    }
    await sleep(5 + Math.min(attempt, 10) * 5 + Math.random() * 10);
  }
  try {
    return inside();
  } finally {
    let still: string | undefined;
    try {
      still = readFileSync(gate, 'utf8');
    } catch {
      still = undefined;
    }
    if (still === token) rmSync(gate, { force: true });
  }
}

/**
 * Locks, so that two runs on one machine cannot interleave their re-read and PATCH on the same
 * connection (Auth0 has no conditional PATCH: the re-read guard alone cannot see a write that
 * lands between it and the PATCH). A run holds one file per tenant in the state folder's
 * locks/, `<tenant>~<pid>-<random>.lock`, a JSON object with its pid and the targets it changes.
 * It takes them all before the first write, or none; `release` removes the file. One file, not
 * one per target: creating a file costs a fraction of a millisecond (more on a network or
 * encrypted home), which an apply of 200 connections would pay 200 times.
 *
 * Runs read the other locks and write their own behind the tenant's gate (passGate), one at a
 * time: of two runs that want the same connection, exactly one goes on, and no run reads a lock
 * half written. A lock whose process is gone is stale and removed; one of this process is its own.
 */
export async function acquireLocks(
  env: NodeJS.ProcessEnv,
  tenant: string,
  targets: readonly string[],
  { gateWaitMs = GATE_WAIT_MS, gateStaleMs = GATE_STALE_MS } = {},
): Promise<() => void> {
  const dir = join(stateDir(env), 'locks');
  const prefix = `${tenant.replace(/[^A-Za-z0-9._-]/g, '_')}~`;
  const wanted = [...new Set(targets)].sort();
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
    await passGate(join(dir, `${prefix}gate`), { waitMs: gateWaitMs, staleMs: gateStaleMs }, () => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const m = entry.isFile() && entry.name.startsWith(prefix) ? /^([1-9]\d*)-[0-9a-f]+\.lock$/.exec(entry.name.slice(prefix.length)) : null;
        if (m === null) continue;
        const pid = Number(m[1]);
        if (pid === process.pid) continue;
        const file = join(dir, entry.name);
        if (!alive(pid)) {
          rmSync(file, { force: true });
          continue;
        }
        const held = heldTargets(file);
        if (held === null) {
          throw new CliError(ExitCode.remote, `another auth0-sms-gateway run (pid ${pid}) holds a lock on ${tenant} that cannot be read: nothing was written`, {
            hint: `wait for it to finish; if no other run is going on, remove ${file}`,
          });
        }
        const clash = wanted.find((target) => held.includes(target));
        if (clash === undefined) continue;
        throw new CliError(ExitCode.remote, `another auth0-sms-gateway run (pid ${pid}) is changing ${untrusted(clash)} on ${tenant}: nothing was written`, {
          hint: `wait for it to finish, then run again (its lock is ${file})`,
        });
      }
      writeFileSync(mine, `${JSON.stringify({ pid: process.pid, targets: wanted })}\n`, { flag: 'wx', mode: 0o600 });
      taken = true;
    });
  } catch (error) {
    release();
    if (error instanceof CliError) throw error;
    throw new CliError(ExitCode.input, `cannot take the lock in ${dir} (${code(error) ?? 'error'}): nothing was written`, {
      hint: 'make the state folder writable (XDG_STATE_HOME or ~/.local/state), then run again',
    });
  }
  return release;
}
