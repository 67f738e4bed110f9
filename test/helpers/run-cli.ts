import { PassThrough } from 'node:stream';
import { main } from '../../src/cli.js';
import { forgetSecrets } from '../../src/core/redact.js';
import type { Io } from '../../src/ui/output.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Pretend stdin/stdout/stderr are terminals. */
  tty?: boolean;
  stdin?: string;
}

/** Runs the CLI in-process, as a fresh process would, with captured streams and an environment of the test's choosing only. */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = options.tty === true;
  if (options.stdin !== undefined) stdin.end(options.stdin);
  const io: Io = {
    stdout: { write: (t: string) => (stdout += t), isTTY: options.tty === true },
    stderr: { write: (t: string) => (stderr += t), isTTY: options.tty === true },
    stdin,
    env: { ...(options.env ?? {}) },
  };
  // Each run starts as a new process would: no secret known from an earlier run to hide a leak in this one.
  forgetSecrets();
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
