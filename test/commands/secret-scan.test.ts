// "Never print a secret": every command, in every output mode, on success and on failure,
// scanned for the sandbox's secret values, the client secret, and any JWT.
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_IDS, SEED_SECRETS, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/run-cli.js';
import { sandboxEnv } from '../helpers/env.js';
import { useSandbox } from '../helpers/sandbox.js';
import { api } from '../sandbox/http.js';

const GATEWAY_SECRET = 'scan-me-gateway-secret-0123456789abcdef';
const URL_TOKEN = 'url-token-secret-0123456789abcdef';
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/;

const commands: [string, string[]][] = [
  ['list', ['list']],
  ['show twilio', ['show', 'sms']],
  ['show gateway', ['show', 'sms-gateway']],
  ['configure dry run', ['configure', 'sms', '--gateway-url', 'https://sms.example.com/x', '--audience', 'urn:x', '--secret-env', 'GW', '--dry-run']],
  ['configure', ['configure', 'sms', '--gateway-url', 'https://sms.example.com/x', '--audience', 'urn:x', '--secret-env', 'GW', '--yes']],
  ['configure secret rotation', ['configure', 'sms-gateway', '--secret-env', 'GW', '--yes']],
  ['configure --secret flag', ['configure', 'sms-gateway', '--secret', GATEWAY_SECRET, '--dry-run']],
  ['test-gateway dry run', ['test-gateway', 'sms-gateway', '--to', '+15551234567', '--dry-run']],
  ['test-gateway unreachable', ['test-gateway', 'sms-gateway', '--to', '+15551234567', '--gateway-url', 'http://127.0.0.1:9/x', '--timeout', '2000', '--yes']],
  ['status', ['status']],
  ['phone-provider configure', ['phone-provider', 'configure', '--gateway-url', 'https://sms.example.com/x', '--audience', 'urn:x', '--secret-env', 'GW', '--yes', '--no-backup']],
  ['phone-provider show', ['phone-provider', 'show']],
  ['phone-provider test', ['phone-provider', 'test', '--to', '+15551234567']],
  ['bad client secret', ['list']],
  ['missing scope on PATCH', ['configure', 'sms', '--gateway-url', 'https://sms.example.com/x', '--yes']],
  // The mistake people make: the secret itself where a variable name or a path belongs.
  ['secret passed to --secret-env', ['configure', 'sms', '--gateway-url', 'https://sms.example.com/x', '--audience', 'urn:x', '--secret-env', 'Zk3JqP9xLm2VbT8wQr5YhN1cD6fG0sAe']],
  ['name-like secret passed to --secret-env', ['configure', 'sms', '--gateway-url', 'https://sms.example.com/x', '--audience', 'urn:x', '--secret-env', 'deadbeefcafe0123456789abcdef0123']],
  ['secret passed to --secret-file', ['configure', 'sms', '--gateway-url', 'https://sms.example.com/x', '--audience', 'urn:x', '--secret-file', 'Zk3JqP9xLm2VbT8wQr5YhN1cD6fG0sAe']],
  ['restore', ['restore', 'BACKUP', '--yes']],
  // A credential inside the gateway URL is shown redacted, by position, everywhere.
  ['configure, credential in the URL', ['configure', 'sms', '--gateway-url', `https://sms.example.com/x?token=${URL_TOKEN}`, '--auth', 'none', '--yes']],
  ['apply', ['apply', '-f', 'APPLY_FILE', '--yes']],
  // Faults: messages about a write whose answer was lost name the backup, never its content.
  ['configure, outcome unknown', ['configure', 'sms', '--gateway-url', 'https://sms.example.com/x', '--audience', 'urn:x', '--secret-env', 'GW', '--yes']],
  ['phone-provider configure, answer lost', ['phone-provider', 'configure', '--gateway-url', 'https://sms.example.com/x', '--audience', 'urn:x', '--secret-env', 'GW', '--yes']],
];

/** Faults set up before some of the runs above. */
const faults: Record<string, (s: Sandbox) => void> = {
  'configure, outcome unknown': (s) => {
    s.inject({ kind: 'drop', method: 'PATCH', afterApply: true });
    s.inject({ kind: 'concurrentWrite', id: SEED_IDS.twilio, afterReads: 2, mutate: () => s.inject({ kind: 'drop', method: 'GET', times: 1000 }) });
  },
  'phone-provider configure, answer lost': (s) => s.inject({ kind: 'drop', method: 'POST', path: /\/actions\/actions$/, afterApply: true }),
};
const MISTAKEN_SECRETS = ['Zk3JqP9xLm2VbT8wQr5YhN1cD6fG0sAe', 'deadbeefcafe0123456789abcdef0123'];

