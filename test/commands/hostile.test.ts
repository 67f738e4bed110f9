// Issue 11: everything from outside (the tenant, Auth0's errors, a gateway, files) is hostile,
// and a write ends in a true statement. Each test fails on the code before that issue.
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED_IDS, SEED_SECRETS, seedConnections, type SandboxConnection } from '../../src/sandbox/index.js';
import { sandboxEnv, writes } from '../helpers/env.js';
import { api } from '../sandbox/http.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { closeTestSandboxes, startTestSandbox, useSandbox } from '../helpers/sandbox.js';

const ESC = '\u001b';
const FORGED = `${ESC}[2J${ESC}]0;pwned\u0007\r\nstatus 200 / delivered\u202e`;

/** No terminal control reaches the output raw: no ESC (colour is off here), no \r, no bidi override. */
function expectNoRawControls(r: CliRun): void {
  for (const text of [r.stdout, r.stderr]) {
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\r');
    expect(text).not.toContain('\u202e');
    expect(text).not.toContain('\u0007');
  }
}

function withTwilio(mutate: (c: SandboxConnection) => void): SandboxConnection[] {
  const connections = seedConnections();
  mutate(connections.find((c) => c.id === SEED_IDS.twilio)!);
  return connections;
}

describe('5. nothing from outside reaches the terminal raw', () => {
  afterEach(closeTestSandboxes);

  it('display names and option values from the tenant: escaped in list, show and the diff; --json stays exact', async () => {
    const s = await startTestSandbox({
      connections: withTwilio((c) => {
        c.display_name = `SMS${FORGED}`;
        c.options!.from = `+1555${FORGED}`;
        c.options!.template = `code @@password@@${FORGED}`;
      }),
    });
    for (const argv of [['list'], ['show', 'sms'], ['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--dry-run'], ['status']]) {
      const r = await runCli(argv, { env: sandboxEnv(s) });
      expect(r.code).toBe(0);
      expectNoRawControls(r);
    }
    const shown = await runCli(['show', 'sms'], { env: sandboxEnv(s) });
    expect(shown.stdout).toContain('\\x1b[2J');
    const json = await runCli(['show', 'sms', '--json'], { env: sandboxEnv(s) });
    expect((JSON.parse(json.stdout) as { display_name: string }).display_name).toBe(`SMS${FORGED}`);
  });

  it("Auth0's error messages and OAuth error fields", async () => {
    const s = await startTestSandbox();
    s.inject({ kind: 'status', status: 400, method: 'PATCH', body: { statusCode: 400, error: 'Bad Request', message: `Payload validation error: ${FORGED}`, errorCode: 'invalid_body' } });
    const patch = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--no-backup'], { env: sandboxEnv(s) });
    expect(patch.code).toBe(2);
    expectNoRawControls(patch);
    s.inject({ kind: 'status', status: 401, path: '/oauth/token', body: { error: `access_denied${FORGED}`, error_description: FORGED } });
    const token = await runCli(['list'], { env: sandboxEnv(s) });
    expect(token.code).toBe(1);
    expectNoRawControls(token);
  });

  it("a gateway's answer, in test-gateway", async () => {
    const server = createServer((_req, res) => {
      res.statusCode = 500;
      res.end(`upstream failed${FORGED}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
      const r = await runCli(['test-gateway', '--gateway-url', url, '--auth', 'none', '--to', '+15551234567'], {});
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('upstream failed\\x1b[2J');
      expectNoRawControls(r);
    } finally {
      server.close();
    }
  });

  it('apply-file values: no forged line can close a CI job-summary fence or start a workflow command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-hostile-apply-'));
    const file = join(dir, 'f.yaml');
    writeFileSync(file, 'connections:\n  - connection: "sms\\n```\\n::error::pwned"\n    gateway_url: https://sms.example.com/send\n    authentication: none\n');
    const r = await runCli(['apply', '-f', file, '--dry-run'], {});
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').some((line) => line.startsWith('```') || line.startsWith('::error::'))).toBe(false);
    expectNoRawControls(r);
  });

  it('connection names from the tenant or a backup: no forged line in any message, the picker included', async () => {
    const forgedName = 'sms\n```\n::error::pwned';
    const s = await startTestSandbox({ connections: withTwilio((c) => void (c.name = forgedName)) });
    const noForgedLine = (r: CliRun) => {
      expect(r.stdout.split('\n').concat(r.stderr.split('\n')).some((line) => line.startsWith('```') || line.startsWith('::error::'))).toBe(false);
      expectNoRawControls(r);
    };
    const pick = await runCli(['configure', '--gateway-url', 'https://sms.example.com/send', '--dry-run'], { env: sandboxEnv(s) });
    expect(pick.code).toBe(2);
    expect(pick.stderr).toContain('sms\\x0a```\\x0a::error::pwned (con_Tw1l1oSmsSeed001)');
    noForgedLine(pick);
    for (const argv of [
      ['configure', SEED_IDS.twilio, '--gateway-url', 'https://sms.example.com/send', '--dry-run'],
      ['configure', SEED_IDS.twilio, '--gateway-url', 'https://sms.example.com/send', '--yes', '--no-backup'],
      ['test-gateway', SEED_IDS.twilio, '--to', '+15551230000'],
    ]) noForgedLine(await runCli(argv, { env: sandboxEnv(s) }));

    const dir = mkdtempSync(join(tmpdir(), 'a0sg-forged-name-'));
    const file = join(dir, 'backup.json');
    const connection = { ...s.connection(SEED_IDS.twilio)!, options: { ...s.connection(SEED_IDS.twilio)!.options, gateway_authentication: 'not an object' } };
    writeFileSync(file, JSON.stringify({ format: 'auth0-sms-gateway/backup@1', createdAt: 'x', tenant: s.domain, tool: 't', connection }), { mode: 0o600 });
    const restore = await runCli(['restore', file, '--yes', '--no-backup'], { env: sandboxEnv(s) });
    expect(restore.code).not.toBe(0);
    noForgedLine(restore);
  });

  it("the tool's own inputs refuse control characters with exit 2, before any request", async () => {
    const s = await startTestSandbox();
    for (const [flag, value] of [
      ['--gateway-url', `https://sms.example.com/${ESC}[2J`],
      ['--from', `+1555${ESC}[2J`],
      ['--template', `@@password@@${ESC}]0;x\u0007`],
    ] as const) {
      const r = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', flag, value, '--dry-run'], { env: sandboxEnv(s) });
      expect(r.code).toBe(2);
      expectNoRawControls(r);
    }
    const audience = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--audience', `aud\rstatus 200`, '--secret-env', 'S', '--dry-run'], {
      env: sandboxEnv(s, 'full', { S: 'a-long-enough-gateway-secret-for-this-test!!' }),
    });
    expect(audience.code).toBe(2);
    expect(s.requests).toEqual([]);
  });
});

describe('6. credentials inside gateway_url are shown redacted, by position', () => {
  afterEach(closeTestSandboxes);
  const stored = 'https://gw-user:gw-pass-2f9c@sms.example.com/send?api_key=k3y-9d8f7a&region=eu&Signature=s1g-77';

  it('list --json, show, the diff and status; the PATCH still carries the real value', async () => {
    const s = await startTestSandbox({ connections: withTwilio((c) => Object.assign(c.options!, { provider: 'sms_gateway', gateway_url: stored })) });
    const outputs: CliRun[] = [];
    for (const argv of [['list', '--json'], ['show', 'sms'], ['show', 'sms', '--json'], ['status', '--json']]) outputs.push(await runCli(argv, { env: sandboxEnv(s) }));
    const configured = await runCli(['configure', 'sms', '--from', '+15550001111', '--yes', '--no-backup'], { env: sandboxEnv(s) });
    expect(configured.code).toBe(0);
    outputs.push(configured);
    for (const r of outputs) {
      expect(r.stdout + r.stderr).not.toMatch(/gw-pass|k3y-9d8f7a|s1g-77/);
    }
    expect(outputs[0]!.stdout).toContain('https://[redacted]@sms.example.com/send?api_key=[redacted]&region=eu&Signature=[redacted]');
    const patch = s.requests.find((q) => q.method === 'PATCH');
    expect((patch?.body as { options: { gateway_url: string } }).options.gateway_url).toBe(stored);
  });

  it('a backup whose gateway_authentication has no audience is refused before any request (Auth0 would refuse the PATCH)', async () => {
    const s = await startTestSandbox();
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-noaud-'));
    chmodSync(dir, 0o700);
    const options = { ...s.connection('sms')!.options, provider: 'sms_gateway', gateway_url: 'https://sms.example.com/x', gateway_authentication: { method: 'bearer', secret: 'a-secret-of-some-length-0123456789' } };
    const file = join(dir, 'b.json');
    writeFileSync(file, JSON.stringify({ format: 'auth0-sms-gateway/backup@1', createdAt: '2026-12-01T00:00:00.000Z', tenant: s.domain, tool: 'auth0-sms-gateway@0.1.0', connection: { ...s.connection('sms')!, options } }), { mode: 0o600 });
    const r = await runCli(['restore', file, '--yes'], { env: sandboxEnv(s) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('options.gateway_authentication has no audience, which Auth0 requires');
    expect(s.requests).toEqual([]);
  });

  it('a backup holding a provider the tool does not know is the file\'s fault, not the tenant\'s', async () => {
    const s = await startTestSandbox();
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-oddprovider-'));
    chmodSync(dir, 0o700);
    const file = join(dir, 'b.json');
    const connection = { ...s.connection('sms')!, options: { ...s.connection('sms')!.options, provider: 'evil_provider' } };
    writeFileSync(file, JSON.stringify({ format: 'auth0-sms-gateway/backup@1', createdAt: '2026-12-01T00:00:00.000Z', tenant: s.domain, tool: 'auth0-sms-gateway@0.1.0', connection }), { mode: 0o600 });
    const r = await runCli(['restore', file, '--dry-run'], { env: sandboxEnv(s) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*b\.json: the backup of sms \(con_\w+\) holds options this tool cannot rewrite safely: options\.provider has an unexpected value$/m);
    expect(r.stderr).toContain('hint: this backup cannot be restored as it is: edit it, or restore another one');
    expect(r.stderr).not.toContain('Dashboard');
    expect(s.requests).toEqual([]);
  });

  it('a secret-named key in a backup that holds a URL cannot blind the diff', async () => {
    const s = await startTestSandbox();
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-blind-'));
    chmodSync(dir, 0o700);
    const url = 'https://evil.example.com/steal';
    const backup = {
      format: 'auth0-sms-gateway/backup@1',
      createdAt: '2026-12-01T00:00:00.000Z',
      tenant: s.domain,
      tool: 'auth0-sms-gateway@0.1.0',
      connection: { ...s.connection('sms')!, options: { ...s.connection('sms')!.options, provider: 'sms_gateway', gateway_url: url, webhook_token: url } },
    };
    const file = join(dir, 'b.json');
    writeFileSync(file, JSON.stringify(backup), { mode: 0o600 });
    // Refused rather than shown with the URL hidden: a diff hides by position only.
    const r = await runCli(['restore', file, '--dry-run'], { env: sandboxEnv(s) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('options.gateway_url holds the value of options.webhook_token, which would be stored and shown in clear');
    expect(r.stdout).toBe('');
    // Another secret-named value (that no text holds) hides nothing in the diff.
    writeFileSync(file, JSON.stringify({ ...backup, connection: { ...backup.connection, options: { ...backup.connection.options, webhook_token: 'an-unrelated-token-value' } } }), { mode: 0o600 });
    const shown = await runCli(['restore', file, '--dry-run'], { env: sandboxEnv(s) });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`+ gateway_url: "${url}"`);
  });

  it('an input URL carrying a credential draws a warning, and is shown redacted', async () => {
    const s = await startTestSandbox();
    const r = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send?token=t0k3n-abc', '--dry-run'], { env: sandboxEnv(s) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: gateway URL carries a credential in its query \(token\)/);
    expect(r.stdout + r.stderr).not.toContain('t0k3n-abc');
  });
});

describe('7-9. files and local state', () => {
  afterEach(closeTestSandboxes);

  it.each([
    ['an empty AUTH0_SMS_GATEWAY_BACKUP_DIR', [], { AUTH0_SMS_GATEWAY_BACKUP_DIR: '' }],
    ["--backup-dir ''", ['--backup-dir', ''], {}],
    ['a relative XDG_STATE_HOME', [], { XDG_STATE_HOME: 'relative-state' }],
  ])('%s: the backup lands in the private state folder, never the working directory', async (_what, args, extra) => {
    const s = await startTestSandbox();
    const home = mkdtempSync(join(tmpdir(), 'a0sg-home-'));
    const cwd = process.cwd();
    const before = readdirSync(cwd);
    const r = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', ...args], { env: sandboxEnv(s, 'full', { HOME: home, ...extra }) });
    expect(r.code).toBe(0);
    expect(readdirSync(cwd)).toEqual(before);
    expect(readdirSync(join(home, '.local', 'state', 'auth0-sms-gateway', 'backups'))).toHaveLength(1);
  });

  it('restore checks the whole backup, whatever strategy it claims, and the URL rules', async () => {
    const s = await startTestSandbox();
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-forged-'));
    const write = (connection: object) => {
      const file = join(dir, `${Math.random()}.json`);
      writeFileSync(file, JSON.stringify({ format: 'auth0-sms-gateway/backup@1', createdAt: 'x', tenant: s.domain, tool: 't', connection }), { mode: 0o600 });
      return file;
    };
    const sms = s.connection('sms')!;
    const asEmail = await runCli(['restore', write({ ...sms, strategy: 'email', options: { ...sms.options, gateway_url: 'http://evil.example.com/' } }), '--yes', '--no-backup'], { env: sandboxEnv(s) });
    expect(asEmail.code).toBe(2);
    expect(asEmail.stderr).toMatch(/"email" connection; this tool restores SMS connections only/);
    const http = await runCli(['restore', write({ ...sms, options: { ...sms.options, provider: 'sms_gateway', gateway_url: 'http://evil.example.com/sms' } }), '--yes', '--no-backup'], { env: sandboxEnv(s) });
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/options\.gateway_url: gateway URL must use https:\/\//);
    for (const [field, options] of [
      ['options.from', { ...sms.options, from: `+1555${ESC}[2J` }],
      ['options.template', { ...sms.options, template: `code @@password@@\r\nstatus${ESC}[8m 200` }],
      ['options.gateway_authentication.audience', { ...sms.options, provider: 'sms_gateway', gateway_url: 'https://sms.example.com/send', gateway_authentication: { method: 'bearer', subject: 'urn:Auth0', audience: `aud${ESC}]0;x\u0007`, secret: 'x'.repeat(40) } }],
    ] as const) {
      const file = write({ ...sms, options });
      const r = await runCli(['restore', file, '--yes', '--no-backup'], { env: sandboxEnv(s) });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${field} contains control characters`);
      expect(r.stderr).toContain('hint: if the tenant held them when the backup was taken, pass --force to put them back as they were');
      expectNoRawControls(r);
      // What a tenant held can be put back on purpose: shown escaped first.
      const forced = await runCli(['restore', file, '--dry-run', '--force'], { env: sandboxEnv(s) });
      expect(forced.code).toBe(0);
      expect(forced.stdout).toMatch(/\\(x1b|u001b)/);
      expectNoRawControls(forced);
      // But not from a file anyone could have written: one --force does not stand for both doubts.
      chmodSync(file, 0o666);
      const forgeable = await runCli(['restore', file, '--dry-run', '--force'], { env: sandboxEnv(s) });
      expect(forgeable.code).toBe(2);
      expect(forgeable.stderr).toContain(`${field} contains control characters`);
      chmodSync(file, 0o600);
    }
    // A template's line breaks are its own, CRLF included: a backup holding them restores.
    for (const template of ['Your code:\n@@password@@', 'Your code:\r\n@@password@@']) {
      const multiline = await runCli(['restore', write({ ...sms, options: { ...sms.options, template } }), '--yes', '--no-backup', '--dry-run'], { env: sandboxEnv(s) });
      expect(multiline.code).toBe(0);
    }
    expect(writes(s)).toEqual([]);
  });

  it('restore replaces options whole: odd values in the connection now do not stop it', async () => {
    const s = await startTestSandbox();
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-odd-'));
    expect((await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--backup-dir', dir], { env: sandboxEnv(s) })).code).toBe(0);
    const backedUp = readdirSync(dir)[0]!;
    await api(s, 'PATCH', `/connections/${s.connection('sms')!.id}`, { options: { ...s.connection('sms')!.options, forward_req_info: 'True', from: 15550001 } });
    const r = await runCli(['restore', join(dir, backedUp), '--yes', '--no-backup'], { env: sandboxEnv(s) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('~ forward_req_info: "True" -> ');
    expect(s.connection('sms')!.options).toEqual(JSON.parse(readFileSync(join(dir, backedUp), 'utf8')).connection.options);
  });

  it('restore refuses a backup file others could have written, unless --force', async () => {
    const s = await startTestSandbox();
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-perm-'));
    await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--backup-dir', dir], { env: sandboxEnv(s) });
    const file = join(dir, readdirSync(dir)[0]!);
    chmodSync(file, 0o666);
    const refused = await runCli(['restore', file, '--yes', '--no-backup'], { env: sandboxEnv(s) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing the backup .*: its file is writable by other users/);
    const forced = await runCli(['restore', file, '--yes', '--no-backup', '--force'], { env: sandboxEnv(s) });
    expect(forced.code).toBe(0);
  });

  it.each([
    ['a folder writable by others (not sticky)', (file: string) => chmodSync(dirname(file), 0o777), /its folder is writable by other users/],
    ['a file writable by its group', (file: string) => chmodSync(file, 0o620), /it is writable by its group/],
    // Only root can give a file away: elsewhere this case is skipped, the other two still run.
    ...(process.getuid?.() === 0 ? [['a file that belongs to another user', (file: string) => chownSync(file, 65534, 65534), /its file belongs to another user/] as const] : []),
  ] as const)('restore refuses %s, before any request', async (_what, spoil, message) => {
    const s = await startTestSandbox();
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-perm-'));
    await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--backup-dir', dir], { env: sandboxEnv(s) });
    const file = join(dir, readdirSync(dir)[0]!);
    spoil(file);
    const before = s.requests.length;
    const refused = await runCli(['restore', file, '--yes', '--no-backup'], { env: sandboxEnv(s) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(message);
    expect(s.requests.length).toBe(before);
  });

  it.each([
    // Not "pass -f - to read it from stdin": stdin has the same limit.
    ['apply -f of 5 MiB', (f: string) => ['apply', '-f', f, '--dry-run'], 5 * 1024 * 1024, /larger than 4 MiB, more than the tool reads\nhint: pass the desired-state file \(a few kilobytes of YAML or JSON\)/],
    ['a --secret-file of 100 KiB', (f: string) => ['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--audience', 'a', '--secret-file', f, '--dry-run'], 100 * 1024, /larger than 64 KiB/],
    ['restore of a 5 MiB file', (f: string) => ['restore', f, '--dry-run'], 5 * 1024 * 1024, /larger than 4 MiB/],
  ])('bounded input: %s is exit 2', async (_what, argv, size, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-big-'));
    const file = join(dir, 'big');
    writeFileSync(file, 'x'.repeat(size), { mode: 0o600 });
    const r = await runCli(argv(file), {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('bounded input: stdin past the limit is exit 2 (apply -f -, --secret-file -)', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    expect((await runCli(['apply', '-f', '-', '--dry-run'], { stdin: big })).code).toBe(2);
    const secret = await runCli(['test-gateway', '--gateway-url', 'http://127.0.0.1:9/x', '--audience', 'a', '--secret-file', '-', '--to', '+15551234567', '--dry-run'], { stdin: big });
    expect(secret.code).toBe(2);
    expect(secret.stderr).toMatch(/larger than 64 KiB/);
  });

  it('bounded input: apply -f /dev/zero stops at the limit', async () => {
    const r = await runCli(['apply', '-f', '/dev/zero', '--dry-run'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/larger than 4 MiB/);
  });
});

describe('11-12. serve and test-gateway', () => {
  const sandbox = useSandbox();
  let server: Server;
  let url: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      req.resume();
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  });
  afterAll(() => server.close());

  it('serve refuses a non-loopback --host without a secret (exit 2), unless --insecure-open is named', async () => {
    const r = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a secret.*\n.*--insecure-open/);
  });

  it("test-gateway with the connection's real secret and another URL asks first: exit 2 without a terminal or --yes, nothing sent; warns about http://", async () => {
    seen.length = 0;
    const refused = await runCli(['test-gateway', 'sms-gateway', '--gateway-url', url, '--to', '+15551234567'], { env: sandboxEnv(sandbox()) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("error: sending a token signed with the connection's gateway secret to a URL that is not its gateway_url needs confirmation, and there is no terminal to ask on");
    expect(refused.stderr).toMatch(/hint: pass --yes if that URL is yours, or give the secret for it/);
    expect(refused.stderr).not.toContain('diff');
    expect(seen).toEqual([]);
    const confirmed = await runCli(['test-gateway', 'sms-gateway', '--gateway-url', url, '--to', '+15551234567', '--yes'], { env: sandboxEnv(sandbox()) });
    expect(confirmed.code).toBe(0);
    expect(confirmed.stderr).toMatch(/warning: the bearer token crosses the network in clear over http:\/\//);
    expect(seen).toHaveLength(1);
    for (const secret of SEED_SECRETS) expect(confirmed.stdout + confirmed.stderr).not.toContain(secret);
  });
});

describe('13, 17, 18. reading leniently; errors by their code', () => {
  afterEach(closeTestSandboxes);

  it('one odd connection never fails a listing; a rewrite of it names the field', async () => {
    const odd: SandboxConnection = {
      id: 'con_0ddC0nnect10n001',
      name: 'odd-sms',
      strategy: 'sms',
      options: { provider: 'vonage', gateway_authentication: 'bearer', from: null, template: null, forward_req_info: null, use_phone_provider: 'unified' },
    };
    const s = await startTestSandbox({ connections: [...seedConnections(), odd] });
    const list = await runCli(['list', '--json'], { env: sandboxEnv(s) });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string; provider: string; route: string }[]).find((row) => row.name === 'odd-sms')).toMatchObject({ provider: 'vonage', route: 'phone-provider' });
    expect((await runCli(['show', 'odd-sms'], { env: sandboxEnv(s) })).code).toBe(0);
    const rewrite = await runCli(['configure', 'odd-sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--no-backup'], { env: sandboxEnv(s) });
    expect(rewrite.code).toBe(2);
    expect(rewrite.stderr).toMatch(/options\.provider, options\.gateway_authentication have an unexpected value/);
    expect(writes(s)).toEqual([]);
  });

  it.each([
    ['400 invalid_body: exit 2 naming the property', { statusCode: 400, error: 'Bad Request', message: "Payload validation error: 'String is too long' on property options.from.", errorCode: 'invalid_body' }, 400, 2, /Auth0 refused the connection \(options\.from\)/],
    ['409: a naming conflict, not a concurrent edit', { statusCode: 409, error: 'Conflict', message: 'The name/client_id tuple has already been used for another connection' }, 409, 1, /409 Conflict.*\n.*naming conflict/],
    ['403 without a scope: its own message', { statusCode: 403, error: 'Forbidden', message: 'Insufficient privileges to use this deprecated feature', errorCode: 'legacy_mfa_phone_provider_not_allowed' }, 403, 1, /Auth0 refused the request \(403, legacy_mfa_phone_provider_not_allowed\): Insufficient privileges.*\n.*not a missing scope/],
  ])('%s', async (_what, body, status, code, message) => {
    const s = await startTestSandbox();
    s.inject({ kind: 'status', status, method: 'PATCH', body, times: 5 });
    const r = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--no-backup'], { env: sandboxEnv(s, 'full', { AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }) });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(s.connection('sms')!.options!.gateway_url).toBeUndefined();
  });

  it('a refusal with --verbose on: the hint does not ask for the --verbose the run already has', async () => {
    const s = await startTestSandbox();
    s.inject({ kind: 'status', status: 400, method: 'PATCH', body: { statusCode: 400, error: 'Bad Request', message: 'Something Auth0 refuses', errorCode: 'some_new_code' }, times: 5 });
    const r = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--no-backup', '--verbose'], { env: sandboxEnv(s) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: Auth0 refused the request \(HTTP 400, some_new_code\): Something Auth0 refuses\nhint: --verbose shows each call and its status\n/);
    expect(r.stderr).toMatch(/PATCH \/api\/v2\/connections\/con_\w+ -> 400/);
  });

  it('an argument starting with con_ that is no Auth0 id: exit 2, no request', async () => {
    const s = await startTestSandbox();
    const r = await runCli(['show', 'con_tooShort'], { env: sandboxEnv(s) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"con_tooShort" is not a connection id/);
    expect(s.requests).toEqual([]);
  });

  it('a malformed AUTH0_CLIENT_ASSERTION_SIGNING_KEY: exit 2 naming the variable, no request', async () => {
    const s = await startTestSandbox();
    const r = await runCli(['list'], { env: { AUTH0_DOMAIN: s.domain, AUTH0_CLIENT_ID: 'x', AUTH0_CLIENT_ASSERTION_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: AUTH0_CLIENT_ASSERTION_SIGNING_KEY does not hold a usable private key/);
    expect(s.requests).toEqual([]);
  });
});

describe('odd connections in a listing', () => {
  afterEach(closeTestSandboxes);

  it('one without options, one with a null display name and one with a provider nobody documents: list and status still answer, and say why the route is unknown', async () => {
    const odd = (id: string, name: string, extra: Partial<SandboxConnection>): SandboxConnection => ({ ...seedConnections()[0]!, id, name, ...extra });
    const s = await startTestSandbox({
      connections: [
        ...seedConnections(),
        odd('con_NullOptions00001', 'null-opts', { options: null as unknown as Record<string, unknown> }),
        odd('con_NullDisplay00001', 'null-display', { display_name: null as unknown as string }),
        odd('con_OddProvider00001', 'odd-provider', { options: { provider: 42, gateway_url: 'https://sms.example.com/x' } }),
      ],
    });
    const list = await runCli(['list', '--json'], { env: sandboxEnv(s) });
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { name: string; provider: string | null; route: string }[];
    expect(rows.find((r) => r.name === 'null-opts')).toMatchObject({ provider: null, route: 'unknown' });
    expect(rows.find((r) => r.name === 'null-display')).toBeDefined();
    expect(rows.find((r) => r.name === 'odd-provider')).toMatchObject({ provider: '42', route: 'unknown' });
    expect(list.stderr).toMatch(/warning: Auth0 returned null-opts \(con_NullOptions00001\) without options: shown with the route "unknown"/);

    const status = await runCli(['status'], { env: sandboxEnv(s) });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/odd-provider .*its options name a provider this tool does not know \(42\)/);
    expect(status.stdout).toMatch(/null-opts .*without its options/);
    expect(status.stdout).not.toMatch(/odd-provider .*read:tenant_settings/);
  });
});
