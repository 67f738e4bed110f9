// The tenant setting phone_consolidated_experience only informs (routes, what a write means for
// delivery). When Auth0 fails to answer its read (a 5xx after the retries), every command goes
// on as it does without read:tenant_settings: the route is "unknown", one warning says what
// failed, no delivery is claimed, and nothing the command writes changes because of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayServer, type GatewayServer } from '../../src/gateway/server.js';
import { SEED_CLIENTS, SEED_IDS, type Sandbox } from '../../src/sandbox/index.js';
import { sandboxEnv, writes } from '../helpers/env.js';
import { runCli } from '../helpers/run-cli.js';
import { sharedTls, useSandbox } from '../helpers/sandbox.js';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SETTINGS = '/api/v2/tenants/settings';
const WARNING =
  'warning: could not read the tenant setting phone_consolidated_experience (the Management API failed (HTTP 503)): routes that depend on the tenant setting show as "unknown", and a gateway route is no promise of delivery';
const SECRET = 'settings-unread-gateway-secret-of-44-chars!!';

const failSettings = (s: Sandbox): void => s.inject({ kind: 'status', status: 503, path: SETTINGS, times: 1000 });
const settingsReads = (s: Sandbox): number => s.requests.filter((q) => q.method === 'GET' && q.path === SETTINGS).length;
const warnings = (stderr: string): string[] => stderr.split('\n').filter((line) => line.startsWith('warning: '));

