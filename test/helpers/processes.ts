/**
 * Which processes are still alive, found by a marker in their environment: a test gives the
 * process it spawns a unique value (a private TMPDIR, say) that its children inherit, then
 * asks whether any process still carries it. Reads /proc, so it answers only on Linux;
 * elsewhere `canListProcesses()` is false and callers skip that check.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export function canListProcesses(): boolean {
  return process.platform === 'linux' && existsSync('/proc/self/environ');
}

/** The ids of the processes (of this user: others' environments are unreadable) whose environment contains `marker`. */
export function processesWithEnvironment(marker: string): number[] {
  if (!canListProcesses()) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue; // gone meanwhile, or not ours
    }
    if (environ.includes(marker)) found.push(Number(entry));
  }
  return found;
}

/** Resolves once `check` returns a value other than undefined; rejects after `timeoutMs`. */
export async function waitUntil<T>(check: () => T | undefined, what: string, timeoutMs = 15_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
