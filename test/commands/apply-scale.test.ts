// apply at scale and beyond connections: how many requests it makes (the pages instead of one
// read per entry), its phone_provider: entry, and its progress line.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayServer, type GatewayServer } from '../../src/gateway/server.js';
import { generateConnections, SEED_IDS, SEED_SECRETS, type RequestLogEntry } from '../../src/sandbox/index.js';
import { asCreatedOnUnifiedPhone, requestLines, sandboxEnv, writes } from '../helpers/env.js';
import { runCli } from '../helpers/run-cli.js';
import { closeTestSandboxes, sharedTls, startTestSandbox } from '../helpers/sandbox.js';

const SECRET = 'apply-scale-gateway-secret-of-44-characters!';

function fileFor(names: string[], extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'a0sg-apply-scale-'));
  const file = join(dir, 'sms-gateway.yaml');
  writeFileSync(
    file,
    `${names.length === 0 ? '' : 'connections:\n'}${names
      .map((name) => `  - connection: ${name}\n    gateway_url: https://sms.example.com/send\n    authentication: none\n`)
      .join('')}${extra}`,
  );
  return file;
}

describe('apply: requests', () => {
  afterEach(closeTestSandboxes);

  // The goal of issue 12: at most 2N + ceil(N/100) + 2 (N re-reads and N PATCHes, the pages, the token).
  it.each([1, 100, 101, 250])('N = %i connections by name: at most 2N + ceil(N/100) + 2 requests', async (n) => {
    const s = await startTestSandbox({ connections: generateConnections(n, 1) });
    const names = s.connections().map((c) => c.name);
    const r = await runCli(['apply', '-f', fileFor(names), '--yes', '--no-backup'], { env: sandboxEnv(s) });
    expect(r.code).toBe(0);
    expect(writes(s)).toHaveLength(n);
    expect(s.requests.length).toBeLessThanOrEqual(2 * n + Math.ceil(n / 100) + 2);
    // PATCHes one at a time, in file order.
    expect(writes(s)).toEqual(s.connections().map((c) => `PATCH /api/v2/connections/${c.id}`));
  }, 60_000);

  // 150 entries, two pages. The second page is held 1 s: the setting's read goes out before
  // it is answered only if it is sent alongside it; read after the pages, it would come later.
  it('reads page 2 before visiting page 1, and the tenant setting alongside it, once, as soon as a connection needs it', async () => {
    const s = await startTestSandbox({ connections: generateConnections(150, 1) });
    s.inject({ kind: 'latency', ms: 1000, method: 'GET', path: '/api/v2/connections', after: 1 });
    const r = await runCli(['apply', '-f', fileFor(s.connections().map((c) => c.name)), '--dry-run'], { env: sandboxEnv(s) });
    expect(r.code).toBe(0);
    const reads = s.requests.filter((entry) => entry.method === 'GET');
    expect(reads.map((entry) => entry.path)).toEqual(['/api/v2/connections', '/api/v2/connections', '/api/v2/tenants/settings']);
    const [, page2, setting] = reads as [RequestLogEntry, RequestLogEntry, RequestLogEntry];
    // Page 2 was asked for before page 1's connections were visited (the first of them sends the
    // setting's read), and the setting's read went out while page 2 was held.
    expect(setting.at - page2.at).toBeLessThan(1000);
  });

  it('every connection on use_phone_provider: the setting is not read at all', async () => {
    const connections = generateConnections(150, 1).map((c) => ({ ...c, options: { ...c.options, use_phone_provider: true } }));
    const s = await startTestSandbox({ connections });
    const r = await runCli(['apply', '-f', fileFor(s.connections().map((c) => c.name)), '--dry-run'], { env: sandboxEnv(s) });
    expect(r.code).toBe(0);
    expect(requestLines(s)).not.toContain('GET /api/v2/tenants/settings');
  });

  // The pages read ahead included: never one past the page where the last entry is found.
  it.each([
    [5, 1],
    [150, 2],
    [200, 2],
  ])('a tenant with more SMS connections than the file (%i of 1,000): paging stops once every entry is found, after %i pages', async (n, pages) => {
    const s = await startTestSandbox({ connections: generateConnections(1000, 1) });
    const names = s.connections().slice(0, n).map((c) => c.name);
    const r = await runCli(['apply', '-f', fileFor(names), '--dry-run'], { env: sandboxEnv(s) });
    expect(r.code).toBe(0);
    expect(requestLines(s).filter((line) => line === 'GET /api/v2/connections')).toHaveLength(pages);
  });
});

describe('apply: the phone_provider entry', () => {
  afterEach(closeTestSandboxes);
  let gateway: GatewayServer;
  beforeAll(async () => {
    gateway = await startGatewayServer({ tls: sharedTls(), verify: { secret: SECRET, audience: 'urn:apply-gw' } });
  });
  afterAll(() => gateway.close());

  const phoneEntry = () =>
    `phone_provider:\n  gateway_url: ${gateway.url}/sms\n  authentication:\n    method: bearer\n    audience: urn:apply-gw\n    secret: \${GW_SECRET}\n  forward_req_info: true\n`;

  it('plans with --dry-run --exit-code (exit 3), applies, then converges (exit 0, no write), in one --json document each time', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const file = fileFor([], phoneEntry());
    const env = sandboxEnv(s, 'full', { GW_SECRET: SECRET });
    const plan = await runCli(['apply', '-f', file, '--dry-run', '--exit-code', '--json'], { env });
    expect(plan.code).toBe(3);
    const planned = JSON.parse(plan.stdout) as { changesPending: boolean; results: unknown[]; phoneProvider: { changed: boolean; diff: { path: string }[] } };
    expect(planned).toMatchObject({ changesPending: true, results: [], phoneProvider: { changed: false } });
    expect(planned.phoneProvider.diff.map((c) => c.path)).toContain('phone_provider.name');
    expect(writes(s)).toEqual([]);

    const applied = await runCli(['apply', '-f', file, '--yes', '--no-backup', '--json'], { env });
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ changesPending: false, phoneProvider: { changed: true, error: null } });
    expect(s.phoneProvider()).toMatchObject({ name: 'custom' });
    expect(await s.deliver({ to: '+15551230009', ip: '203.0.113.5', userAgent: 'UA' })).toMatchObject({ outcome: 'delivered' });

    const before = writes(s).length;
    const again = await runCli(['apply', '-f', file, '--dry-run', '--exit-code'], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Nothing to change');
    expect(writes(s)).toHaveLength(before);
    for (const secret of [...SEED_SECRETS, SECRET]) expect(plan.stdout + plan.stderr + applied.stdout + applied.stderr).not.toContain(secret);
  });

  it('a phone plan refused after its first step is "partial", never "failed" (which means nothing changed), and the phone step lost is "unknown"', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const env = sandboxEnv(s, 'full', { GW_SECRET: SECRET, AUTH0_SMS_GATEWAY_SETTLE_MS: '10' });
    const file = fileFor([], phoneEntry());
    s.inject({ kind: 'status', status: 403, method: 'POST', path: /\/deploy$/, times: 10 });
    const r = await runCli(['apply', '-f', file, '--yes', '--no-backup'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ {2}part-way {2}the phone provider: could not deploy the Action .*; done before that: created the Action auth0-sms-gateway-sms$/m);
    expect(r.stderr).toMatch(/^error: 1 target of 1 changed part-way \(see above\): the phone provider$/m);
    expect(r.stderr).not.toMatch(/could not be changed/);
    // The Action now exists: the same refusal on the next run is its first step, and nothing changes.
    const again = await runCli(['apply', '-f', file, '--yes', '--no-backup', '--json'], { env });
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ phoneProvider: { outcome: 'failed', changed: false } });
    const u = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    u.inject({ kind: 'status', status: 403, method: 'POST', path: /\/deploy$/, times: 10 });
    const json = await runCli(['apply', '-f', file, '--yes', '--no-backup', '--json'], { env: sandboxEnv(u, 'full', { GW_SECRET: SECRET }) });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ phoneProvider: { outcome: 'partial', changed: false } });

    // The create's answer lost and no read of the Actions succeeding since: that step's outcome is unknown.
    const t = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    t.inject({ kind: 'drop', method: 'POST', path: /\/actions\/actions$/, afterApply: true });
    // The reads before: the plan's, and the one that checks nothing moved before the first write.
    t.inject({ kind: 'drop', method: 'GET', path: /\/actions\/actions$/, after: 2, times: 100 });
    const lost = await runCli(['apply', '-f', file, '--yes', '--no-backup', '--json'], { env: sandboxEnv(t, 'full', { GW_SECRET: SECRET, AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }) });
    expect(lost.code).toBe(1);
    expect(JSON.parse(lost.stdout)).toMatchObject({ phoneProvider: { outcome: 'unknown', changed: false, error: { message: expect.stringContaining('the outcome is unknown') as unknown } } });
  });

  it('backs the phone side up: the --json document names a private phone-provider backup', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const backups = join(mkdtempSync(join(tmpdir(), 'a0sg-apply-')), 'backups');
    const r = await runCli(['apply', '-f', fileFor([], phoneEntry()), '--yes', '--json', '--backup-dir', backups], { env: sandboxEnv(s, 'full', { GW_SECRET: SECRET }) });
    expect(r.code).toBe(0);
    const backup = (JSON.parse(r.stdout) as { phoneProvider: { backup: string | null } }).phoneProvider.backup;
    expect(backup).toBe(join(backups, readdirSync(backups)[0]!));
    expect(statSync(backup!).mode & 0o777).toBe(0o600);
    expect((JSON.parse(readFileSync(backup!, 'utf8')) as { format: string }).format).toBe('auth0-sms-gateway/phone-provider-backup@1');
  });

  it('a connection that keeps the older gateway keys on a Unified Phone tenant: a warning that claims no delivery, naming what reaches the gateway', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const env = sandboxEnv(s, 'full', { GW_SECRET: SECRET });
    const hedge = "on this Unified Phone Experience tenant, its options have the older generation's gateway keys: Auth0 sends to its gateway_url if the connection predates the Unified Phone Experience, and documents that it does not for one made since (check with a real login); ";
    const alone = await runCli(['apply', '-f', fileFor(['sms-gateway']), '--dry-run', '--json'], { env });
    expect(alone.code).toBe(0);
    expect((JSON.parse(alone.stdout) as { results: { warnings: string[] }[] }).results[0]?.warnings).toEqual([`${hedge}to send them through the gateway add a phone_provider: entry to the file`]);
    const both = await runCli(['apply', '-f', fileFor(['sms-gateway'], phoneEntry()), '--dry-run'], { env });
    expect(both.code).toBe(0);
    expect(both.stderr).toContain(`warning: sms-gateway: ${hedge}this file's phone_provider: entry points the tenant's phone provider at the gateway`);
    // Where the tenant is known not to be on it, the options decide and nothing is said.
    const legacy = await runCli(['apply', '-f', fileFor(['sms-gateway']), '--dry-run', '--json'], { env: sandboxEnv(await startTestSandbox(), 'full') });
    expect((JSON.parse(legacy.stdout) as { results: { warnings: string[] }[] }).results[0]?.warnings).toEqual([]);
  });

  it('reads the tenant setting once when both the connections\' routes and the phone side need it', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    asCreatedOnUnifiedPhone(s, SEED_IDS.twilio);
    const r = await runCli(['apply', '-f', fileFor(['sms'], phoneEntry()), '--dry-run', '--json'], { env: sandboxEnv(s, 'full', { GW_SECRET: SECRET }) });
    expect(r.code).toBe(0);
    expect(s.requests.filter((q) => q.method === 'GET' && q.path === '/api/v2/tenants/settings')).toHaveLength(1);
  });

  it('refuses the keys only a connection has, naming them, before any request', async () => {
    const s = await startTestSandbox();
    const file = fileFor([], `${phoneEntry()}  template: "@@password@@"\n`);
    const r = await runCli(['apply', '-f', file, '--dry-run'], { env: sandboxEnv(s, 'full', { GW_SECRET: SECRET }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/phone_provider\.template: unknown key/);
    expect(s.requests).toEqual([]);
  });
});

describe('apply: the progress line', () => {
  afterEach(closeTestSandboxes);

  it('on a terminal: done/total, the connection, an ETA; cleared before the summary', async () => {
    const s = await startTestSandbox({ connections: generateConnections(6, 1) });
    const r = await runCli(['apply', '-f', fileFor(s.connections().map((c) => c.name)), '--yes', '--no-backup'], { env: sandboxEnv(s), tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\r\u001b\[2K\[0\/6\] sms-00001 {2}ETA \d+s/);
    expect(r.stderr).toMatch(/\[5\/6\] sms-00006/);
    expect(r.stderr).toMatch(/\r\u001b\[2K {2}(\u001b\[\d+m)?changed/);
  });

  it('nothing when stderr is not a terminal, and the --json document is the same', async () => {
    const s = await startTestSandbox({ connections: generateConnections(6, 1) });
    const r = await runCli(['apply', '-f', fileFor(s.connections().map((c) => c.name)), '--yes', '--no-backup', '--json'], { env: sandboxEnv(s) });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/ETA|\[\d+\/6\]/);
    expect(JSON.parse(r.stdout)).toMatchObject({ changesPending: false });
  });
});