describe('a tenant-settings read that Auth0 fails to answer', () => {
  const sandbox = useSandbox({ tenant: { phoneConsolidatedExperience: true } });
  let gateway: GatewayServer;
  beforeAll(async () => {
    gateway = await startGatewayServer({ tls: sharedTls(), verify: { secret: SECRET, audience: 'urn:settings-unread' } });
  });
  afterAll(() => gateway.close());

  it('show: exit 0, the route claims no delivery, one warning names the failure', async () => {
    failSettings(sandbox());
    const r = await runCli(['show', 'sms-gateway'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe(
      "route             gateway: its options have the older generation's gateway keys: Auth0 sends to its gateway_url unless the tenant is on the Unified Phone Experience and the connection was made since (the tenant setting could not be read)",
    );
    expect(warnings(r.stderr)).toEqual([WARNING]);
    // The read and the two resends of a GET that met a 5xx (src/auth0/client.ts), then no more.
    expect(settingsReads(sandbox())).toBe(3);
  });

  it('configure: writes what was asked, every other option kept, and hedges instead of failing', async () => {
    failSettings(sandbox());
    const before = structuredClone(sandbox().connection('sms-gateway')!.options);
    const r = await runCli(['configure', 'sms-gateway', '--gateway-url', 'https://sms9.example.com/send', '--yes', '--no-backup'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect(writes(sandbox())).toEqual([`PATCH /api/v2/connections/${SEED_IDS.gateway}`]);
    const patch = sandbox().requests.find((q) => q.method === 'PATCH');
    expect(patch?.body).toEqual({ options: { ...before, gateway_url: 'https://sms9.example.com/send' }, display_name: sandbox().connection('sms-gateway')!.display_name });
    expect(warnings(r.stderr).filter((line) => line === WARNING)).toHaveLength(1);
    expect(r.stderr).toMatch(/warning: on a tenant whose generation could not be read, /);
    expect(r.stderr).not.toMatch(/now sends codes through/);
  });

  it('status: exit 0, unifiedPhone null with no scope blamed, the reason in the generation line', async () => {
    failSettings(sandbox());
    const json = await runCli(['status', '--json'], { env: sandboxEnv(sandbox()) });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ unifiedPhone: null, missingScopes: [] });
    expect(warnings(json.stderr)).toEqual([WARNING]);

    failSettings(sandbox());
    const text = await runCli(['status'], { env: sandboxEnv(sandbox()) });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('unknown (the tenant settings could not be read: the Management API failed (HTTP 503))');
    expect(text.stderr).not.toContain('read:tenant_settings');
  });

  it('apply with connections and a phone_provider: entry: one read of the setting for the run, one warning', async () => {
    failSettings(sandbox());
    await runCli(['show', 'sms-gateway'], { env: sandboxEnv(sandbox()) });
    const alone = settingsReads(sandbox());
    sandbox().reset();

    failSettings(sandbox());
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-settings-unread-'));
    const file = join(dir, 'sms-gateway.yaml');
    writeFileSync(
      file,
      `connections:\n  - connection: sms-gateway\n    gateway_url: https://sms.example.com/send\n    authentication: none\n` +
        `phone_provider:\n  gateway_url: ${gateway.url}/sms\n  authentication:\n    method: bearer\n    audience: urn:settings-unread\n    secret: \${GW_SECRET}\n`,
    );
    const r = await runCli(['apply', '-f', file, '--dry-run', '--json'], { env: sandboxEnv(sandbox(), 'full', { GW_SECRET: SECRET }) });
    expect(r.code).toBe(0);
    expect(settingsReads(sandbox())).toBe(alone);
    expect(warnings(r.stderr).filter((line) => line === WARNING)).toHaveLength(1);
    const doc = JSON.parse(r.stdout) as { phoneProvider: { warnings: string[] } };
    expect(doc.phoneProvider.warnings).toContain('whether this tenant uses its phone provider for Passwordless is unknown (the tenant setting could not be read)');
    expect(writes(sandbox())).toEqual([]);
  });

  it('phone-provider configure: installs, says Done without claiming Passwordless uses it', async () => {
    failSettings(sandbox());
    const r = await runCli(
      ['phone-provider', 'configure', '--gateway-url', `${gateway.url}/sms`, '--auth', 'bearer', '--audience', 'urn:settings-unread', '--secret-env', 'S', '--yes', '--no-backup'],
      { env: sandboxEnv(sandbox(), 'full', { S: SECRET }) },
    );
    expect(r.code).toBe(0);
    expect(warnings(r.stderr).filter((line) => line === WARNING)).toHaveLength(1);
    expect(r.stderr).toContain(`Done: the tenant's phone provider now sends its SMS through ${gateway.url}/sms (whether Passwordless uses it is unknown: the tenant setting could not be read).`);
    expect(sandbox().phoneProvider()).toMatchObject({ name: 'custom' });
  });

  it('without read:tenant_settings, phone-provider configure names the scope (it has no other warning that would)', async () => {
    const token = sandbox().issueToken(SEED_CLIENTS.full.scopes.filter((scope) => scope !== 'read:tenant_settings'));
    const r = await runCli(['phone-provider', 'configure', '--gateway-url', `${gateway.url}/sms`, '--auth', 'bearer', '--audience', 'urn:settings-unread', '--secret-env', 'S', '--dry-run'], {
      env: { AUTH0_DOMAIN: sandbox().domain, AUTH0_ACCESS_TOKEN: token, S: SECRET },
    });
    expect(r.code).toBe(0);
    expect(warnings(r.stderr).filter((line) => line.startsWith('warning: the token lacks read:tenant_settings: routes that depend on the tenant setting show as "unknown"'))).toHaveLength(1);
  });

  it('phone-provider show: exit 0, unifiedPhone null with no scope blamed, one warning names the failure', async () => {
    failSettings(sandbox());
    const r = await runCli(['phone-provider', 'show', '--json'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ unifiedPhone: null, missingScopes: [] });
    expect(warnings(r.stderr)).toEqual([WARNING]);
  });

  it('apply with a phone_provider: entry alone: one warning names the failure', async () => {
    failSettings(sandbox());
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-settings-unread-'));
    const file = join(dir, 'phone.yaml');
    writeFileSync(file, `phone_provider:\n  gateway_url: ${gateway.url}/sms\n  authentication:\n    method: bearer\n    audience: urn:settings-unread\n    secret: \${GW_SECRET}\n`);
    const r = await runCli(['apply', '-f', file, '--dry-run', '--json'], { env: sandboxEnv(sandbox(), 'full', { GW_SECRET: SECRET }) });
    expect(r.code).toBe(0);
    expect(warnings(r.stderr).filter((line) => line === WARNING)).toHaveLength(1);
    expect(writes(sandbox())).toEqual([]);
  });

  it('restore of the phone side: the dry run goes on, one warning names the failure', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'a0sg-settings-unread-backups-'));
    const env = sandboxEnv(sandbox(), 'full', { S: SECRET });
    const configure = ['phone-provider', 'configure', '--gateway-url', `${gateway.url}/sms`, '--auth', 'bearer', '--audience', 'urn:settings-unread', '--secret-env', 'S', '--yes', '--backup-dir', backups];
    expect((await runCli(configure, { env })).code).toBe(0);
    failSettings(sandbox());
    const r = await runCli(['restore', join(backups, readdirSync(backups)[0]!), '--dry-run'], { env });
    expect(r.code).toBe(0);
    expect(warnings(r.stderr).filter((line) => line === WARNING)).toHaveLength(1);
  });

  it('a settings read Auth0 answers with a refusal (400) is no unread setting: the command stops on it, no warning', async () => {
    sandbox().inject({ kind: 'status', status: 400, path: SETTINGS, times: 1000 });
    const r = await runCli(['show', 'sms-gateway'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Auth0 refused the request \(HTTP 400\)/m);
    expect(warnings(r.stderr)).toEqual([]);
  });

  it('a rejected token or application is no unread setting: no such warning, the error alone, one token request', async () => {
    const unauthorized = await runCli(['phone-provider', 'show'], { env: sandboxEnv(sandbox(), 'unauthorized') });
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stderr).not.toContain('could not read the tenant setting');
    expect(sandbox().requests.filter((q) => q.path === '/oauth/token')).toHaveLength(1);

    const badToken = await runCli(['status'], { env: { AUTH0_DOMAIN: sandbox().domain, AUTH0_ACCESS_TOKEN: 'not-a-token' } });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/^error: the Management API rejected the access token/m);
    expect(badToken.stderr).not.toContain('could not read the tenant setting');
  });
});