describe('no output mode prints a secret', () => {
  const sandbox = useSandbox();

  it.each(commands.flatMap(([label, argv]) => [['human', label, argv], ['--json', label, argv], ['--verbose', label, argv]] as const))(
    '%s: %s',
    async (mode, label, argv) => {
      const backups = mkdtempSync(join(tmpdir(), 'a0sg-scan-'));
      const env = sandboxEnv(sandbox(), label === 'missing scope on PATCH' ? 'readOnly' : 'full', { GW: GATEWAY_SECRET, AUTH0_SMS_GATEWAY_BACKUP_DIR: backups, AUTH0_SMS_GATEWAY_SETTLE_MS: '10' });
      if (label === 'bad client secret') env.AUTH0_CLIENT_SECRET = `${SEED_SECRETS[2]}-but-wrong`;
      let args: string[] = [...argv];
      if (label === 'restore') {
        // A real backup first: it holds the Twilio token in clear text, and restore must not print it.
        const made = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/x', '--yes'], { env });
        expect(made.code).toBe(0);
        const file = join(backups, readdirSync(backups)[0]!);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        args = args.map((a) => (a === 'BACKUP' ? file : a));
      }
      if (label === 'apply') {
        const file = join(mkdtempSync(join(tmpdir(), 'a0sg-scan-apply-')), 'f.yaml');
        writeFileSync(file, 'connections:\n  - connection: sms\n    gateway_url: https://sms.example.com/x\n    authentication:\n      method: bearer\n      audience: urn:x\n      secret: ${GW}\n');
        args = args.map((a) => (a === 'APPLY_FILE' ? file : a));
      }
      faults[label]?.(sandbox());
      const r = await runCli([...args, ...(mode === 'human' ? [] : [mode])], { env });
      const all = r.stdout + r.stderr;
      // The fault rows scan the messages they are there for.
      if (label === 'configure, outcome unknown') expect(all).toContain('the outcome is unknown');
      if (label === 'configure, credential in the URL') expect(all).toContain('token=[redacted]');
      for (const secret of [...SEED_SECRETS, GATEWAY_SECRET, URL_TOKEN, ...MISTAKEN_SECRETS]) expect(all).not.toContain(secret);
      expect(all).not.toMatch(JWT);
      if (mode === '--json') expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
      if (mode === '--verbose' && r.code !== 2) expect(r.stderr).toMatch(/-> (\d{3}|failed|timed out)/);
      // Backups do hold secrets (restore needs them), but only in private files.
      for (const file of readdirSync(backups)) expect(statSync(join(backups, file)).mode & 0o777).toBe(0o600);
    },
  );
});

describe('a credential in a stored gateway_url that is not a well-formed URL', () => {
  const sandbox = useSandbox();

  it.each(['https://gw.example.com/send x?token=', 'https://gw.example.com/send\n?token=', 'https://gw.example.com/se\u001bnd?access_token='])(
    'stays hidden in list, status and show, human and --json: %j',
    async (prefix) => {
      const token = 'STORED-URL-TOKEN-0123456789';
      const id = sandbox().connection('sms-gateway')!.id;
      expect((await api(sandbox(), 'PATCH', `/connections/${id}`, { options: { ...sandbox().connection('sms-gateway')!.options, gateway_url: `${prefix}${token}` } })).status).toBe(200);
      for (const argv of [['list'], ['status'], ['show', 'sms-gateway']]) {
        for (const mode of [[], ['--json']]) {
          const r = await runCli([...argv, ...mode], { env: sandboxEnv(sandbox()) });
          expect(r.code).toBe(0);
          expect(r.stdout + r.stderr).not.toContain(token);
        }
      }
    },
  );
});

