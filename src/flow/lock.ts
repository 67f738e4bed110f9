import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Locks, one file per tenant and target in the state folder, so that two runs on one machine
 * cannot interleave their re-read and PATCH on the same connection (Auth0 has no conditional
 * PATCH: the re-read guard alone cannot see a write that lands between it and the PATCH).
 * All are taken before the first write, in one order, or none is; `release` removes them.
 * A lock whose process is gone is stale and taken over.
 */
export function acquireLocks(env: NodeJS.ProcessEnv, tenant: string, targets: readonly string[]): () => void {
  const dir = join(stateDir(env), 'locks');
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  const held: string[] = [];
  const release = () => {
    for (const file of held.splice(0)) rmSync(file, { force: true });
  };
  try {
    for (const target of [...new Set(targets)].sort()) {
      const file = join(dir, `${safe(tenant)}_${safe(target)}.lock`);
      for (let attempt = 0; ; attempt++) {
        try {
          writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
          held.push(file);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
          const pid = Number(readFileSync(file, 'utf8').trim());
          if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
            throw new CliError(ExitCode.remote, `another auth0-sms-gateway run (pid ${pid}) is changing ${untrusted(target)} on ${tenant}: nothing was written`, {
              hint: `wait for it to finish, then run again (its lock is ${file})`,
            });
          }
          rmSync(file, { force: true });
        }
      }
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
