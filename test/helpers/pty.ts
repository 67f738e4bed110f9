/**
 * Driving prompts like a person at a terminal: wait until a question is on the screen, then
 * type. `Screen` and `play` work on any output; `spawnInPty` runs the built bin in a real
 * pseudo-terminal (raw mode, real Ctrl-C byte) when the machine has a way to open one.
 *
 *   const term = spawnInPty(['wizard'], env);
 *   await play(term, [[/Gateway URL/, `${url}${KEY.enter}`], [/Apply/, `y${KEY.enter}`]]);
 *   expect(await term.exit).toBe(0);
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { shellQuote } from '../../src/core/shell.js';
import { BIN_PATH } from './spawn.js';

export const KEY = {
  enter: '\r',
  up: '\x1b[A',
  down: '\x1b[B',
  ctrlC: '\x03',
  /** readline's "delete to the start of the line": clears what a prompt kept after a refused answer. */
  clearLine: '\x15',
} as const;

/** Wait for this on the screen, then type that; a function runs once the pattern is there (another client's write while a question waits) and gives the keys. */
export type Step = [pattern: RegExp | string, keys: string | (() => Promise<string>)];

// CSI (colours, cursor moves), OSC (titles) and two-byte escapes: what prompts draw with.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * Everything written to the terminal, stdout and stderr merged as a person sees them.
 * `waitFor` only looks at output that arrived after the previous match, so an answered
 * question redrawn on the screen is never mistaken for the next one.
 */
export class Screen {
  private raw = '';
  private consumed = 0;
  private closed: string | undefined;
  private readonly listeners = new Set<() => void>();

  write(text: string): void {
    this.raw += text;
    for (const listener of [...this.listeners]) listener();
  }

  /** The process is gone: pending waits fail now rather than at their timeout. */
  close(reason: string): void {
    this.closed = reason;
    for (const listener of [...this.listeners]) listener();
  }

  get text(): string {
    return stripAnsi(this.raw);
  }

  waitFor(pattern: RegExp | string, timeoutMs = 5_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const fresh = stripAnsi(this.raw.slice(this.consumed));
        const found = typeof pattern === 'string' ? fresh.includes(pattern) : pattern.test(fresh);
        if (found) {
          this.consumed = this.raw.length;
          done();
          resolve(fresh);
        } else if (this.closed !== undefined) {
          done();
          reject(new Error(`${this.closed} while waiting for ${String(pattern)}; screen since the last step:\n${fresh}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${String(pattern)}; screen since the last step:\n${stripAnsi(this.raw.slice(this.consumed))}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }
}

export interface Terminal {
  screen: Screen;
  type(keys: string): void;
}

/**
 * Plays the steps in order. Keys go out on the next turn of the event loop, after the prompt
 * that drew the question has attached its key handler.
 */
export async function play(terminal: Terminal, steps: readonly Step[]): Promise<void> {
  for (const [pattern, keys] of steps) {
    await terminal.screen.waitFor(pattern);
    await new Promise((resolve) => setImmediate(resolve));
    terminal.type(typeof keys === 'string' ? keys : await keys());
  }
}

/*
 * A pseudo-terminal without a native npm package: util-linux `script` (on nearly every Linux),
 * else python3's pty module. Both give the terminal 200 columns unless told otherwise, so
 * prompts do not wrap lines.
 */
const PYTHON_PTY = `
import fcntl, os, pty, select, struct, sys, termios
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 50, int(sys.argv[1]), 0, 0))
    os.execvp(sys.argv[2], sys.argv[2:])
inputs = [fd, 0]
while True:
    ready, _, _ = select.select(inputs, [], [])
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if not data:
            break
        os.write(1, data)
    if 0 in ready:
        data = os.read(0, 65536)
        if data:
            os.write(fd, data)
        else:
            inputs.remove(0)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
`;

type PtyLauncher = { name: string; argv: (command: string[], columns: number) => [string, string[]] };

const available = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore', timeout: 5_000 }).status === 0;

let launcher: PtyLauncher | null | undefined;

/** How this machine opens a pseudo-terminal, or null when it cannot (then the PTY tests are skipped). */
export function ptyLauncher(): PtyLauncher | null {
  if (launcher !== undefined) return launcher;
  if (process.platform === 'linux' && available('script', ['--version'])) {
    // -e: exit with the command's code; -f: flush output as it comes; /dev/null: no typescript file.
    launcher = { name: 'util-linux script', argv: (command, columns) => ['script', ['-qefc', `stty cols ${columns} rows 50; exec ${command.map(shellQuote).join(' ')}`, '/dev/null']] };
  } else if (available('python3', ['-c', 'import pty, termios, fcntl'])) {
    launcher = { name: 'python3 pty', argv: (command, columns) => ['python3', ['-c', PYTHON_PTY, String(columns), ...command]] };
  } else {
    launcher = null;
  }
  return launcher;
}

export interface PtyProcess extends Terminal {
  child: ChildProcess;
  /** Resolves with the exit code of the bin. */
  exit: Promise<number | null>;
}

/** Runs the built bin (or `entry`, a copy of it) on a fresh pseudo-terminal with only the environment given (plus PATH, HOME and the sandbox CA). */
export function spawnInPty(args: string[], env: NodeJS.ProcessEnv = {}, { columns = 200, entry = BIN_PATH }: { columns?: number; entry?: string } = {}): PtyProcess {
  const pty = ptyLauncher();
  if (pty === null) throw new Error('no pseudo-terminal on this machine: check ptyLauncher() first');
  const [command, argv] = pty.argv([process.execPath, entry, ...args], columns);
  const child = spawn(command, argv, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS, TERM: 'xterm-256color', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const screen = new Screen();
  child.stdout?.on('data', (chunk: Buffer) => screen.write(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => screen.write(chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      screen.close(`the process exited with ${String(code)}`);
      resolve(code);
    }),
  );
  return { child, screen, exit, type: (keys) => child.stdin?.write(keys) };
}