describe('a secret held by another field as well (an audience or a template set to its value)', () => {
  const sandbox = useSandbox();

  it('show, list and status hide a text equal to the connection\'s secret (audience, from, display name), human and --json', async () => {
    const secret = 'audience-equals-the-secret-0123456789';
    const id = sandbox().connection('sms-gateway')!.id;
    const options = sandbox().connection('sms-gateway')!.options!;
    const auth = options.gateway_authentication as Record<string, unknown>;
    expect((await api(sandbox(), 'PATCH', `/connections/${id}`, { display_name: secret, options: { ...options, from: secret, gateway_authentication: { ...auth, audience: secret, secret } } })).status).toBe(200);
    for (const argv of [['show', 'sms-gateway'], ['list'], ['status']]) {
      for (const mode of [[], ['--json']]) {
        const r = await runCli([...argv, ...mode], { env: sandboxEnv(sandbox()) });
        expect(r.code).toBe(0);
        expect(r.stdout + r.stderr).not.toContain(secret);
        // status for people shows no `from`: nothing there to hide.
        if (argv[0] !== 'status' || mode.length > 0) expect(r.stdout).toContain('[redacted]');
      }
    }
    const json = await runCli(['show', 'sms-gateway', '--json'], { env: sandboxEnv(sandbox()) });
    expect((JSON.parse(json.stdout) as { options: { gateway_authentication: { audience: string } } }).options.gateway_authentication.audience).toBe('[redacted]');
  });

  it('list hides a text equal to the Twilio token (from), human and --json', async () => {
    const sms = sandbox().connection('sms')!;
    const twilioToken = sms.options!.twilio_token as string;
    expect((await api(sandbox(), 'PATCH', `/connections/${sms.id}`, { options: { ...sms.options, from: twilioToken } })).status).toBe(200);
    for (const mode of [[], ['--json']]) {
      const r = await runCli(['list', ...mode], { env: sandboxEnv(sandbox()) });
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(twilioToken);
      expect(r.stdout).toContain('[redacted]');
    }
  });

  it('restore refuses a backup whose texts hold one of its secrets (the Twilio token in a template), before any request, and prints neither', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'a0sg-scan-held-'));
    const env = sandboxEnv(sandbox(), 'full', { AUTH0_SMS_GATEWAY_BACKUP_DIR: backups });
    const sms = sandbox().connection('sms')!;
    const twilioToken = sms.options!.twilio_token as string;
    expect((await api(sandbox(), 'PATCH', `/connections/${sms.id}`, { options: { ...sms.options, template: `code @@password@@ ${twilioToken}` } })).status).toBe(200);
    expect((await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/x', '--template', 'code @@password@@', '--yes'], { env })).code).toBe(0);
    const file = join(backups, readdirSync(backups)[0]!);
    for (const mode of [[], ['--json'], ['--force']]) {
      const before = sandbox().requests.length;
      const r = await runCli(['restore', file, '--dry-run', ...mode], { env });
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toContain('options.template holds the value of options.twilio_token, which would be stored and shown in clear');
      expect(r.stdout + r.stderr).not.toContain(twilioToken);
      expect(sandbox().requests.length).toBe(before);
    }
  });
});

describe('a secret that Auth0 quotes back in an error message is hidden by its value', () => {
  const sandbox = useSandbox();
  /** A refusal of the PATCH that quotes `secret` in plain text, as a validation message can. */
  const quoting = (secret: string) =>
    ({ kind: 'status', status: 400, method: 'PATCH', body: { statusCode: 400, error: 'Bad Request', message: `Payload validation error: value ${secret} is not accepted`, errorCode: 'invalid_body' } }) as const;

  it('a secret the connection holds (the Twilio token, kept with --keep-twilio)', async () => {
    const twilioToken = sandbox().connection('sms')!.options!.twilio_token as string;
    sandbox().inject(quoting(twilioToken));
    const r = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/x', '--auth', 'none', '--keep-twilio', '--yes', '--no-backup'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Payload validation error: value [redacted] is not accepted');
    expect(r.stdout + r.stderr).not.toContain(twilioToken);
  });

  it('a secret from an apply file\'s ${VARIABLE}', async () => {
    const secret = 'apply-file-gateway-secret-0123456789abcdef';
    const file = join(mkdtempSync(join(tmpdir(), 'a0sg-scan-apply-')), 'f.yaml');
    writeFileSync(file, 'connections:\n  - connection: sms\n    gateway_url: https://sms.example.com/x\n    authentication:\n      method: bearer\n      audience: urn:x\n      secret: ${GW}\n');
    sandbox().inject(quoting(secret));
    const r = await runCli(['apply', '-f', file, '--yes', '--no-backup'], { env: sandboxEnv(sandbox(), 'full', { GW: secret }) });
    expect(r.stdout + r.stderr).toContain('Payload validation error: value [redacted] is not accepted');
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('a secret only the backup being restored holds', async () => {
    const onlyInBackup = 'backup-only-twilio-token-7d3e9a1c5b2f4e6a';
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-scan-backup-'));
    const current = sandbox().connection(SEED_IDS.twilio)!;
    const file = join(dir, 'backup.json');
    const connection = { ...current, options: { ...current.options, twilio_token: onlyInBackup } };
    writeFileSync(file, JSON.stringify({ format: 'auth0-sms-gateway/backup@1', createdAt: '2026-01-01T00:00:00.000Z', tenant: sandbox().domain, tool: 'auth0-sms-gateway@0.1.0', connection }), { mode: 0o600 });
    sandbox().inject(quoting(onlyInBackup));
    const r = await runCli(['restore', file, '--yes', '--no-backup'], { env: sandboxEnv(sandbox()) });
    expect(r.stdout + r.stderr).toContain('Payload validation error: value [redacted] is not accepted');
    expect(r.stdout + r.stderr).not.toContain(onlyInBackup);
  });
});
