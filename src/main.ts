// The executable's entry (bin/auth0-sms-gateway.js imports the bundle of this file). Only
// commander loads before an action runs, so argument errors stay fast; --version needs not
// even that, nor does --help where the build's text of it serves.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { VERSION } from './version.js';

// `… | head`, `… | grep -q`: a reader that went away is not an error of ours. The run goes on
// to its end (stopping in the middle of a write would leave an outcome nobody saw), what it
// would still print is dropped, and the exit code is its own (3 for changes pending stays 3).
// Any other failure to write (a full disk) turns a run that would have exited 0 into exit 1,
// said once on stderr at the end: a run that failed anyway (or said so itself, as `serve` does)
// has its own error line.
let outputFailed: { stream: NodeJS.WriteStream; code: string } | undefined;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED' || outputFailed !== undefined) return;
    outputFailed = { stream, code: error.code ?? error.message };
  });
}

/**
 * `[command…] --help` as the build rendered it (dist/help.json, from src/cli.ts
 * renderHelpTexts): the text commander prints at the width it gives a pipe, 80 columns, so a
 * pipe or a terminal of 80 columns gets it without the command line loading. Undefined, and
 * commander answers, for anything else: another width, other words or options, no such file
 * (a run from the sources).
 */
function builtHelp(argv: readonly string[]): string | undefined {
  const last = argv[argv.length - 1];
  if (last !== '--help' && last !== '-h') return undefined;
  const path = argv.slice(0, -1);
  // Command names only: a word commander would read otherwise ("phone-provider show" as one
  // argument, an option) is its to answer.
  if (!path.every((word) => COMMAND_WORD.test(word))) return undefined;
  if (process.stdout.isTTY && process.stdout.columns !== 80) return undefined;
  let texts: unknown;
  try {
    // A regular file of a help text's size: a hand-edited or replaced one (a device, a FIFO)
    // must not hang or flood the run; commander answers instead. Opened without waiting for a
    // FIFO's writer, and checked as opened, so nothing can be swapped in between.
    const fd = openSync(new URL('./help.json', import.meta.url), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile() || stat.size > HELP_FILE_MAX_BYTES) return undefined;
      texts = JSON.parse(readFileSync(fd, 'utf8'));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const key = path.join(' ');
  const text = typeof texts === 'object' && texts !== null && Object.hasOwn(texts, key) ? (texts as Record<string, unknown>)[key] : undefined;
  // What commander prints for --help always starts so; anything else is not the build's text.
  return typeof text === 'string' && text.startsWith('Usage: ') ? text : undefined;
}

const COMMAND_WORD = /^[a-z][a-z-]*$/;
/** dist/help.json is under 40 kB; six times that is no help text. */
const HELP_FILE_MAX_BYTES = 256 * 1024;

const argv = process.argv.slice(2);
const help = builtHelp(argv);
let code: number;
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
  code = 0;
} else if (help !== undefined) {
  process.stdout.write(help);
  code = 0;
} else {
  const { main } = await import('./cli.js');
  code = await main(argv, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
}
// Exit once the output is flushed: a timer the SDK leaves behind (its per-request timeout is
// not cleared when the network fails) must not hold a finished command open for 30 s.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
if (outputFailed !== undefined && code === 0) {
  if (outputFailed.stream !== process.stderr) process.stderr.write(`error: cannot write the output (${outputFailed.code})\n`);
  code = 1;
}
process.exit(code);
