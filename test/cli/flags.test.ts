// From argv to the typed options each command receives (in the style of changesets' cli.test.ts):
// a flag renamed in cli.ts but not in the command's schema, or parsed into the wrong type,
// fails here instead of silently reaching the command as undefined.
import { describe, expect, it } from 'vitest';
import { parseCommandLine, type ParsedCall } from '../../src/cli.js';
import { CliError, ExitCode } from '../../src/core/errors.js';
import type { Io } from '../../src/ui/output.js';

const io: Io = {
  stdout: { write: () => true },
  stderr: { write: () => true },
  stdin: process.stdin,
  env: {},
};

const parse = (argv: string[]): Promise<ParsedCall> => parseCommandLine(argv, io);
const WRITE_DEFAULTS = { backup: true };

const table: [string[], Pick<ParsedCall, 'path' | 'args' | 'flags'>][] = [
  [['list'], { path: ['list'], args: [], flags: {} }],
  [['show', 'sms'], { path: ['show'], args: ['sms'], flags: {} }],
  [
    ['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--auth', 'bearer', '--subject', 's', '--audience', 'a', '--secret-env', 'V', '--secret-base64-encoded', '--forward-req-info', '--from', '+15551234567', '--template', 'T @@password@@', '--keep-twilio', '--dry-run', '--backup-dir', '/tmp/b'],
    {
      path: ['configure'],
      args: ['sms'],
      flags: {
        gatewayUrl: 'https://sms.example.com/send',
        auth: 'bearer',
        subject: 's',
        audience: 'a',
        secretEnv: 'V',
        secretBase64Encoded: true,
        forwardReqInfo: true,
        from: '+15551234567',
        template: 'T @@password@@',
        keepTwilio: true,
        dryRun: true,
        backupDir: '/tmp/b',
        backup: true,
      },
    },
  ],
  [
    ['configure', '--no-forward-req-info', '--no-secret-base64-encoded', '--no-backup', '--generate-secret', '--secret-out', 'f'],
    { path: ['configure'], args: [undefined], flags: { forwardReqInfo: false, secretBase64Encoded: false, backup: false, generateSecret: true, secretOut: 'f' } },
  ],
  [['configure', '--secret-file', '-'], { path: ['configure'], args: [undefined], flags: { secretFile: '-', ...WRITE_DEFAULTS } }],
  [['configure', '--secret', 'x'], { path: ['configure'], args: [undefined], flags: { secret: 'x', ...WRITE_DEFAULTS } }],
  [['wizard', 'sms', '--auth', 'none'], { path: ['wizard'], args: ['sms'], flags: { auth: 'none', ...WRITE_DEFAULTS } }],
  [['restore', 'b.json', '--force', '--dry-run'], { path: ['restore'], args: ['b.json'], flags: { force: true, dryRun: true, ...WRITE_DEFAULTS } }],
  [
    ['test-gateway', 'sms', '--to', '+15551234567', '--code', '123456', '--ip', '1.2.3.4', '--user-agent', 'UA', '--timeout', '500', '--dry-run', '--gateway-url', 'http://127.0.0.1:1/x'],
    { path: ['test-gateway'], args: ['sms'], flags: { to: '+15551234567', code: '123456', ip: '1.2.3.4', userAgent: 'UA', timeout: '500', dryRun: true, gatewayUrl: 'http://127.0.0.1:1/x' } },
  ],
  [['serve', '--port', '0', '--host', '127.0.0.1', '--audience', 'a'], { path: ['serve'], args: [], flags: { port: '0', host: '127.0.0.1', audience: 'a' } }],
  [['apply', '-f', 'x.yaml', '--dry-run', '--exit-code'], { path: ['apply'], args: [], flags: { file: 'x.yaml', dryRun: true, exitCode: true, ...WRITE_DEFAULTS } }],
  [['schema'], { path: ['schema'], args: [], flags: {} }],
  [['demo', '--keep-running'], { path: ['demo'], args: [], flags: { keepRunning: true } }],
  [['status'], { path: ['status'], args: [], flags: {} }],
  [
    ['phone-provider', 'configure', '--gateway-url', 'https://sms.example.com/send', '--auth', 'bearer', '--audience', 'a', '--secret-env', 'V', '--no-forward-req-info', '--test-to', '+15551234567', '--dry-run'],
    {
      path: ['phone-provider', 'configure'],
      args: [],
      flags: { gatewayUrl: 'https://sms.example.com/send', auth: 'bearer', audience: 'a', secretEnv: 'V', forwardReqInfo: false, testTo: '+15551234567', dryRun: true, ...WRITE_DEFAULTS },
    },
  ],
  [['phone-provider', 'show'], { path: ['phone-provider', 'show'], args: [], flags: {} }],
  [['phone-provider', 'test', '--to', '+15551234567'], { path: ['phone-provider', 'test'], args: [], flags: { to: '+15551234567' } }],
  [['configure', 'sms', '--test-to', '+15551234567'], { path: ['configure'], args: ['sms'], flags: { testTo: '+15551234567', ...WRITE_DEFAULTS } }],
  [['restore', 'b.json', '--twilio-auth-token-env', 'T'], { path: ['restore'], args: ['b.json'], flags: { twilioAuthTokenEnv: 'T', ...WRITE_DEFAULTS } }],
];

