import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CliError, ExitCode } from './core/errors.js';
import type { CommandModule } from './flow/command.js';
import type { CommandContext, GlobalOptions } from './flow/context.js';
import type { Io, Output } from './ui/output.js';
import { BIN_NAME as BIN, VERSION } from './version.js';

export { VERSION } from './version.js';

/** A command line as commander and the command's own schema understood it. */
export interface ParsedCall {
  /** The command's words, e.g. `['phone-provider', 'configure']`. */
  path: string[];
  args: (string | undefined)[];
  /** The command's options, parsed by its schema. */
  flags: unknown;
  globals: GlobalOptions;
}

type Load = () => Promise<{ command: CommandModule }>;

/**
 * What happens once commander has parsed a command: `main` runs it, `parseCommandLine` only
 * records it (the argv table test).
 */
type Dispatch = (call: ParsedCall, module: CommandModule, command: Command) => Promise<number>;

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${BIN} ${l}`).join('\n')}\n`;
}

function globalsOf(command: Command): GlobalOptions {
  const all = command.optsWithGlobals<Partial<GlobalOptions>>();
  return {
    ...(all.domain === undefined ? {} : { domain: all.domain }),
    ...(all.clientId === undefined ? {} : { clientId: all.clientId }),
    ...(all.clientSecret === undefined ? {} : { clientSecret: all.clientSecret }),
    ...(all.token === undefined ? {} : { token: all.token }),
    json: all.json === true,
    color: all.color !== false,
    yes: all.yes === true,
    verbose: all.verbose === true,
  };
}

function commandPath(command: Command): string[] {
  const path: string[] = [];
  for (let c: Command | null = command; c !== null && c.parent !== null; c = c.parent) path.unshift(c.name());
  return path;
}

/**
 * The whole command line. Only commander and the option declarations load here; each action
 * imports its command module when it runs, so `--help` and argument errors stay fast and
 * never load the auth0 SDK. Each module's schema types its options, or it has none (NO_FLAGS)
 * (docs/architecture.md: commander collects strings, zod gives them meaning).
 */
