// The executable's entry (bin/auth0-sms-gateway.js imports the bundle of this file). Only
// commander loads before an action runs, so --help and argument errors stay fast.
import { main } from './cli.js';

// `auth0-sms-gateway schema | head`: a reader that went away is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
// Exit once the output is flushed: a timer the SDK leaves behind (its per-request timeout is
// not cleared when the network fails) must not hold a finished command open for 30 s.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
process.exit(code);