describe('argv → typed options, every command', () => {
  it.each(table)('%j', async (argv, expected) => {
    const call = await parse(argv);
    expect({ path: call.path, args: call.args, flags: call.flags }).toEqual(expected);
  });

  it('covers every command the program defines, subcommands included', async () => {
    const { buildProgram } = await import('../../src/cli.js');
    type Node = { name(): string; commands: readonly Node[] };
    // Every command a user can run, as its path: `list`, `phone-provider configure`, …
    const leaves = (command: Node, path: string[]): string[] =>
      command.commands.length === 0 ? [path.join(' ')] : command.commands.flatMap((sub) => leaves(sub, [...path, sub.name()]));
    const runnable = buildProgram(async () => 0).commands.flatMap((command) => leaves(command, [command.name()]));
    // The walk reaches the subcommands (a guard that only saw `phone-provider` would pass with one row).
    expect(runnable).toEqual(expect.arrayContaining(['phone-provider configure', 'phone-provider show', 'phone-provider test']));
    expect(runnable).not.toContain('phone-provider');
    const covered = new Set(table.map(([, e]) => e.path.join(' ')));
    expect(runnable.filter((path) => !covered.has(path))).toEqual([]);
  });

  it('reads global options wherever they stand, combined short flags included', async () => {
    const call = await parse(['-yv', 'list', '--json', '--domain', 'acme.eu.auth0.com']);
    expect(call.globals).toEqual({ domain: 'acme.eu.auth0.com', json: true, color: true, yes: true, verbose: true });
    expect((await parse(['list', '--no-color'])).globals.color).toBe(false);
  });

  it('refuses a value commander let through that the schema does not know (--auth)', async () => {
    await expect(parse(['configure', '--auth', 'basic'])).rejects.toMatchObject({ code: 'commander.invalidArgument' });
  });
});

describe('parseFlags', () => {
  it('gives a command without options nothing, and refuses an option it was handed, as exit 2', async () => {
    const { parseFlags } = await import('../../src/flow/parse-flags.js');
    const { NO_FLAGS } = await import('../../src/flow/command.js');
    expect(parseFlags(NO_FLAGS, {}, 'list')).toEqual({});
    let error: unknown;
    try {
      parseFlags(NO_FLAGS, { gatewayUrl: 'https://x', stray: true }, 'list');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.input);
    expect((error as CliError).message).toBe('--gateway-url: unknown setting: check its spelling; --stray: unknown setting: check its spelling');
    expect((error as CliError).hint).toBe('run `auth0-sms-gateway list --help` for the options');
    // Any key is an option it does not have, whatever its value.
    expect(() => parseFlags(NO_FLAGS, { yes: false }, 'list')).toThrow('--yes: unknown setting');
  });

  it('names the flag a schema refuses, as exit 2', async () => {
    const { parseFlags } = await import('../../src/flow/parse-flags.js');
    const z = await import('zod');
    let error: unknown;
    try {
      parseFlags(z.strictObject({ gatewayUrl: z.string().optional() }), { gatewayUrl: 1, stray: true }, 'configure');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.input);
    expect((error as CliError).message).toMatch(/--gateway-url: .*; --stray: unknown setting/);
    expect((error as CliError).hint).toContain('configure --help');
  });
});

describe('--secret-env naming a variable that is not set', () => {
  it('repeats a name that reads as one (upper-case words joined by _), in the error and the hint', async () => {
    const { runCli } = await import('../helpers/run-cli.js');
    const r = await runCli(['serve', '--audience', 'urn:a', '--secret-env', 'MY_GATEWAY_SECRET'], { env: {} });
    expect(r.code).toBe(ExitCode.input);
    expect(r.stderr).toBe(
      'error: the environment variable MY_GATEWAY_SECRET (named for the secret by --secret-env, or at the wizard question) is not set or empty\nhint: export MY_GATEWAY_SECRET=… before running, or pick another secret source\n',
    );
  });

  it('repeats a name of 64 characters, the longest it takes for one', async () => {
    const { runCli } = await import('../helpers/run-cli.js');
    const name = `${'A'.repeat(62)}_B`;
    const r = await runCli(['serve', '--audience', 'urn:a', '--secret-env', name], { env: {} });
    expect(r.code).toBe(ExitCode.input);
    expect(r.stderr).toContain(`error: the environment variable ${name} (named for the secret by --secret-env`);
  });

  it.each(['DEADBEEF0123456789ABCDEF', 'q9v2Xr7KpL0aZ3mT8wE5yU1iO4sD6fG', 'abc_def', 'xGATEWAY_SECRET', `${'A'.repeat(63)}_B`])('never repeats one that could be a secret pasted by mistake (%s)', async (value) => {
    const { runCli } = await import('../helpers/run-cli.js');
    const r = await runCli(['serve', '--audience', 'urn:a', '--secret-env', value], { env: {} });
    expect(r.code).toBe(ExitCode.input);
    expect(r.stderr).toMatch(/^error: the environment variable named for the secret \(--secret-env, or at the wizard question\) is not set or empty$/m);
    expect(r.stderr).not.toContain(value);
  });
});