export function buildProgram(dispatch: Dispatch): Command {
  const program = new Command(BIN);
  const run = (load: Load) =>
    async function (this: Command, ...received: unknown[]) {
      const command = received[received.length - 1] as Command;
      const args = received.slice(0, -2) as (string | undefined)[];
      const { command: module } = await load();
      const { parseFlags } = await import('./flow/parse-flags.js');
      const path = commandPath(command);
      const flags = parseFlags(module.flagsSchema, command.opts(), path.join(' '));
      await dispatch({ path, args, flags, globals: globalsOf(command) }, module, command);
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
    .command('status')
    .description("where each SMS connection's codes go: the tenant's generation, its phone provider and Action, each connection's route")
    .addHelpText('after', examples('status', 'status --json | jq .phoneProvider'))
    .action(run(() => import('./commands/status.js')));

  program
    .command('list')
    .description('list every SMS connection (all pages) with its route, provider and gateway settings')
    .addHelpText('after', examples('list', 'list --json | jq -r \'.[] | select(.route=="twilio") | .name\''))
    .action(run(() => import('./commands/list.js')));

  program
    .command('show')
    .description('show one SMS connection, options in full, every secret redacted')
    .argument('<connection>', 'connection id (con_…) or name')
    .addHelpText('after', examples('show sms', 'show con_A1b2C3d4E5f6G7h8 --json'))
    .action(run(() => import('./commands/show.js')));

  const configure = program
    .command('configure')
    .description('switch an SMS connection to your gateway, or change its gateway settings, safely')
    .argument('[connection]', 'connection id (con_…) or name; default: the only SMS connection');
  addSettingsOptions(configure);
  addWriteOptions(configure);
  configure
    .option('--keep-twilio', 'keep twilio_sid, twilio_token and messaging_service_sid (dropped by default; the backup keeps them)')
    .option('--test-to <phone>', 'first send a test message through the gateway with the planned settings; write nothing unless it answers 200')
    .addHelpText(
      'after',
      examples(
        'configure sms --gateway-url https://sms.example.com/send --dry-run',
        'configure sms --gateway-url https://sms.example.com/send --auth bearer --audience urn:my-gateway --secret-env GATEWAY_SECRET --yes',
        'configure sms --auth bearer --audience urn:my-gateway --generate-secret --secret-out ./gateway-secret',
        'configure sms --auth none --json --yes',
      ),
    )
    .action(run(() => import('./commands/configure.js')));

  const restore = program
    .command('restore')
    .description('put back what a backup holds: a connection\'s options, or the phone provider and its binding (diff, confirm, write)')
    .argument('<backup-file>', 'a backup written by configure, apply or phone-provider configure')
    .option('--force', 'restore a backup of another tenant or connection, or one others could have written')
    .option('--twilio-auth-token-env <var>', 'for a phone-provider backup of a Twilio provider: the variable holding its auth token (Auth0 never returns it)');
  addWriteOptions(restore);
  restore
    .addHelpText('after', examples('restore ~/.local/state/auth0-sms-gateway/backups/acme.eu.auth0.com_sms_2026-01-01T00-00-00-000Z.json --dry-run'))
    .action(run(() => import('./commands/restore.js')));

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
    .action(run(() => import('./commands/test-gateway.js')));

  const serve = program
    .command('serve')
    .description('run a reference SMS gateway locally: verifies the JWT and payload, prints each message, sends no SMS')
    .option('--port <port>', 'port to listen on (default 8787; 0 picks a free one)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1; another address needs a secret, or --insecure-open)')
    .option('--insecure-open', 'listen beyond loopback without a secret (accepts anyone\'s requests)');
  addAuthOptions(serve);
  serve
    .addHelpText('after', examples('serve --audience urn:my-gateway --secret-env GATEWAY_SECRET', 'serve --port 9000 --json'))
    .action(run(() => import('./commands/serve.js')));

  const phone = program
    .command('phone-provider')
    .description("the tenant's phone provider (Unified Phone Experience): deliver through the same gateway, show it, test it");
  const phoneConfigure = phone
    .command('configure')
    .description('make the phone provider deliver through your gateway: installs one custom-phone-provider Action that sends the same request and JWT')
    .option('--gateway-url <url>', 'https URL the Action POSTs each SMS to');
  addAuthOptions(phoneConfigure);
  phoneConfigure
    .option('--forward-req-info', "also send the user's IP and user agent to the gateway")
    .option('--no-forward-req-info', "don't send the user's IP and user agent");
  addWriteOptions(phoneConfigure);
  phoneConfigure
    .option('--test-to <phone>', 'first send a test message through the gateway with the planned settings; write nothing unless it answers 200')
    .addHelpText(
      'after',
      examples(
        'phone-provider configure --gateway-url https://sms.example.com/send --auth bearer --audience urn:my-gateway --secret-env GATEWAY_SECRET --dry-run',
        'phone-provider configure --gateway-url https://sms.example.com/send --auth bearer --audience urn:my-gateway --secret-env GATEWAY_SECRET --test-to "+15551234567" --yes',
      ),
    )
    .action(run(() => import('./commands/phone-provider-configure.js')));
  phone
    .command('show')
    .description('show the phone provider and its Action, settings in full, secrets by name only')
    .addHelpText('after', examples('phone-provider show', 'phone-provider show --json'))
    .action(run(() => import('./commands/phone-provider-show.js')));
  phone
    .command('test')
    .description("ask Auth0 to send a test message through the phone provider (202 means accepted, not delivered)")
    .option('--to <phone>', 'the phone number to text (required)')
    .addHelpText('after', examples('phone-provider test --to "+15551234567"'))
    .action(run(() => import('./commands/phone-provider-test.js')));

  const wizard = program
    .command('wizard')
    .description('interactive setup: asks only for what flags and environment left open, then shows the diff and applies it')
    .argument('[connection]', 'connection id (con_…) or name; default: pick from a list');
  addSettingsOptions(wizard);
  addWriteOptions(wizard);
  wizard
    .option('--keep-twilio', 'keep twilio_sid, twilio_token and messaging_service_sid')
    .option('--test-to <phone>', 'the test message number, asked otherwise')
    .addHelpText('after', examples('wizard', 'wizard sms --gateway-url https://sms.example.com/send'))
    .action(run(() => import('./commands/wizard.js')));

  const apply = program
    .command('apply')
    .description('make one or more connections match a YAML or JSON file of desired gateway settings (for CI)')
    .requiredOption('-f, --file <file>', 'the desired-state file (YAML or JSON; - for stdin)')
    .option('--exit-code', 'with --dry-run: exit 3 when changes are pending, 0 when none');
  addWriteOptions(apply);
  apply
    .addHelpText('after', examples('apply -f sms-gateway.yaml --dry-run --exit-code', 'apply -f sms-gateway.yaml --yes --json'))
    .action(run(() => import('./commands/apply.js')));

  program
    .command('schema')
    .description('print the JSON Schema of the apply file (for editors and CI validation)')
    .addHelpText('after', examples('schema > sms-gateway.schema.json'))
    .action(run(() => import('./commands/schema.js')));

  program
    .command('demo')
    .description('run the whole flow against two built-in local tenants (one of each generation) and a gateway: no Auth0 account, no internet')
    .option('--keep-running', 'leave the sandbox tenant and gateway up and print the variables that point the other commands at them')
    .addHelpText('after', examples('demo', 'demo --keep-running'))
    .action(run(() => import('./commands/demo.js')));

  refuseRepeatedValues(program);
  return program;
}

const REPEATED = 'given more than once';

/**
 * An option that takes a value, given twice, is refused: commander keeps the last one, so
 * `apply -f base.yaml -f overrides.yaml` would apply the second file alone and say nothing.
 * The message names the option, never its values (one may be a secret).
 */
function refuseRepeatedValues(command: Command): void {
  for (const option of command.options) {
    if ((!option.required && !option.optional) || option.variadic) continue;
    const parse = option.parseArg;
    option.argParser((value: string, previous: unknown) => {
      if (previous !== undefined && previous !== option.defaultValue) throw new InvalidArgumentError(REPEATED);
      return parse === undefined ? value : parse(value, undefined);
    });
  }
  for (const sub of command.commands) refuseRepeatedValues(sub);
}

/** The gateway settings flags, shared by configure, test-gateway and the wizard. */
function addSettingsOptions(command: Command, { forTest = false } = {}): Command {
  command.option('--gateway-url <url>', forTest ? 'gateway URL (http:// allowed here, for a local gateway)' : 'https URL Auth0 POSTs each SMS to');
  addAuthOptions(command, { forTest });
  return command
    .option('--forward-req-info', "also send the user's IP and user agent to the gateway")
    .option('--no-forward-req-info', "don't send the user's IP and user agent")
    .option('--from <phone>', 'sender: phone number or alphanumeric sender id (warns beyond 11 characters)')
    .option('--template <text>', 'SMS text; must hold @@password@@ (or {{ code }} with liquid syntax)');
}

/**
 * How the gateway authenticates Auth0: shared by the settings flags and serve. A test signs with
 * the secret the gateway already has: its help leaves out generating one (still parsed, so that
 * test-gateway can say why it refuses it).
 */
function addAuthOptions(command: Command, { forTest = false } = {}): Command {
  const generated = (option: Option) => (forTest ? option.hideHelp() : option);
  return command
    .addOption(new Option('--auth <method>', 'gateway authentication').choices(['none', 'bearer']))
    .option('--subject <sub>', 'JWT sub claim (default urn:Auth0)')
    .option('--audience <aud>', 'JWT aud claim, e.g. urn:my-gateway')
    .option('--secret-env <var>', 'read the signing secret from this environment variable')
    .option('--secret-file <path>', 'read the signing secret from a file, or - for stdin')
    .addOption(generated(new Option('--generate-secret', 'generate a 32-byte base64url secret (shown once, or written with --secret-out)')))
    .addOption(generated(new Option('--secret-out <file>', 'with --generate-secret: write the secret to this new file (mode 0600)')))
    .option('--secret <value>', 'the signing secret itself (warns: flags end up in shell history; env AUTH0_SMS_GATEWAY_SECRET is read otherwise)')
    .option('--secret-base64-encoded', 'the secret is base64url; the key is its decoded bytes')
    .option('--no-secret-base64-encoded', 'the secret is used as UTF-8 text');
}

function addWriteOptions(command: Command): Command {
  return command
    .option('--dry-run', 'show the plan; write nothing')
    .option('--backup-dir <dir>', 'where backups go (default ~/.local/state/auth0-sms-gateway/backups, env AUTH0_SMS_GATEWAY_BACKUP_DIR)')
    // Both at once is a contradiction, not a preference: refused, as two secret sources are.
    .addOption(new Option('--no-backup', 'do not write a backup before the change').conflicts('backupDir'));
}

/**
 * Commander's refusal as one line and the fix. The value of an unknown `--flag=value` or
 * `-Xvalue`, and the values of a repeated option, are left out: one may be a secret under a
 * mistyped name, which nothing knows to be a secret yet.
 */
function commanderProblem(error: CommanderError, help: string): { message: string; hint: string } {
  const text = error.message;
  const oneLine = (raw: string) => raw.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ').trim();
  const about = error.code === 'commander.unknownCommand' ? 'the commands' : error.code === 'commander.missingArgument' || error.code === 'commander.excessArguments' ? 'its arguments' : 'the options';
  const seeHelp = `run \`${help}\` for ${about}`;
  if (error.code === 'commander.conflictingOption') return { message: oneLine(text), hint: 'pass only one of the two' };
  // "option '--secret <value>' argument '…' is invalid. given more than once": the option alone.
  const repeated = error.code === 'commander.invalidArgument' && text.endsWith(`. ${REPEATED}`) ? /^error: option '([^']*)'/.exec(text)?.[1] : undefined;
  if (repeated !== undefined) return { message: `option '${repeated}' is ${REPEATED}`, hint: 'pass it once' };
  const prefix = "error: unknown option '";
  if (error.code !== 'commander.unknownOption' || !text.startsWith(prefix)) return { message: oneLine(text), hint: seeHelp };
  // Commander's text: the option as typed, quoted, then perhaps "\n(Did you mean …?)".
  const suggestion = text.indexOf('\n(Did you mean');
  const quoted = suggestion === -1 ? text : text.slice(0, suggestion);
  const rest = suggestion === -1 ? '' : text.slice(suggestion);
  const equals = quoted.indexOf('=', prefix.length);
  const cut = !quoted.startsWith(`${prefix}--`) && quoted.length > prefix.length + 3 ? prefix.length + 2 : equals === -1 ? -1 : equals + 1;
  // `-Xvalue` keeps `-X`; `--flag=value` keeps `--flag=`.
  return { message: oneLine(cut === -1 ? text : `${quoted.slice(0, cut)}…'${rest}`), hint: seeHelp };
}

