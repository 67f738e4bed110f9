/**
 * The CLI in-process on a pretend terminal, answering its prompts step by step: the real
 * prompt library reads a TTY-flagged stdin stream and draws on stderr, as it would for a person.
 * Unlike runCli's `tty` option, stdin stays open, so questions wait for the keys of each step.
 *
 *   const r = await runCliOnTerminal(['wizard'], { env, steps: [[/Gateway URL/, `${url}${KEY.enter}`], …] });
 */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli.js';
import { forgetSecrets } from '../../src/core/redact.js';
import type { Io } from '../../src/ui/output.js';
import type { CliRun } from './run-cli.js';
import { KEY, play, Screen, stripAnsi, type Step } from './pty.js';

export { KEY, type Step };

/** stdout and stderr with colours and cursor moves removed (the terminal makes them colourful). */
export interface TerminalRun extends CliRun {
  /** stdout and stderr as they appeared on the screen, escapes removed. */
  screen: string;
}

export async function runCliOnTerminal(argv: string[], options: { env?: NodeJS.ProcessEnv; steps: readonly Step[] }): Promise<TerminalRun> {
  let stdout = '';
  let stderr = '';
  const screen = new Screen();
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  // A wide terminal: prompts wrap at the width, and wrapped lines would break the step patterns.
  const terminal = { isTTY: true, columns: 200, rows: 50 };
  const io: Io = {
    stdout: { ...terminal, write: (t: string) => ((stdout += t), screen.write(t)) },
    stderr: { ...terminal, write: (t: string) => ((stderr += t), screen.write(t)) },
    stdin,
    env: { ...(options.env ?? {}) },
  };
  // As a fresh process would: no secret known from an earlier run (run-cli.ts says why).
  forgetSecrets();
  const run = main(argv, io).finally(() => screen.close('the CLI returned'));
  const script = play({ screen, type: (keys) => stdin.write(keys) }, options.steps);
  // A step that never came leaves a prompt waiting for keys: Ctrl-C ends it, then the step's error is thrown.
  const failed = await script.then(
    () => undefined,
    (error: unknown) => {
      stdin.write(KEY.ctrlC);
      return error;
    },
  );
  const code = await run;
  stdin.end();
  if (failed !== undefined) throw failed;
  return { code, stdout: stripAnsi(stdout), stderr: stripAnsi(stderr), screen: screen.text };
}
