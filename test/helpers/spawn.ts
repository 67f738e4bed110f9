import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built bin, as npm links it (npm test builds before vitest runs). */
export const BIN_PATH = fileURLToPath(new URL('../../bin/auth0-sms-gateway.js', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (signals count as null). */
  exit: Promise<number | null>;
  /** Resolves once stderr or stdout matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export function spawnBin(args: string[], env: NodeJS.ProcessEnv = {}, bin = BIN_PATH): Spawned {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    for (const l of listeners) l();
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = err.match(pattern) ?? out.match(pattern);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; stdout: ${out}; stderr: ${err}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs the bin to completion. */
export async function runBin(args: string[], env: NodeJS.ProcessEnv = {}, bin = BIN_PATH): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const s = spawnBin(args, env, bin);
  const code = await s.exit;
  return { code, stdout: s.stdout(), stderr: s.stderr() };
}
