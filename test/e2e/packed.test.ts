// What a newcomer does: npm pack, install the tarball in an empty folder, run the bin.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/spawn.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let bin: string;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a0sg-packed-'));
  // npm test has just built dist/; --ignore-scripts packs that build instead of building again.
  execFileSync(npm, ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, stdio: 'ignore' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack wrote no tarball');
  const app = join(dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), '{"name":"newcomer","private":true}');
  // The package has no runtime dependencies, so this install needs no registry.
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--offline', join(dir, tarball)], { cwd: app, stdio: 'ignore' });
  bin = join(app, 'node_modules', '.bin', 'auth0-sms-gateway');
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed package', () => {
  it('installs one package whose bin prints help', async () => {
    const r = await runBin(['--help'], {}, bin);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: auth0-sms-gateway');
    for (const command of ['list', 'show', 'configure', 'restore', 'test-gateway', 'serve', 'wizard', 'apply', 'schema', 'demo']) {
      expect(r.stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
    }
    expect(readdirSync(join(dir, 'app', 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['auth0-sms-gateway']);
  });

  it('fails closed on an unknown flag: exit 2 and no stack trace', async () => {
    const r = await runBin(['configure', '--dry_run'], {}, bin);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown option '--dry_run'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs demo end to end: exit 0, and the tenant ends as it began', async () => {
    const scratch = mkdtempSync(join(dir, 'tmp-'));
    const r = await runBin(['demo', '--json'], { CI: 'true', TMPDIR: scratch }, bin);
    expect(r.stderr).toContain('received an SMS for +15550100100');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; restored: boolean; gatewayMessages: number; steps: { command: string; exitCode: number }[] };
    expect(doc).toMatchObject({ ok: true, restored: true, gatewayMessages: 1 });
    expect(doc.steps.map((s) => s.command.split(' ')[1])).toEqual(['list', 'configure', 'configure', 'test-gateway', 'restore']);
    expect(doc.steps.every((s) => s.exitCode === 0)).toBe(true);
    // No files left behind.
    expect(readdirSync(scratch)).toEqual([]);
  }, 60_000);

  it('exports verifyGatewayRequest from the library entry', async () => {
    const script = join(dir, 'app', 'check.mjs');
    writeFileSync(script, "import { verifyGatewayRequest, signGatewayToken } from 'auth0-sms-gateway';\nconst t = await signGatewayToken({ secret: 's3cret-s3cret-s3cret-s3cret-s3cret!', audience: 'urn:a' });\nconst p = await verifyGatewayRequest({ authorization: `Bearer ${t}`, body: { recipient: '+1555', body: 'code 1', sender: '' } }, { secret: 's3cret-s3cret-s3cret-s3cret-s3cret!', audience: 'urn:a' });\nconsole.log(p.recipient);\n");
    const out = execFileSync(process.execPath, [script], { cwd: join(dir, 'app') }).toString();
    expect(out.trim()).toBe('+1555');
  });
});
