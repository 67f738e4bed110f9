// The executable's entry (bin/auth0-sms-gateway.js imports the bundle of this file). Only
// commander loads before an action runs, so --help and argument errors stay fast; --version
// needs not even that.
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

const argv = process.argv.slice(2);
let code: number;
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
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
