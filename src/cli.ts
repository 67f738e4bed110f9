import { Command, CommanderError, Option } from 'commander';
import { CliError, ExitCode } from './core/errors.js';
import type { CommandContext } from './commands/context.js';
import type { Io } from './ui/output.js';

export { VERSION } from './version.js';
import { VERSION } from './version.js';
const BIN = 'auth0-sms-gateway';

type Action = (ctx: CommandContext, ...args: unknown[]) => Promise<number | void>;

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${BIN} ${l}`).join('\n')}\n`;
}

/**
 * The whole command line. Only commander and the option declarations load here; each action
 * imports its command module when it runs, so `--help` and argument errors stay fast and
 * never load the auth0 SDK.
 */
export function buildProgram(io: Io, onResult: (code: number) => void): Command {
  const program = new Command(BIN);
  const run = (load: () => Promise<Action>) =>
    async function (this: Command, ...args: unknown[]) {
      const command = args[args.length - 1] as Command;
      // Loaded on demand, like every command module: --help needs none of it.
      const { createContext, globalsOf } = await import('./commands/context.js');
      const ctx = createContext(io, globalsOf(command));
      const action = await load();
      const code = await action(ctx, ...args.slice(0, -1));
      onResult(typeof code === 'number' ? code : ExitCode.ok);
    };

  program
    .description('Send Auth0 Passwordless SMS codes through your own SMS gateway: list, configure, test and serve, safely.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('-d, --domain <domain>', 'tenant domain, e.g. acme.eu.auth0.com (env AUTH0_DOMAIN)')
    .option('--client-id <id>', 'Machine-to-Machine app client id (env AUTH0_CLIENT_ID)')
    .option('--client-secret <secret>', 'client secret; prefer env AUTH0_CLIENT_SECRET (flags end up in shell history)')
    .option('--token <token>', 'Management API token instead of client credentials (env AUTH0_ACCESS_TOKEN)')
    .option('--json', 'machine-readable JSON on stdout; human text on stderr; never prompts')
    .option('--no-color', 'no colour (also NO_COLOR); FORCE_COLOR forces it')
    .option('-y, --yes', 'answer yes to confirmations')
    .option('-v, --verbose', 'trace each HTTP call to stderr (secrets redacted) and show stack traces')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText(
      'after',
      `\nCredentials come from flags or the environment: AUTH0_DOMAIN with AUTH0_CLIENT_ID and\nAUTH0_CLIENT_SECRET (or AUTH0_CLIENT_ASSERTION_SIGNING_KEY), or AUTH0_ACCESS_TOKEN.\n` +
        `Exit codes: 0 done, 1 remote failure, 2 fix the input, 3 changes pending, 130 cancelled.\n` +
        examples('list', 'show sms --json', 'apply -f sms-gateway.yaml --dry-run --exit-code', 'configure sms --gateway-url https://sms.example.com/send --auth bearer --audience urn:my-gateway --secret-env GATEWAY_SECRET --dry-run'),
    );

  program
    .command('list')
    .description('list every SMS connection (all pages) with its provider and gateway settings')
    .addHelpText('after', examples('list', 'list --json | jq -r \'.[] | select(.provider=="twilio") | .name\''))
    .action(run(async () => (await import('./commands/list.js')).runList as Action));

  program
    .command('show')
    .description('show one SMS connection, options in full, every secret redacted')
    .argument('<connection>', 'connection id (con_…) or name')
    .addHelpText('after', examples('show sms', 'show con_A1b2C3d4E5f6G7h8 --json'))
    .action(run(async () => (await import('./commands/show.js')).runShow as Action));

  const configure = program
    .command('configure')
    .description('switch an SMS connection to your gateway, or change its gateway settings, safely')
    .argument('[connection]', 'connection id (con_…) or name; default: the only SMS connection');
  addSettingsOptions(configure);
  addWriteOptions(configure);
  configure
    .option('--keep-twilio', 'keep twilio_sid and twilio_token (dropped by default; the backup keeps them)')
    .addHelpText(
      'after',
      examples(
        'configure sms --gateway-url https://sms.example.com/send --dry-run',
        'configure sms --gateway-url https://sms.example.com/send --auth bearer --audience urn:my-gateway --secret-env GATEWAY_SECRET --yes',
        'configure sms --auth bearer --audience urn:my-gateway --generate-secret --secret-out ./gateway-secret',
        'configure sms --auth none --json --yes',
      ),
    )
    .action(run(async () => (await import('./commands/configure.js')).runConfigure as Action));

  const restore = program
    .command('restore')
    .description('put back the options a backup file holds (diff, confirm, re-read, PATCH)')
    .argument('<backup-file>', 'a backup written by configure or apply')
    .option('--force', 'restore a backup of another tenant or connection');
  addWriteOptions(restore);
  restore
    .addHelpText('after', examples('restore ~/.local/state/auth0-sms-gateway/backups/acme.eu.auth0.com_sms_2026-01-01T00-00-00-000Z.json --dry-run'))
    .action(run(async () => (await import('./commands/restore.js')).runRestore as Action));

  const testGateway = program
    .command('test-gateway')
    .description('send your gateway exactly the request Auth0 sends, and say what Auth0 would make of the answer')
    .argument('[connection]', 'take the settings from this connection (default: the only SMS connection, unless --gateway-url is given)');
  addSettingsOptions(testGateway, { forTest: true });
  testGateway
    .option('--to <phone>', 'the phone number to text (required)')
    .option('--code <code>', 'the one-time code to put in the template (default: random 6 digits)')
    .option('--ip <ip>', 'req.ip sent with forward_req_info')
    .option('--user-agent <ua>', 'req.user-agent sent with forward_req_info')
    .option('--timeout <ms>', 'give up after this many ms (Auth0 waits 30000)')
    .option('--dry-run', 'print the request (token redacted); send nothing')
    .addHelpText(
      'after',
      examples(
        'test-gateway sms --to "+15551234567"',
        'test-gateway --gateway-url http://127.0.0.1:8787/sms --auth bearer --audience urn:my-gateway --secret-env GATEWAY_SECRET --to "+15551234567"',
        'test-gateway sms --to "+15551234567" --dry-run --json',
      ),
    )
    .action(run(async () => (await import('./commands/test-gateway.js')).runTestGateway as Action));

  const serve = program
    .command('serve')
    .description('run a reference SMS gateway locally: verifies the JWT and payload, prints each message, sends no SMS')
    .option('--port <port>', 'port to listen on (default 8787; 0 picks a free one)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)');
  addAuthOptions(serve);
  serve
    .addHelpText('after', examples('serve --audience urn:my-gateway --secret-env GATEWAY_SECRET', 'serve --port 9000 --json'))
    .action(run(async () => (await import('./commands/serve.js')).runServe as Action));

  const wizard = program
    .command('wizard')
    .description('interactive setup: asks only for what flags and environment left open, then shows the diff and applies it')
    .argument('[connection]', 'connection id (con_…) or name; default: pick from a list');
  addSettingsOptions(wizard);
  addWriteOptions(wizard);
  wizard
    .option('--keep-twilio', 'keep twilio_sid and twilio_token')
    .addHelpText('after', examples('wizard', 'wizard sms --gateway-url https://sms.example.com/send'))
    .action(run(async () => (await import('./commands/wizard.js')).runWizard as Action));

  const apply = program
    .command('apply')
    .description('make one or more connections match a YAML or JSON file of desired gateway settings (for CI)')
    .requiredOption('-f, --file <file>', 'the desired-state file (YAML or JSON; - for stdin)')
    .option('--exit-code', 'with --dry-run: exit 3 when changes are pending, 0 when none');
  addWriteOptions(apply);
  apply
    .addHelpText('after', examples('apply -f sms-gateway.yaml --dry-run --exit-code', 'apply -f sms-gateway.yaml --yes --json'))
    .action(run(async () => (await import('./commands/apply.js')).runApply as Action));

  program
    .command('schema')
    .description('print the JSON Schema of the apply file (for editors and CI validation)')
    .addHelpText('after', examples('schema > sms-gateway.schema.json'))
    .action(run(async () => (await import('./commands/schema.js')).runSchema as Action));

  program
    .command('demo')
    .description('run the whole flow against a built-in local tenant and gateway: no Auth0 account, no internet')
    .option('--keep-running', 'leave the sandbox tenant and gateway up and print the variables that point the other commands at them')
    .addHelpText('after', examples('demo', 'demo --keep-running'))
    .action(run(async () => (await import('./commands/demo.js')).runDemo as Action));

  return program;
}

/** The gateway settings flags, shared by configure, test-gateway and the wizard. */
function addSettingsOptions(command: Command, { forTest = false } = {}): Command {
  command.option('--gateway-url <url>', forTest ? 'gateway URL (http:// allowed here, for a local gateway)' : 'https URL Auth0 POSTs each SMS to');
  addAuthOptions(command);
  return command
    .option('--forward-req-info', "also send the user's IP and user agent to the gateway")
    .option('--no-forward-req-info', "don't send the user's IP and user agent")
    .option('--from <phone>', 'sender: phone number or alphanumeric sender id (max 11)')
    .option('--template <text>', 'SMS text; must hold @@password@@ (or {{ code }} with liquid syntax)');
}

/** How the gateway authenticates Auth0: shared by the settings flags and serve. */
function addAuthOptions(command: Command): Command {
  return command
    .addOption(new Option('--auth <method>', 'gateway authentication').choices(['none', 'bearer']))
    .option('--subject <sub>', 'JWT sub claim (default urn:Auth0)')
    .option('--audience <aud>', 'JWT aud claim, e.g. urn:my-gateway')
    .option('--secret-env <var>', 'read the signing secret from this environment variable')
    .option('--secret-file <path>', 'read the signing secret from a file, or - for stdin')
    .option('--generate-secret', 'generate a 32-byte base64url secret (shown once, or written with --secret-out)')
    .option('--secret-out <file>', 'with --generate-secret: write the secret to this new file (mode 0600)')
    .option('--secret <value>', 'the signing secret itself (warns: flags end up in shell history; env AUTH0_SMS_GATEWAY_SECRET is read otherwise)')
    .option('--secret-base64-encoded', 'the secret is base64url; the key is its decoded bytes')
    .option('--no-secret-base64-encoded', 'the secret is used as UTF-8 text');
}

function addWriteOptions(command: Command): Command {
  return command
    .option('--dry-run', 'show the plan; write nothing')
    .option('--backup-dir <dir>', 'where backups go (default ~/.local/state/auth0-sms-gateway/backups, env AUTH0_SMS_GATEWAY_BACKUP_DIR)')
    .option('--no-backup', 'do not write a backup before the change');
}

/** Strict parsing everywhere: an unknown option or an extra argument is an error, never ignored. */
function makeStrict(command: Command, io: Io): void {
  command.exitOverride();
  command.allowUnknownOption(false);
  command.allowExcessArguments(false);
  command.configureOutput({
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
    outputError: () => undefined, // main() prints the error once, in the right format
  });
  for (const sub of command.commands) makeStrict(sub, io);
}

/** Runs the CLI; returns the exit code. Only this function turns errors into exit codes. */
export async function main(argv: string[], io: Io): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  makeStrict(program, io);
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // A parse error points at the help of the command it is about.
    const command = program.commands.find((c) => argv.includes(c.name()))?.name();
    return await reportError(error, io, { json, verbose, color: !argv.includes('--no-color'), help: command === undefined ? `${BIN} --help` : `${BIN} ${command} --help` });
  }
}