/**
 * Strict parsing everywhere: an unknown option or an extra argument is an error, never
 * ignored. `onError` learns which command's parse failed, so the hint names its help.
 */
function makeStrict(command: Command, io: Io, onError: (command: Command) => void): void {
  command.exitOverride((error) => {
    onError(command);
    throw error;
  });
  command.allowUnknownOption(false);
  command.allowExcessArguments(false);
  command.configureOutput({
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
    outputError: () => undefined, // main() prints the error once, in the right format
  });
  for (const sub of command.commands) makeStrict(sub, io, onError);
}

/**
 * Every command's `--help` exactly as commander prints it to a pipe: 80 columns (its width when
 * stdout is not a terminal), no colour. Keyed by command path (`''` for the program,
 * `'phone-provider show'`). The build keeps them in dist/help.json, which src/main.ts prints
 * from without loading the command line; test/e2e/version.test.ts holds the two equal.
 */
export function renderHelpTexts(): Record<string, string> {
  const program = buildProgram(async () => ExitCode.ok);
  const texts: Record<string, string> = {};
  const visit = (command: Command): void => {
    let text = '';
    command.configureOutput({
      writeOut: (chunk) => void (text += chunk),
      writeErr: (chunk) => void (text += chunk),
      getOutHelpWidth: () => 80,
      getOutHasColors: () => false,
    });
    command.outputHelp();
    texts[commandPath(command).join(' ')] = text;
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
  return texts;
}

/** What the run knew when it failed, for reporting the failure in the run's own format. */
interface RunState {
  /** The command whose parsing or action failed. */
  command?: Command;
  ctx?: CommandContext;
}

/** Runs the CLI; returns the exit code. Only this function turns errors into exit codes. */
export async function main(argv: string[], io: Io): Promise<number> {
  const state: RunState = {};
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(async (call, module, command) => {
    const { createContext } = await import('./flow/context.js');
    state.command = command;
    const ctx = createContext(io, call.globals);
    state.ctx = ctx;
    // A signal while no write is in flight stops the run with its last word (and the --json
    // document) instead of killing it silently; writes answer signals themselves (guard).
    const stopListening =
      module.ownSignals === true
        ? undefined
        : ctx.interrupts.stopOutsideWrites((signal) => reportError(new CliError(ExitCode.cancelled, `stopped by ${signal}; no write to Auth0 was in flight`), io, state, program, argv));
    try {
      const code = await module.run(ctx, call.flags, call.args);
      exitCode = typeof code === 'number' ? code : ExitCode.ok;
      return exitCode;
    } finally {
      stopListening?.();
    }
  });
  makeStrict(program, io, (command) => (state.command ??= command));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io, state, program, argv);
  }
}

