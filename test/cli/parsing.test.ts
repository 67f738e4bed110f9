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
});

describe('hints of parse errors', () => {
  it('point at the help of the command they are about', async () => {
    const r = await runCli(['show']);
    expect(r.stderr).toContain('hint: run `auth0-sms-gateway show --help` for the options');
  });
});
