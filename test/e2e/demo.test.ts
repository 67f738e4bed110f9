// `demo` through the built bin, as a newcomer runs it: both generations of Auth0 SMS delivery
// against the built-in tenants and one local gateway, and nothing left behind however it ends.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_SECRETS } from '../../src/sandbox/index.js';
import { canListProcesses, processesWithEnvironment, waitUntil } from '../helpers/processes.js';
import { runBin, spawnBin, type Spawned } from '../helpers/spawn.js';

const DEMO_FOLDER = /^auth0-sms-gateway-demo-/;
// Three base64url parts, the first two JSON objects ("{" encodes as "eyJ"): a JWT.
const JWT = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

interface DemoDocument {
  ok: boolean;
  steps: { command: string; exitCode: number }[];
  gatewayMessages: { legacy: number; unifiedPhone: number };
  restored: boolean;
  keepRunning?: { gatewayUrl: string; legacy: { domain: string; envFile: string }; unifiedPhone: { domain: string; envFile: string } };
}

const scratches: string[] = [];
const running: Spawned[] = [];

/** A private TMPDIR for one run: whatever the demo leaves behind shows up here, and only its own. */
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'a0sg-demo-test-'));
  scratches.push(dir);
  return dir;
}

afterEach(() => {
  for (const s of running.splice(0)) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  for (const dir of scratches.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function expectNoSecrets(text: string, extra: string[] = []): void {
  for (const secret of [...SEED_SECRETS, ...extra]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(JWT);
}

/** `export NAME=value` lines of a demo env file (values single-quoted when needed). */
function readEnvFile(file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m === null) continue;
    const raw = m[2] as string;
    vars[m[1] as string] = raw.startsWith("'") ? raw.slice(1, -1).replaceAll(`'\\''`, "'") : raw;
  }
  return vars;
}

describe('demo', () => {
  it('shows both generations reaching one gateway, restores both tenants, and leaves no files', async () => {
    const scratch = scratchDir();
    // A home of its own: the steps' lock files must not land in the user's state folder either.
    const home = scratchDir();
    const r = await runBin(['demo', '--json'], { CI: 'true', TMPDIR: scratch, HOME: home });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(home)).toEqual([]);

    const doc = JSON.parse(r.stdout) as DemoDocument;
    expect(doc).toMatchObject({ ok: true, restored: true, gatewayMessages: { legacy: 1, unifiedPhone: 1 } });
    expect(doc.keepRunning).toBeUndefined();
    expect(doc.steps.map((s) => s.command.split(' ').slice(1, 3).join(' '))).toEqual([
      'list',
      'configure sms',
      'configure sms',
      expect.stringMatching(/^restore \S+_sms_\S+\.json$/),
      'status',
      'phone-provider configure',
      'phone-provider configure',
      'status',
      expect.stringMatching(/^restore \S+_phone-provider_\S+\.json$/),
    ]);
    expect(doc.steps.map((s) => s.command.includes('--dry-run'))).toEqual([false, true, false, false, false, true, false, false, false]);
    expect(doc.steps.every((s) => s.exitCode === 0)).toBe(true);

    // The gateway's own lines, one per generation, each from a real /passwordless/start.
    expect(r.stderr).toMatch(/\[gateway\] received an SMS for \+15550100100 from the legacy connection: "Your verification code is: \d{6}" \(ip 127\.0\.0\.1\)/);
    expect(r.stderr).toMatch(/\[gateway\] received an SMS for \+15550100200 through the phone-provider Action: "\d{6} is your verification code for Sandbox Tenant"/);
    expect(r.stderr).toMatch(/POST https:\/\/127\.0\.0\.1:\d+\/passwordless\/start .*"client_id":"SbxSpaLoginApp0+5","connection":"sms"/);
    expect(r.stderr).toMatch(/\[auth0\] sms code to \+15550100100 via gateway: delivered/);
    expect(r.stderr).toMatch(/\[auth0\] sms code to \+15550100200 via custom-action: delivered/);
    // The Unified Phone tenant before and after: the route, then the Action the tool installed.
    expect(r.stderr).toMatch(/sms +phone-provider +- +Auth0 sends this connection's codes through the tenant's phone provider/);
    expect(r.stderr).toMatch(/its Action +auth0-sms-gateway-sms \(deployed, installed by this tool\) -> https:\/\/127\.0\.0\.1:\d+\/sms/);
    expect(r.stderr).toMatch(/deleted the Action auth0-sms-gateway-sms \(the backup had none\)/);

    expectNoSecrets(r.stdout + r.stderr);
    expect(readdirSync(scratch)).toEqual([]);
  }, 90_000);

  it('stops the running step, closes everything and removes its folder on Ctrl-C: exit 130', async () => {
    const scratch = scratchDir();
    const demo = spawnBin(['demo'], { CI: 'true', TMPDIR: scratch });
    running.push(demo);
    await demo.waitFor(/1\. List the SMS connections/, 30_000);
    // The demo's steps inherit this TMPDIR (beneath it): wait until one of them runs.
    const step = () => processesWithEnvironment(scratch).find((pid) => pid !== demo.child.pid);
    if (canListProcesses()) await waitUntil(step, 'a demo step process');
    demo.child.kill('SIGINT');

    expect(await demo.exit).toBe(130);
    expect(demo.stderr()).toMatch(/cancelled \(SIGINT\)/);
    expect(demo.stderr()).not.toContain('Done: the gateway received');
    expect(readdirSync(scratch).filter((name) => DEMO_FOLDER.test(name))).toEqual([]);
    // No step process outlives the demo.
    expect(processesWithEnvironment(scratch)).toEqual([]);
    expectNoSecrets(demo.stdout() + demo.stderr());
  }, 60_000);

  it('--keep-running: private env files that point the CLI at each tenant, gone after SIGTERM', async () => {
    const scratch = scratchDir();
    const demo = spawnBin(['demo', '--keep-running', '--json'], { CI: 'true', TMPDIR: scratch });
    running.push(demo);
    await demo.waitFor(/Ctrl-C stops everything/, 60_000);
    const legacyFile = demo.stderr().match(/source (\S+\/legacy\.env)$/m)?.[1];
    const unifiedFile = demo.stderr().match(/source (\S+\/unified\.env)$/m)?.[1];
    expect(legacyFile).toBeDefined();
    expect(unifiedFile).toBeDefined();
    const files = [legacyFile as string, unifiedFile as string];
    const folder = dirname(files[0] as string);
    expect(dirname(files[1] as string)).toBe(folder);
    expect(dirname(folder)).toBe(scratch);
    expect(folder).toMatch(/\/auth0-sms-gateway-demo-[^/]+$/);

    if (process.platform !== 'win32') {
      const dirStat = statSync(folder);
      expect(dirStat.mode & 0o777).toBe(0o700);
      expect(dirStat.uid).toBe(process.getuid?.());
      for (const file of files) {
        const stat = statSync(file);
        expect(stat.mode & 0o777).toBe(0o600);
        expect(stat.uid).toBe(process.getuid?.());
      }
    }

    // Each file points the CLI at its own tenant, restored and still up.
    const legacyEnv = readEnvFile(files[0] as string);
    const unifiedEnv = readEnvFile(files[1] as string);
    expect(legacyEnv.AUTH0_DOMAIN).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(unifiedEnv.AUTH0_DOMAIN).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(unifiedEnv.AUTH0_DOMAIN).not.toBe(legacyEnv.AUTH0_DOMAIN);
    const gatewaySecret = legacyEnv.AUTH0_SMS_GATEWAY_SECRET as string;
    expect(gatewaySecret.length).toBeGreaterThanOrEqual(32);

    const legacyList = await runBin(['list', '--json'], { CI: 'true', ...legacyEnv });
    expect(legacyList.code, legacyList.stderr).toBe(0);
    expect((JSON.parse(legacyList.stdout) as { name: string; route: string }[]).map((c) => [c.name, c.route])).toEqual([['sms', 'twilio']]);
    const unifiedStatus = await runBin(['status', '--json'], { CI: 'true', ...unifiedEnv });
    expect(unifiedStatus.code, unifiedStatus.stderr).toBe(0);
    expect(JSON.parse(unifiedStatus.stdout)).toMatchObject({ domain: unifiedEnv.AUTH0_DOMAIN, unifiedPhone: true, phoneProvider: null, connections: [{ name: 'sms', route: 'phone-provider' }] });

    demo.child.kill('SIGTERM');
    expect(await demo.exit).toBe(0);
    const doc = JSON.parse(demo.stdout()) as DemoDocument;
    expect(doc).toMatchObject({ ok: true, restored: true, gatewayMessages: { legacy: 1, unifiedPhone: 1 } });
    expect(doc.keepRunning).toMatchObject({ legacy: { domain: legacyEnv.AUTH0_DOMAIN, envFile: files[0] }, unifiedPhone: { domain: unifiedEnv.AUTH0_DOMAIN, envFile: files[1] } });
    expect(demo.stderr()).toContain('Demo stopped');
    expect(demo.stderr()).not.toContain('stopped by SIGTERM');
    for (const file of files) expect(existsSync(file)).toBe(false);
    expect(existsSync(folder)).toBe(false);
    expect(readdirSync(scratch)).toEqual([]);
    expectNoSecrets(demo.stdout() + demo.stderr(), [gatewaySecret]);
  }, 90_000);
});