async function reportError(error: unknown, io: Io, flags: { json: boolean; verbose: boolean; color: boolean; help: string }): Promise<number> {
  let cliError: CliError;
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
    // No command at all: the help went to stderr, and the input is incomplete.
    if (error.code === 'commander.help') return ExitCode.input;
    const message = error.message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ').trim();
    cliError = new CliError(ExitCode.input, message, { hint: `run \`${flags.help}\` for the options` });
  } else if (error instanceof CliError) {
    cliError = error;
  } else {
    const name = (error as { name?: unknown })?.name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError') {
      cliError = new CliError(ExitCode.cancelled, 'cancelled, nothing changed');
    } else {
      cliError = new CliError(ExitCode.remote, `unexpected error: ${String((error as Error)?.message ?? error).split('\n')[0]}`, {
        hint: 'run with --verbose for the stack trace, and please report it',
        cause: error,
      });
    }
  }
  const [{ decideColor, Output }, { redactText }] = await Promise.all([import('./ui/output.js'), import('./core/redact.js')]);
  const output = new Output(io, {
    json: flags.json,
    verbose: flags.verbose,
    color: decideColor({ json: flags.json, colorFlag: flags.color, env: io.env, stdoutIsTTY: io.stdout.isTTY === true }),
  });
  if (flags.json) {
    output.printJson({ error: { message: redactText(cliError.message), hint: cliError.hint ?? null, exitCode: cliError.exitCode } });
  }
  output.error(cliError.message);
  if (cliError.hint !== undefined) output.hint(cliError.hint);
  if (flags.verbose) {
    const stack = (cliError.cause as Error | undefined)?.stack ?? cliError.stack;
    if (stack !== undefined) output.info(redactText(stack));
  }
  return cliError.exitCode;
}
