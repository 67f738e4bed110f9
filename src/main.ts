// The executable's entry (bin/auth0-sms-gateway.js imports the bundle of this file). Only
// commander loads before an action runs, so --help and argument errors stay fast; --version
// needs not even that.
import { VERSION } from './version.js';

// `auth0-sms-gateway schema | head`: a reader that went away is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
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
process.exit(code);
