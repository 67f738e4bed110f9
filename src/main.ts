// The executable's entry (bin/auth0-sms-gateway.js imports the bundle of this file). Only
// commander loads before an action runs, so --help and argument errors stay fast.
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
