// The executable's entry (bin/auth0-sms-gateway.js imports the bundle of this file).
import { main } from './cli.js';
import { processIo } from './ui/output.js';

process.exitCode = await main(process.argv.slice(2), processIo());
