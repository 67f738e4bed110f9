import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('command-line parsing', () => {
  it('prints help with an example per command on stdout, exit 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: auth0-sms-gateway');
    expect(r.stdout).toContain('list');
    expect(r.stdout).toContain('Examples:');
    expect(r.stderr).toBe('');
  });

  it('prints the version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [['list', '--dry_run']],
    [['list', '--jsno']],
    [['show']],
    [['show', 'a', 'b']],
    [['list', 'extra']],
    [['no-such-command']],
  ])('%j is an input error: exit 2, one line on stderr, nothing on stdout', async (argv) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: /);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('suggests the flag a typo was meant to be', async () => {
    const r = await runCli(['list', '--jsn']);
    expect(r.stderr).toContain('--json');
  });

  it('a mistyped flag is named without the value given to it (it may be a secret), in text and in --json', async () => {
    const value = 'QaClientSecretTypo-0123456789';
    const text = await runCli(['list', `--client-secert=${value}`]);
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/^error: unknown option '--client-secert=…'\n/);
    const json = await runCli(['list', '--json', `--client-secert=${value}`]);
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as { error: { message: string } }).error.message).toBe("unknown option '--client-secert=…'");
    expect(`${text.stdout}${text.stderr}${json.stdout}${json.stderr}`).not.toContain(value);
    // A value attached to an unknown short option: only the option is named.
    const short = await runCli(['list', `-Z${value}`]);
    expect(short.stderr).toMatch(/^error: unknown option '-Z…'\n/);
    expect(short.stderr).not.toContain(value.slice(0, 8));
    expect((await runCli(['list', '-Z'])).stderr).toMatch(/^error: unknown option '-Z'\n/);
    // A suggestion still follows a flag typed without a value.
    expect((await runCli(['list', '--verbse'])).stderr).toContain("unknown option '--verbse' (Did you mean --verbose?)");
  });

  it('test-gateway\'s help leaves out generating a secret (a test signs with the one the gateway has); configure\'s has it', async () => {
    const test = await runCli(['test-gateway', '--help']);
    expect(test.code).toBe(0);
    expect(test.stdout).toContain('--secret-env <var>');
    expect(test.stdout).not.toMatch(/--generate-secret|--secret-out/);
    expect((await runCli(['configure', '--help'])).stdout).toMatch(/--generate-secret[^]*--secret-out <file>/);
  });

  it('help for a command that does not exist says so after the help, exit 2', async () => {
    const r = await runCli(['help', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: auth0-sms-gateway[^]*\nerror: unknown command 'nosuch'\nhint: run `auth0-sms-gateway --help` for the commands\n$/);
    expect((await runCli(['help', 'status'])).code).toBe(0);
  });

  it('an option that takes a value, given twice, is refused naming the option, never its values', async () => {
    const apply = await runCli(['apply', '-f', 'base.yaml', '-f', 'overrides.yaml', '--dry-run']);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toBe("error: option '-f, --file <file>' is given more than once\nhint: pass it once\n");
    const secret = await runCli(['configure', 'sms', '--secret', 'first-secret-value', '--secret', 'second-secret-value', '--json']);
    expect(secret.code).toBe(2);
    expect(JSON.parse(secret.stdout)).toEqual({ error: { message: "option '--secret <value>' is given more than once", hint: 'pass it once', exitCode: 2 } });
    expect(secret.stdout + secret.stderr).not.toMatch(/first-secret|second-secret/);
    // Choices are still checked on the one given.
    expect((await runCli(['configure', 'sms', '--auth', 'bogus'])).stderr).toContain("argument 'bogus' is invalid. Allowed choices are none, bearer.");
  });

  it('--no-backup with --backup-dir is a contradiction: exit 2 before any request, in either order', async () => {
    for (const argv of [
      ['configure', 'sms', '--backup-dir', '/tmp/b', '--no-backup', '--yes'],
      ['restore', 'file.json', '--no-backup', '--backup-dir', '/tmp/b'],
    ]) {
      const r = await runCli(argv, { env: { AUTH0_DOMAIN: '127.0.0.1:9', AUTH0_ACCESS_TOKEN: 'x' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe("error: option '--no-backup' cannot be used with option '--backup-dir <dir>'\nhint: pass only one of the two\n");
    }
  });

  it('with --json, an argument error is one JSON document on stdout', async () => {
    const r = await runCli(['show', '--json']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { error: { message: string; hint: string; exitCode: number } };
    expect(doc.error.exitCode).toBe(2);
    expect(doc.error.message).toMatch(/missing required argument/);
  });

  it('names every missing credential in one message', async () => {
    const r = await runCli(['list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AUTH0_DOMAIN');
    expect(r.stderr).toContain('AUTH0_CLIENT_ID');
    expect(r.stderr).toContain('AUTH0_CLIENT_SECRET');
  });
});

describe('no command', () => {
  it('prints the help on stderr and exits 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: auth0-sms-gateway');
  });

  it.each([[['--json']], [['--json', 'phone-provider']]])('%j: still one JSON document on stdout, exit 2', async (argv) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { message: 'no command given', hint: expect.stringMatching(/--help` for the commands$/) as unknown, exitCode: 2 } });
  });
});

describe('help asked for', () => {
  it.each([[['help']], [['help', 'status']], [['phone-provider', 'help', 'show']], [['status', '--help']]])('%j: the help on stdout, exit 0', async (argv) => {
    const r = await runCli(argv);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: auth0-sms-gateway/);
  });
});

describe('hints of parse errors', () => {
  it('point at the help of the command they are about, and at what in it', async () => {
    for (const args of [['show'], ['show', 'sms', 'extra']]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[1]).toBe('hint: run `auth0-sms-gateway show --help` for its arguments');
    }
    const option = await runCli(['show', 'sms', '--jsno']);
    expect(option.stderr.split('\n')[1]).toBe('hint: run `auth0-sms-gateway show --help` for the options');
  });
});

describe('errors are reported from the parsed command line', () => {
  it('-yv (combined short flags) shows the stack trace of a failure; without -v there is none', async () => {
    const verbose = await runCli(['-yv', 'list']);
    expect(verbose.code).toBe(2);
    expect(verbose.stderr).toMatch(/\n\s+at /);
    const quiet = await runCli(['-y', 'list']);
    expect(quiet.code).toBe(2);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
  });

  it('a typo after a command points at the help of that command, not of a command named in an argument', async () => {
    const r = await runCli(['show', 'list', '--jsno']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hint: run `auth0-sms-gateway show --help` for the options');
  });

  it.each([
    [['phone-provider', 'confgure'], 'auth0-sms-gateway phone-provider --help', 'commands'],
    [['lsit'], 'auth0-sms-gateway --help', 'commands'],
    [['phone-provider', 'configure', '--jsno'], 'auth0-sms-gateway phone-provider configure --help', 'options'],
    [['phone-provider', 'test', '--too', '+1555'], 'auth0-sms-gateway phone-provider test --help', 'options'],
  ])('%j points at `%s` for the %s', async (argv, help, what) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`hint: run \`${help}\` for the ${what}`);
  });

  it('a --json run that fails prints exactly one JSON document', async () => {
    const r = await runCli(['list', '--json']);
    expect(r.code).toBe(2);
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
    expect(r.stdout.trim().split('\n{').length).toBe(1);
  });
});