/**
 * Parses a command line exactly as `main` does, without running the command: for the table
 * test from argv to typed options. Throws what `main` would report.
 */
export async function parseCommandLine(argv: string[], io: Io): Promise<ParsedCall> {
  let parsed: ParsedCall | undefined;
  const program = buildProgram(async (call) => {
    parsed = call;
    return ExitCode.ok;
  });
  makeStrict(program, io, () => undefined);
  await program.parseAsync(argv, { from: 'user' });
  if (parsed === undefined) throw new Error(`no command ran for ${JSON.stringify(argv)}`);
  return parsed;
}

async function reportError(error: unknown, io: Io, state: RunState, program: Command, argv: string[]): Promise<number> {
  // What the parse established, else what was typed: `-yv` is verbose too.
  const parsed = state.ctx?.globals ?? globalsOf(state.command ?? program);
  const json = parsed.json || argv.includes('--json');
  const verbose = parsed.verbose;
  let cliError: CliError;
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
    const help = [BIN, ...(state.command === undefined ? [] : commandPath(state.command)), '--help'].join(' ');
    if (error.code === 'commander.help') {
      // `help` and `help <command>` asked for it (on stdout): done.
      if (error.exitCode === 0) return ExitCode.ok;
      // `help <no such command>`: commander printed the whole help (on stderr); say why.
      const asked = argv[0] === 'help' ? argv.slice(1).find((word) => !word.startsWith('-')) : undefined;
      // No command at all: the help went to stderr, and the input is incomplete; --json still gets its document.
      if (!json && asked === undefined) return ExitCode.input;
      const shown = asked === undefined ? '' : (await import('./core/untrusted.js')).untrusted(asked);
      cliError = new CliError(ExitCode.input, asked === undefined ? 'no command given' : `unknown command '${shown}'`, { hint: `run \`${help}\` for the commands` });
    } else {
      const { message, hint } = commanderProblem(error, help);
      cliError = new CliError(ExitCode.input, message, { hint });
    }
  } else if (error instanceof CliError) {
    cliError = error;
  } else if ((error as { name?: unknown })?.name === 'GatewayConfigurationError') {
    // The gateway library's own error for settings it cannot use: the input is at fault.
    cliError = new CliError(ExitCode.input, String((error as Error).message), { cause: error });
  } else {
    const name = (error as { name?: unknown })?.name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError') {
      cliError = new CliError(ExitCode.cancelled, 'cancelled, nothing changed');
    } else {
      cliError = new CliError(ExitCode.remote, `unexpected error: ${String((error as Error)?.message ?? error).split('\n')[0]}`, {
        hint: 'please report it, with the stack trace --verbose shows',
        cause: error,
      });
    }
  }
  const [{ Output: OutputClass }, { redactText }] = await Promise.all([import('./ui/output.js'), import('./core/redact.js')]);
  // The run's own output when the command had started (one colour decision, one JSON document).
  const output: Output = state.ctx?.output ?? OutputClass.forRun(io, { ...parsed, json });
  if (json && !output.hasPrintedJson) {
    output.printJson({ error: { message: redactText(cliError.message), hint: cliError.hint ?? null, exitCode: cliError.exitCode } });
  }
  output.error(cliError.message);
  if (cliError.hint !== undefined) output.hint(cliError.hint);
  if (verbose) {
    const stack = (cliError.cause as Error | undefined)?.stack ?? cliError.stack;
    if (stack !== undefined) output.info(redactText(stack));
  }
  return cliError.exitCode;
}
