import { mkdtempSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayServer, type GatewayServer } from '../../src/gateway/server.js';
import { SEED_IDS, SEED_SECRETS, SEED_TWILIO_TOKEN, SEED_UNKNOWN_OPTION, type Sandbox } from '../../src/sandbox/index.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { requestLines, sandboxEnv, writes } from '../helpers/env.js';
import { sharedTls, useSandbox } from '../helpers/sandbox.js';
import { LOCK_ORIGIN } from '../../src/flow/lock.js';

const GATEWAY_SECRET = 'a-gateway-signing-secret-of-40-characters!';
const NEW_SECRET = 'a-rotated-gateway-secret-of-40-characters';
const URL = 'https://sms.example.com/send';

function env(sandbox: Sandbox, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return sandboxEnv(sandbox, 'full', { GW_SECRET: GATEWAY_SECRET, ...extra });
}
const switchArgs = (ref: string, ...more: string[]) => ['configure', ref, '--gateway-url', URL, '--auth', 'bearer', '--audience', 'urn:my-gateway', '--secret-env', 'GW_SECRET', ...more];

function noSecretIn(r: CliRun): void {
  for (const secret of [...SEED_SECRETS, GATEWAY_SECRET]) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
}

describe('configure', () => {
  const sandbox = useSandbox();
  let backupDir: string;
  beforeEach(() => {
    backupDir = mkdtempSync(join(tmpdir(), 'a0sg-backups-'));
  });

  it('switches the Twilio connection: only provider, gateway_url, gateway_authentication and the Twilio keys change', async () => {
    const before = sandbox().connection(SEED_IDS.twilio)!;
    const r = await runCli(switchArgs('sms', '--yes', '--backup-dir', backupDir), { env: env(sandbox()) });
    expect(r.stderr).toMatch(/Done: sms now sends codes through https:\/\/sms\.example\.com\/send/);
    expect(r.stderr).toContain('Next: auth0-sms-gateway test-gateway sms --to <your phone>');
    expect(r.code).toBe(0);
    noSecretIn(r);

    const { twilio_sid: _sid, twilio_token: _token, ...kept } = before.options!;
    const expectedOptions = {
      ...kept,
      // Stored as the string "true" (Auth0's own example); a rewrite writes the boolean the spec types.
      forward_req_info: true,
      provider: 'sms_gateway',
      gateway_url: URL,
      gateway_authentication: { method: 'bearer', subject: 'urn:Auth0', audience: 'urn:my-gateway', secret: GATEWAY_SECRET, secret_base64_encoded: false },
    };
    // The exact PATCH body: the whole options, plus display_name (Auth0 resets it when omitted).
    const patch = sandbox().requests.find((q) => q.method === 'PATCH');
    expect(patch?.body).toEqual({ options: expectedOptions, display_name: 'SMS' });
    const after = sandbox().connection(SEED_IDS.twilio)!;
    expect(after.options).toEqual(expectedOptions);
    expect(after.options![SEED_UNKNOWN_OPTION.key]).toEqual(SEED_UNKNOWN_OPTION.value);
    for (const key of ['display_name', 'enabled_clients', 'realms', 'metadata', 'name', 'strategy'] as const) {
      expect(after[key]).toEqual(before[key]);
    }
    // The diff on stdout names every changed path, secrets by path only.
    expect(r.stdout).toMatch(/~ provider|\+ provider/);
    expect(r.stdout).toContain('- twilio_token: (secret removed)');
    expect(r.stdout).toContain('+ gateway_authentication.secret: (secret set)');
  });

  it('needs at most 5 requests by id (token, read, the tenant setting, re-read, PATCH) and 6 by name', async () => {
    const byId = await runCli(switchArgs(SEED_IDS.twilio, '--yes', '--no-backup'), { env: env(sandbox()) });
    expect(byId.code).toBe(0);
    expect(requestLines(sandbox())).toEqual([
      'POST /oauth/token',
      `GET /api/v2/connections/${SEED_IDS.twilio}`,
      'GET /api/v2/tenants/settings',
      `GET /api/v2/connections/${SEED_IDS.twilio}`,
      `PATCH /api/v2/connections/${SEED_IDS.twilio}`,
    ]);
    sandbox().reset();
    const byName = await runCli(switchArgs('sms', '--yes', '--no-backup'), { env: env(sandbox()) });
    expect(byName.code).toBe(0);
    expect(sandbox().requests.length).toBeLessThanOrEqual(6);
  });

  it('running the same configure again changes nothing and sends no PATCH', async () => {
    expect((await runCli(switchArgs('sms', '--yes', '--no-backup'), { env: env(sandbox()) })).code).toBe(0);
    const patchesBefore = writes(sandbox()).length;
    const again = await runCli(switchArgs('sms', '--yes', '--no-backup'), { env: env(sandbox()) });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Nothing to change');
    expect(writes(sandbox())).toHaveLength(patchesBefore);
  });

  it('--dry-run shows the diff and writes nothing', async () => {
    const before = sandbox().connections();
    const r = await runCli(switchArgs('sms', '--dry-run'), { env: env(sandbox()) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('gateway_url');
    expect(r.stderr).toMatch(/Dry run: \d+ changes planned, nothing written/);
    expect(writes(sandbox())).toEqual([]);
    expect(sandbox().connections()).toEqual(before);
  });

  it('--json prints one document in the contract shape', async () => {
    const r = await runCli(switchArgs('sms', '--dry-run', '--json'), { env: env(sandbox()) });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(['backup', 'changed', 'connection', 'diff', 'dryRun', 'route', 'routeAfter', 'warnings']);
    expect(doc.connection).toEqual({ id: SEED_IDS.twilio, name: 'sms' });
    expect(doc.changed).toBe(false);
    expect(doc.dryRun).toBe(true);
    expect(doc.diff).toContainEqual({ path: 'twilio_token', kind: 'removed', before: '[redacted]', after: null });
    expect(doc.diff).toContainEqual({ path: 'gateway_url', kind: 'added', before: null, after: URL });
    noSecretIn(r);
  });

  it('without a terminal and without --yes it refuses (exit 2) and writes nothing', async () => {
    const r = await runCli(switchArgs('sms'), { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs confirmation.*\n.*--yes/);
    expect(writes(sandbox())).toEqual([]);
  });

  it('stops when the connection changed between the read and the write (exit 1, nothing written)', async () => {
    sandbox().inject({ kind: 'concurrentWrite', id: SEED_IDS.twilio, afterReads: 1, mutate: (c) => void Object.assign(c.options!, { from: '+15550000000' }) });
    const r = await runCli(switchArgs(SEED_IDS.twilio, '--yes', '--no-backup'), { env: env(sandbox()) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/changed since it was read/);
    expect(writes(sandbox())).toEqual([]);
    expect(sandbox().connection(SEED_IDS.twilio)!.options!.from).toBe('+15550000000');
  });

  it('backs up the full connection, secrets included, in a 0600 file in a 0700 folder; restore puts it back exactly', async () => {
    const original = sandbox().connection(SEED_IDS.twilio)!;
    const dir = join(backupDir, 'nested');
    const r = await runCli(switchArgs('sms', '--yes', '--backup-dir', dir), { env: env(sandbox()) });
    expect(r.code).toBe(0);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const file = join(dir, files[0]!);
    expect(r.stderr).toContain(`backup: ${file}`);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { connection: { options: { twilio_token: string } } };
    expect(saved.connection.options.twilio_token).toBe(SEED_TWILIO_TOKEN);

    const restored = await runCli(['restore', file, '--yes', '--backup-dir', dir], { env: env(sandbox()) });
    expect(restored.code).toBe(0);
    noSecretIn(restored);
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual(original);
    // Restoring twice is a no-op.
    const again = await runCli(['restore', file, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(again.stderr).toContain('Nothing to change');
  });

  it('restore refuses a backup of another connection without --force', async () => {
    const r1 = await runCli(switchArgs('sms', '--yes', '--backup-dir', backupDir), { env: env(sandbox()) });
    expect(r1.code).toBe(0);
    const file = join(backupDir, readdirSync(backupDir)[0]!);
    const text = readFileSync(file, 'utf8').replaceAll(SEED_IDS.twilio, SEED_IDS.gateway);
    const forged = join(backupDir, 'forged.json');
    await import('node:fs').then((fs) => fs.writeFileSync(forged, text));
    const r = await runCli(['restore', forged, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a backup of sms \(con_GatewaySmsSeed02\), not sms-gateway/);
  });

  it('restore refuses a backup of another tenant without --force', async () => {
    await runCli(switchArgs('sms', '--yes', '--backup-dir', backupDir), { env: env(sandbox()) });
    const file = join(backupDir, readdirSync(backupDir)[0]!);
    const forged = join(backupDir, 'other-tenant.json');
    const fs = await import('node:fs');
    fs.writeFileSync(forged, readFileSync(file, 'utf8').replace(`"tenant": "${sandbox().domain}"`, '"tenant": "other.eu.auth0.com"'));
    const r = await runCli(['restore', forged, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/backup of tenant other\.eu\.auth0\.com/);
    expect(writes(sandbox()).filter((w) => w.startsWith('PATCH'))).toHaveLength(1);
  });

  it('restore refuses a backup whose secret is the [redacted] placeholder (a copy of the output), before any request', async () => {
    await runCli(switchArgs('sms', '--yes', '--backup-dir', backupDir), { env: env(sandbox()) });
    const file = join(backupDir, readdirSync(backupDir)[0]!);
    const forged = join(backupDir, 'placeholder.json');
    const fs = await import('node:fs');
    fs.writeFileSync(forged, readFileSync(file, 'utf8').replace(JSON.stringify(SEED_TWILIO_TOKEN), '"[redacted]"'));
    sandbox().requests.length = 0;
    const r = await runCli(['restore', forged, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds "\[redacted\]" as connection\.options\.twilio_token: that is how the tool's output hides a secret/);
    expect(sandbox().requests).toEqual([]);
  });

  it('restore names what a file that is not a backup lacks, in one line, before any request', async () => {
    const fs = await import('node:fs');
    const junk = join(backupDir, 'junk.json');
    fs.writeFileSync(junk, JSON.stringify({ hello: 1 }));
    fs.chmodSync(junk, 0o600);
    sandbox().requests.length = 0;
    const r = await runCli(['restore', junk, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: ${junk} is not an auth0-sms-gateway backup (it has no "format", not "auth0-sms-gateway/backup@1" or "auth0-sms-gateway/phone-provider-backup@1")\nhint: pass a backup file written by auth0-sms-gateway\n`,
    );
    fs.writeFileSync(junk, JSON.stringify({ format: 'auth0-sms-gateway/backup@9' }));
    expect((await runCli(['restore', junk, '--yes', '--no-backup'], { env: env(sandbox()) })).stderr).toContain('(its "format" is "auth0-sms-gateway/backup@9", not "auth0-sms-gateway/backup@1" or');
    expect(sandbox().requests).toEqual([]);
  });

  it('restore names every broken field of a hand-edited backup at once, never its value, before any request', async () => {
    const fs = await import('node:fs');
    await runCli(switchArgs('sms', '--yes', '--backup-dir', backupDir), { env: env(sandbox()) });
    const file = join(backupDir, readdirSync(backupDir)[0]!);
    const broken = join(backupDir, 'broken.json');
    const backup = JSON.parse(readFileSync(file, 'utf8')) as { format: string; connection: Record<string, unknown> };
    fs.writeFileSync(broken, JSON.stringify({ ...backup, connection: { ...backup.connection, id: 12345, name: '', options: 'TOPSECRET-options-text' } }));
    fs.chmodSync(broken, 0o600);
    sandbox().requests.length = 0;
    const r = await runCli(['restore', broken, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: ${broken} is not an auth0-sms-gateway backup (connection.id: Invalid input: expected string, received number; connection.name: Too small: expected string to have >=1 characters; connection.options: Invalid input: expected object, received string)\nhint: pass a backup file written by auth0-sms-gateway\n`,
    );
    expect(r.stderr).not.toContain('TOPSECRET');
    // Something else entirely: the first five, and how many more.
    fs.writeFileSync(broken, JSON.stringify({ format: backup.format, createdAt: 1, tenant: '', tool: 2, connection: { id: 3, name: 4, strategy: 5, display_name: 6, options: 7 } }));
    const many = await runCli(['restore', broken, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(many.code).toBe(2);
    expect(many.stderr.split('\n')[0]).toMatch(/^error: .* is not an auth0-sms-gateway backup \(([^;]+; ){4}[^;]+; and 3 more\)$/);
    expect(sandbox().requests).toEqual([]);
  });

  // Windows has no such mode bits: the check (and this test) is for POSIX systems.
  it.skipIf(process.platform === 'win32')('refuses to back up into a folder others can write (restore would refuse the backup): exit 2, nothing written', async () => {
    const fs = await import('node:fs');
    const open = join(backupDir, 'shared');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    sandbox().requests.length = 0;
    const r = await runCli(switchArgs('sms', '--yes', '--backup-dir', open), { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: the backup folder .*shared is not safe for backups \(it is writable by other users\), and restore would refuse a backup from it: nothing was changed/);
    expect(r.stderr).toMatch(/hint: pass --backup-dir <a folder only you can write>/);
    expect(fs.readdirSync(open)).toEqual([]);
    expect(writes(sandbox())).toEqual([]);
  });

  it('a token without the update scopes: the dry run shows its plan and says it cannot be written; the write stops before asking, backing up or sending', async () => {
    const readOnly = sandboxEnv(sandbox(), 'readOnly', { GW_SECRET: GATEWAY_SECRET, AUTH0_SMS_GATEWAY_BACKUP_DIR: backupDir });
    const plan = await runCli(switchArgs('sms', '--dry-run'), { env: readOnly });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('gateway_url');
    expect(plan.stderr).toContain('warning: the token lacks update:connections, update:connections_options: this plan cannot be written with it');
    sandbox().requests.length = 0;
    const r = await runCli(switchArgs('sms', '--yes'), { env: readOnly });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: the token lacks update:connections, update:connections_options, which these changes need: nothing was written');
    expect(writes(sandbox())).toEqual([]);
    expect(readdirSync(backupDir)).toEqual([]);
  });

  it('--auth none removes gateway_authentication and keeps everything else', async () => {
    const before = sandbox().connection(SEED_IDS.gateway)!;
    const r = await runCli(['configure', 'sms-gateway', '--auth', 'none', '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(0);
    const { gateway_authentication: _auth, ...rest } = before.options!;
    expect(sandbox().connection(SEED_IDS.gateway)!.options).toEqual(rest);
    expect(r.stdout).toContain('- gateway_authentication.secret: (secret removed)');
  });

  it('--keep-twilio keeps the Twilio credentials', async () => {
    const r = await runCli(['configure', 'sms', '--gateway-url', URL, '--keep-twilio', '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(0);
    expect(sandbox().connection(SEED_IDS.twilio)!.options!.twilio_token).toBe(SEED_TWILIO_TOKEN);
  });

  it('warns when use_phone_provider is on', async () => {
    sandbox().inject({ kind: 'concurrentWrite', id: SEED_IDS.twilio, afterReads: 0, mutate: (c) => void Object.assign(c.options!, { use_phone_provider: true }) });
    const r = await runCli(['configure', 'sms', '--gateway-url', URL, '--dry-run'], { env: env(sandbox()) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*use_phone_provider/);
  });

  it('without a connection: exit 2 listing the SMS connections when there are several', async () => {
    const r = await runCli(['configure', '--gateway-url', URL, '--dry-run'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`sms (${SEED_IDS.twilio})`);
    expect(r.stderr).toContain(`sms-gateway (${SEED_IDS.gateway})`);
  });

  it('--generate-secret --secret-out writes the secret to a new 0600 file and never prints it', async () => {
    const out = join(backupDir, 'gateway-secret');
    const r = await runCli(['configure', 'sms', '--gateway-url', URL, '--auth', 'bearer', '--audience', 'urn:gw', '--generate-secret', '--secret-out', out, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(0);
    const secret = readFileSync(out, 'utf8').trim();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect((sandbox().connection(SEED_IDS.twilio)!.options!.gateway_authentication as { secret: string }).secret).toBe(secret);
  });

  it('reads the secret from --secret-file - (stdin) without the trailing newline', async () => {
    const r = await runCli(['configure', 'sms', '--gateway-url', URL, '--audience', 'urn:gw', '--secret-file', '-', '--yes', '--no-backup'], {
      env: env(sandbox()),
      stdin: `${GATEWAY_SECRET}\n`,
    });
    expect(r.code).toBe(0);
    expect((sandbox().connection(SEED_IDS.twilio)!.options!.gateway_authentication as { secret: string }).secret).toBe(GATEWAY_SECRET);
  });
});

describe('configure under faults ends in the intended state or the original one', () => {
  const sandbox = useSandbox();

  it.each([
    ['429s on every endpoint', (s: Sandbox) => s.inject({ kind: 'status', status: 429, times: 2 })],
    ['a 503 on the PATCH', (s: Sandbox) => s.inject({ kind: 'status', status: 503, method: 'PATCH', times: 1 })],
    ['a PATCH whose answer is lost after it was applied', (s: Sandbox) => s.inject({ kind: 'drop', method: 'PATCH', afterApply: true })],
    // A transient fault: the re-reads show the old state, the same PATCH is sent once more.
    ['a PATCH dropped before it was applied', (s: Sandbox) => s.inject({ kind: 'drop', method: 'PATCH' })],
    // A 200 is a write carried out, whatever its body: settled by reading, never "not written".
    ['a PATCH answered 200 with its JSON cut short', (s: Sandbox) => s.inject({ kind: 'unreadableAnswer', method: 'PATCH' })],
    ['a PATCH answered 200 with a proxy page', (s: Sandbox) => s.inject({ kind: 'unreadableAnswer', method: 'PATCH', body: '<html>ok</html>' })],
    ['a PATCH answered 200 with a connection without options', (s: Sandbox) => s.inject({ kind: 'unreadableAnswer', method: 'PATCH', body: JSON.stringify({ id: SEED_IDS.twilio, name: 'sms', strategy: 'sms' }) })],
  ])('%s: the intended state', async (_label, inject) => {
    inject(sandbox());
    const r = await runCli(switchArgs(SEED_IDS.twilio, '--yes', '--no-backup'), { env: env(sandbox(), { AUTH0_SMS_GATEWAY_SETTLE_MS: '20' }) });
    expect(r.code).toBe(0);
    expect(sandbox().connection(SEED_IDS.twilio)!.options!.gateway_url).toBe(URL);
  });

  it('a PATCH that lands after the client gave up (timeout): re-read until it shows, exit 0, never "nothing was changed"', async () => {
    // The PATCH is carried out 1.5 s after it arrived; the client gives up after 1 s.
    sandbox().inject({ kind: 'delayedApply', ms: 1500, method: 'PATCH' });
    const r = await runCli(switchArgs(SEED_IDS.twilio, '--yes', '--no-backup'), { env: env(sandbox(), { AUTH0_SMS_GATEWAY_HTTP_TIMEOUT: '1', AUTH0_SMS_GATEWAY_SETTLE_MS: '200' }) });
    expect(r.stderr).not.toMatch(/nothing was changed/);
    expect(r.code).toBe(0);
    expect(sandbox().connection(SEED_IDS.twilio)!.options!.gateway_url).toBe(URL);
    // One PATCH only: the re-reads found it applied before a resend was due.
    expect(requestLines(sandbox()).filter((line) => line.startsWith('PATCH'))).toHaveLength(1);
  });

  it.each([
    ['a plain backup folder', 'backups', (backup: string) => backup],
    ["a folder with a space and a quote: quoted for the shell", "team's backups", (backup: string) => `'${backup.replace("'", "'\\''")}'`],
  ])('no read succeeds after a lost answer: exit 1, "the outcome is unknown", and the exact restore command (%s)', async (_label, folder, quoted) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'a0sg-unknown-')), folder);
    const s = sandbox();
    s.inject({ kind: 'drop', method: 'PATCH', afterApply: true });
    // Once the read and the re-read before the PATCH are done, every read fails.
    s.inject({ kind: 'concurrentWrite', id: SEED_IDS.twilio, afterReads: 2, mutate: () => s.inject({ kind: 'drop', method: 'GET', times: 1000 }) });
    const r = await runCli(switchArgs(SEED_IDS.twilio, '--yes', '--backup-dir', dir), { env: env(s, { AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }) });
    expect(r.code).toBe(1);
    const backup = join(dir, readdirSync(dir)[0]!);
    expect(r.stderr).toMatch(/error: .*the outcome is unknown/);
    expect(r.stderr).toContain(`auth0-sms-gateway restore ${quoted(backup)}`);
    expect(r.stderr).not.toMatch(/nothing was changed/);
  });

  it('a PATCH answered with options other than those sent: exit 1, says so, and how to check and undo; apply calls it "unknown"', async () => {
    const s = sandbox();
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-stored-other-'));
    const other = { ...s.connection(SEED_IDS.twilio)!, options: { ...s.connection(SEED_IDS.twilio)!.options, provider: 'twilio', gateway_url: 'https://other.example.com/x' } };
    s.inject({ kind: 'unreadableAnswer', method: 'PATCH', body: JSON.stringify(other) });
    const r = await runCli(switchArgs(SEED_IDS.twilio, '--yes', '--backup-dir', dir), { env: env(s) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Auth0 stored different options than were sent \(.*gateway_url.*\)$/m);
    expect(r.stderr).toContain(`auth0-sms-gateway restore ${join(dir, readdirSync(dir)[0]!)}`);
  });

  it('a read that showed the old state, then reads that fail: no resend on stale evidence, the outcome is unknown', async () => {
    const s = sandbox();
    s.inject({ kind: 'drop', method: 'PATCH' });
    // The read, the re-read before the PATCH and the first settling read succeed; then every read fails.
    s.inject({ kind: 'concurrentWrite', id: SEED_IDS.twilio, afterReads: 3, mutate: () => s.inject({ kind: 'drop', method: 'GET', times: 1000 }) });
    const r = await runCli(switchArgs(SEED_IDS.twilio, '--yes', '--no-backup'), { env: env(s, { AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: .*the outcome is unknown/);
    expect(requestLines(s).filter((line) => line.startsWith('PATCH'))).toHaveLength(1);
  });

  const patches = (s: Sandbox) => requestLines(s).filter((line) => line.startsWith('PATCH'));

  it('a rename between the read and the PATCH: refused, nothing written (the PATCH would put the old display_name back unseen)', async () => {
    const s = sandbox();
    s.inject({ kind: 'concurrentWrite', id: SEED_IDS.twilio, afterReads: 1, mutate: (c) => void (c.display_name = 'Renamed by a colleague') });
    const r = await runCli(switchArgs(SEED_IDS.twilio, '--yes', '--no-backup'), { env: env(s) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/changed since it was read/);
    expect(patches(s)).toHaveLength(0);
    expect(s.connection(SEED_IDS.twilio)!.display_name).toBe('Renamed by a colleague');
  });

  it('a lost answer, then a settling read that shows someone else\'s write: no second PATCH over it, "a state nobody planned"', async () => {
    const s = sandbox();
    s.inject({ kind: 'drop', method: 'PATCH' });
    // The read, the re-read before the PATCH, then the first settling read sees another write.
    s.inject({ kind: 'concurrentWrite', id: SEED_IDS.twilio, afterReads: 3, mutate: (c) => void Object.assign(c.options!, { from: '+15550000000' }) });
    const r = await runCli(switchArgs(SEED_IDS.twilio, '--yes', '--no-backup'), { env: env(s, { AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/state nobody planned/);
    expect(patches(s)).toHaveLength(1);
    expect(s.connection(SEED_IDS.twilio)!.options!.from).toBe('+15550000000');
  });

  it('a 503 on the PATCH is settled by a read before the PATCH is sent again', async () => {
    const s = sandbox();
    s.inject({ kind: 'status', status: 503, method: 'PATCH' });
    const r = await runCli(switchArgs(SEED_IDS.twilio, '--yes', '--no-backup'), { env: env(s, { AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }) });
    expect(r.code).toBe(0);
    const lines = requestLines(s);
    const first = lines.findIndex((line) => line.startsWith('PATCH'));
    const second = lines.findIndex((line, i) => i > first && line.startsWith('PATCH'));
    expect(second).toBeGreaterThan(first);
    expect(lines.slice(first + 1, second)).toContain(`GET /api/v2/connections/${SEED_IDS.twilio}`);
  });

  it.each([
    ['dropped twice, before it was applied each time', (s: Sandbox) => s.inject({ kind: 'drop', method: 'PATCH', times: 2 })],
    ['503s on every PATCH', (s: Sandbox) => s.inject({ kind: 'status', status: 503, method: 'PATCH', times: 10 })],
    ['a 403 on the PATCH', (s: Sandbox) => s.inject({ kind: 'status', status: 403, method: 'PATCH', times: 10 })],
  ])('%s: exit 1 and the original state', async (label, inject) => {
    const before = sandbox().connection(SEED_IDS.twilio);
    inject(sandbox());
    const r = await runCli(switchArgs(SEED_IDS.twilio, '--yes', '--no-backup'), { env: env(sandbox(), { AUTH0_SMS_GATEWAY_MAX_RETRIES: '1', AUTH0_SMS_GATEWAY_SETTLE_MS: '20' }) });
    expect(r.code).toBe(1);
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual(before);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    if (label.startsWith('a 403')) return;
    // Answers lost twice and reads that still show the old state: a queued write may land later,
    // so the run says what it saw, never "nothing was changed", and how to check.
    expect(r.stderr).not.toMatch(/nothing was changed/);
    expect(r.stderr).toMatch(/^error: .*twice; the last read still showed sms's previous options, so neither write had landed by then, but one whose answer was lost may still land$/m);
    expect(r.stderr).toContain(`hint: check it with \`auth0-sms-gateway show ${SEED_IDS.twilio}\``);
  });
});

describe('configure: bad input is exit 2 with a message and no write', () => {
  const sandbox = useSandbox();
  const long = (n: number) => 'x'.repeat(n);
  const cases: [string, string[], NodeJS.ProcessEnv?][] = [
    ['http URL', ['--gateway-url', 'http://sms.example.com/send']],
    ['ftp URL', ['--gateway-url', 'ftp://sms.example.com/send']],
    ['not a URL', ['--gateway-url', 'sms.example.com']],
    ['garbage URL', ['--gateway-url', 'https://']],
    ['URL over 255 characters', ['--gateway-url', `https://sms.example.com/${long(250)}`]],
    ['URL with credentials', ['--gateway-url', 'https://user:pass@sms.example.com/send']],
    ['empty URL', ['--gateway-url', '']],
    ['empty audience', ['--gateway-url', URL, '--audience', '', '--secret-env', 'GW_SECRET']],
    ['audience over 128', ['--gateway-url', URL, '--audience', long(129), '--secret-env', 'GW_SECRET']],
    ['subject over 64', ['--gateway-url', URL, '--audience', 'a', '--subject', long(65), '--secret-env', 'GW_SECRET']],
    ['empty subject', ['--gateway-url', URL, '--audience', 'a', '--subject', '', '--secret-env', 'GW_SECRET']],
    ['secret over 5120', ['--gateway-url', URL, '--audience', 'a', '--secret-env', 'BIG']],
    ['base64url secret with +', ['--gateway-url', URL, '--audience', 'a', '--secret-env', 'PLUS', '--secret-base64-encoded']],
    ['base64url secret with /', ['--gateway-url', URL, '--audience', 'a', '--secret-env', 'SLASH', '--secret-base64-encoded']],
    ['unset secret variable', ['--gateway-url', URL, '--audience', 'a', '--secret-env', 'NOT_SET']],
    ['two secret sources', ['--gateway-url', URL, '--audience', 'a', '--secret-env', 'GW_SECRET', '--generate-secret']],
    ['missing secret file', ['--gateway-url', URL, '--audience', 'a', '--secret-file', '/nonexistent/secret']],
    ['--secret-out without --generate-secret', ['--gateway-url', URL, '--secret-out', '/tmp/x']],
    ['--generate-secret without a terminal or --secret-out', ['--gateway-url', URL, '--audience', 'a', '--generate-secret']],
    ['template without a placeholder', ['--gateway-url', URL, '--template', 'Your code is ready']],
    ['empty template', ['--gateway-url', URL, '--template', '']],
    ['from over 128 characters', ['--gateway-url', URL, '--from', `+1${'5'.repeat(130)}`]],
    ['from with a line break', ['--gateway-url', URL, '--from', '+1555\nstatus 200']],
    ['--auth with a bad method', ['--gateway-url', URL, '--auth', 'basic']],
    ['--auth none with an audience', ['--gateway-url', URL, '--auth', 'none', '--audience', 'a']],
    ['unknown flag', ['--gateway-url', URL, '--dry_run']],
    ['extra argument', ['--gateway-url', URL, 'extra']],
  ];

  it.each(cases)('%s', async (_label, flags, extraEnv) => {
    const r = await runCli(['configure', 'sms', ...flags, '--yes'], {
      env: env(sandbox(), { BIG: long(5121), PLUS: 'abc+def', SLASH: 'abc/def', ...extraEnv }),
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .+/);
    // Validated before any request: not even a token was fetched.
    expect(sandbox().requests).toEqual([]);
  });

  it.each([
    ['unknown connection', 'no-such-connection'],
    ['unknown id', 'con_Unknown000000001'],
    ['malformed id', 'con_!!'],
    ['non-SMS connection', SEED_IDS.email],
    ['database connection by name', 'Username-Password-Authentication'],
  ])('%s: exit 2, no write', async (_label, ref) => {
    const r = await runCli(['configure', ref, '--gateway-url', URL, '--yes'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(writes(sandbox())).toEqual([]);
  });

  it('refuses to write when the token cannot read options (exit 1, names the scope)', async () => {
    const r = await runCli(['configure', 'sms', '--gateway-url', URL, '--yes'], { env: sandboxEnv(sandbox(), 'noOptions') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/read:connections_options/);
    expect(writes(sandbox())).toEqual([]);
  });
});

describe('AUTH0_SMS_GATEWAY_SECRET', () => {
  const sandbox = useSandbox();

  it('is the secret when bearer authentication is asked for', async () => {
    const r = await runCli(['configure', 'sms', '--gateway-url', URL, '--audience', 'urn:gw', '--yes', '--no-backup'], { env: env(sandbox(), { AUTH0_SMS_GATEWAY_SECRET: GATEWAY_SECRET }) });
    expect(r.code).toBe(0);
    expect((sandbox().connection(SEED_IDS.twilio)!.options!.gateway_authentication as { secret: string }).secret).toBe(GATEWAY_SECRET);
  });

  it('does not by itself turn on authentication or rotate a secret', async () => {
    const r = await runCli(['configure', 'sms', '--gateway-url', URL, '--yes', '--no-backup'], { env: env(sandbox(), { AUTH0_SMS_GATEWAY_SECRET: GATEWAY_SECRET }) });
    expect(r.code).toBe(0);
    expect(sandbox().connection(SEED_IDS.twilio)!.options!.gateway_authentication).toBeUndefined();
    const before = sandbox().connection(SEED_IDS.gateway);
    const again = await runCli(['configure', 'sms-gateway', '--forward-req-info', '--yes', '--no-backup'], { env: env(sandbox(), { AUTH0_SMS_GATEWAY_SECRET: GATEWAY_SECRET }) });
    expect(again.code).toBe(0);
    expect(sandbox().connection(SEED_IDS.gateway)).toEqual(before);
  });

  it('never replaces a secret in place, even with bearer flags (--subject, --audience, --auth bearer); --secret-env names it to rotate', async () => {
    const stored = () => (sandbox().connection(SEED_IDS.gateway)!.options!.gateway_authentication as { secret: string }).secret;
    const kept = stored();
    const lingering = env(sandbox(), { AUTH0_SMS_GATEWAY_SECRET: NEW_SECRET });
    for (const flags of [['--subject', 'urn:Auth0'], ['--no-secret-base64-encoded'], ['--auth', 'bearer', '--audience', 'urn:other']]) {
      const r = await runCli(['configure', 'sms-gateway', ...flags, '--yes', '--no-backup', '--json'], { env: lingering });
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { diff: { path: string }[] }).diff.map((c) => c.path)).not.toContain('gateway_authentication.secret');
      expect(stored()).toBe(kept);
    }
    const rotated = await runCli(['configure', 'sms-gateway', '--secret-env', 'AUTH0_SMS_GATEWAY_SECRET', '--yes', '--no-backup'], { env: lingering });
    expect(rotated.code).toBe(0);
    expect(stored()).toBe(NEW_SECRET);
  });
});

describe('review fixes', () => {
  const sandbox = useSandbox();

  it('a generated secret is shown before the PATCH, so a failed write never hides it', async () => {
    sandbox().inject({ kind: 'status', status: 503, method: 'PATCH', times: 10 });
    const r = await runCli(['configure', 'sms', '--gateway-url', URL, '--audience', 'urn:gw', '--generate-secret', '--yes', '--no-backup'], {
      // The lost-answer reads that follow the 503s wait 10 ms each, not the 7.5 s a user's run would.
      env: env(sandbox(), { AUTH0_SMS_GATEWAY_MAX_RETRIES: '0', AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }),
      tty: true,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Generated gateway secret \(shown once[^\n]*\n\n {2}[A-Za-z0-9_-]{43}\n/);
    expect(r.stderr.indexOf('Generated gateway secret')).toBeLessThan(r.stderr.indexOf('error:'));
  });

  it('a backup into a folder the user already has leaves its permissions alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-existing-'));
    (await import('node:fs')).chmodSync(dir, 0o755);
    const r = await runCli(['configure', 'sms', '--gateway-url', URL, '--yes', '--backup-dir', dir], { env: env(sandbox()) });
    expect(r.code).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, readdirSync(dir)[0]!)).mode & 0o777).toBe(0o600);
  });

  it('restore of a backup whose connection was deleted names --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-deleted-'));
    await runCli(['configure', 'sms', '--gateway-url', URL, '--yes', '--backup-dir', dir], { env: env(sandbox()) });
    const file = join(dir, readdirSync(dir)[0]!);
    const fs = await import('node:fs');
    fs.writeFileSync(file, readFileSync(file, 'utf8').replaceAll(SEED_IDS.twilio, 'con_Deleted000000001'));
    const r = await runCli(['restore', file, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no longer exists/);
    expect(r.stderr).toMatch(/--force/);
    const forced = await runCli(['restore', file, '--yes', '--no-backup', '--force'], { env: env(sandbox()) });
    expect(forced.code).toBe(0);
    expect(sandbox().connection(SEED_IDS.twilio)!.options!.twilio_token).toBe(SEED_TWILIO_TOKEN);
  });
});

describe('two runs on one machine do not interleave', () => {
  const sandbox = useSandbox();

  it('a live lock on the connection: exit 1 naming the other run, nothing written; a stale one is taken over', async () => {
    const state = mkdtempSync(join(tmpdir(), 'a0sg-state-'));
    const locks = join(state, 'auth0-sms-gateway', 'locks');
    const fs = await import('node:fs');
    fs.mkdirSync(locks, { recursive: true });
    const lockOf = (pid: number) => join(locks, `${sandbox().domain.replace(/[^A-Za-z0-9._-]/g, '_')}~${pid}-0badc0de.lock`);
    const holding = (pid: number) => `${JSON.stringify({ pid, where: LOCK_ORIGIN, targets: [SEED_IDS.twilio] })}\n`;
    // pid 1 is always alive: another run holds the lock.
    fs.writeFileSync(lockOf(1), holding(1));
    const held = await runCli(switchArgs('sms', '--yes', '--no-backup'), { env: env(sandbox(), { XDG_STATE_HOME: state }) });
    expect(held.code).toBe(1);
    expect(held.stderr).toContain(`another auth0-sms-gateway run (pid 1) is changing ${SEED_IDS.twilio} on ${sandbox().domain}: nothing was written`);
    expect(writes(sandbox())).toEqual([]);
    expect(fs.readdirSync(locks)).toEqual([basename(lockOf(1))]);
    // A lock whose process is gone is stale.
    fs.rmSync(lockOf(1));
    fs.writeFileSync(lockOf(2147483646), holding(2147483646));
    const stale = await runCli(switchArgs('sms', '--yes', '--no-backup'), { env: env(sandbox(), { XDG_STATE_HOME: state }) });
    expect(stale.code).toBe(0);
    expect(fs.readdirSync(locks)).toEqual([]);
  });
});

describe('configure --test-to', () => {
  const sandbox = useSandbox();
  let gateway: GatewayServer;
  const received: string[] = [];
  beforeAll(async () => {
    gateway = await startGatewayServer({
      tls: sharedTls(),
      verify: { secret: GATEWAY_SECRET, audience: 'urn:my-gateway' },
      onMessage: (payload) => void received.push(payload.recipient),
    });
  });
  afterAll(() => gateway.close());
  const args = (...more: string[]) => ['configure', 'sms', '--gateway-url', `${gateway.url}/sms`, '--auth', 'bearer', '--audience', 'urn:my-gateway', '--secret-env', 'GW_SECRET', '--test-to', '+15551230002', '--yes', '--no-backup', ...more];

  it('a gateway that refuses the planned token: exit 1, no PATCH; one that answers 200: the switch is made', async () => {
    const wrong = await runCli(args(), { env: env(sandbox(), { GW_SECRET: 'not-the-gateway-secret-but-32-chars-long' }) });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/the gateway failed the test message \(.*401.*\): nothing was written/);
    expect(writes(sandbox())).toEqual([]);
    expect(received).toEqual([]);

    const right = await runCli(args(), { env: env(sandbox()) });
    expect(right.code).toBe(0);
    expect(received).toEqual(['+15551230002']);
    expect(writes(sandbox())).toEqual([`PATCH /api/v2/connections/${SEED_IDS.twilio}`]);
    expect(sandbox().connection(SEED_IDS.twilio)!.options!.gateway_url).toBe(`${gateway.url}/sms`);
  });
});
