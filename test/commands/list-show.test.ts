import { afterEach, describe, expect, it } from 'vitest';
import { generateConnections, SEED_IDS, SEED_SECRETS, SEED_TWILIO_TOKEN } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/run-cli.js';
import { asCreatedOnUnifiedPhone, requestLines, sandboxEnv } from '../helpers/env.js';
import { closeTestSandboxes, startTestSandbox, useSandbox } from '../helpers/sandbox.js';

describe('list', () => {
  const sandbox = useSandbox();

  it('a token without read:connections_options on a small tenant: the scope error (exit 1) from list, status and test-gateway, never rows or claims', async () => {
    for (const argv of [['list'], ['list', '--json'], ['status'], ['test-gateway', '--to', '+15551234567', '--dry-run']]) {
      const r = await runCli(argv, { env: sandboxEnv(sandbox(), 'noOptions') });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error: Auth0 returned connection .* without its options: the token most likely lacks the read:connections_options scope/);
      expect(r.stderr).not.toMatch(/has no gateway|name one/);
    }
  });

  it('--json prints exactly the SMS connections in the contract shape', async () => {
    const r = await runCli(['list', '--json'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as unknown[];
    expect(rows).toEqual([
      { id: SEED_IDS.twilio, name: 'sms', provider: 'twilio', gateway_url: null, authentication: 'none', forward_req_info: true, from: '+15551234567', route: 'twilio' },
      expect.objectContaining({ id: SEED_IDS.gateway, name: 'sms-gateway', provider: 'sms_gateway', authentication: 'bearer', route: 'gateway' }),
    ]);
  });

  it('prints a table on stdout and the count on stderr', async () => {
    const r = await runCli(['list'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+ID\s+ROUTE\s+PROVIDER\s+GATEWAY URL\s+AUTH/);
    expect(r.stdout).toContain(SEED_IDS.twilio);
    expect(r.stdout).not.toContain(SEED_IDS.email);
    expect(r.stderr).toContain('2 SMS connections');
  });

  it('works with a Management API token instead of client credentials', async () => {
    const token = sandbox().issueToken(['read:connections', 'read:connections_options']);
    const r = await runCli(['list', '--json'], { env: { AUTH0_DOMAIN: `https://${sandbox().domain}/`, AUTH0_ACCESS_TOKEN: token } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(2);
    expect(requestLines(sandbox())).toEqual(['GET /api/v2/connections']);
  });
});

describe('list across many pages, rate limited', () => {
  afterEach(closeTestSandboxes);

  it('reads every page once, in checkpoint order, each asked for after the one before it answered', async () => {
    const s = await startTestSandbox({ connections: generateConnections(350, 1) });
    const r = await runCli(['list', '--json'], { env: sandboxEnv(s) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(350);
    const pages = s.requests.filter((q) => q.path === '/api/v2/connections');
    expect(pages.map((q) => q.query.from ?? null)).toEqual([null, expect.any(String), expect.any(String), expect.any(String)]);
    expect(new Set(pages.map((q) => q.query.from)).size).toBe(4);
  });

  it('a page without options stops the listing with the scope error while the next page is read ahead', async () => {
    const s = await startTestSandbox({ connections: generateConnections(350, 1) });
    const token = s.issueToken(['read:connections']);
    const r = await runCli(['list'], { env: { AUTH0_DOMAIN: s.domain, AUTH0_ACCESS_TOKEN: token } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*read:connections_options scope$/), expect.stringMatching(/^hint: grant read:connections_options/)]);
    expect(r.stderr).not.toMatch(/Unhandled|at async/);
    // The first page, and at most the one read ahead.
    expect(s.requests.filter((q) => q.path === '/api/v2/connections').length).toBeLessThanOrEqual(2);
  });

  it('returns exactly the 400 SMS connections of 1,200, no duplicates, at 2 requests/second', async () => {
    const s = await startTestSandbox({ connections: generateConnections(1200, 3), rateLimit: { perSecond: 2, burst: 2 } });
    const expected = s.connections().filter((c) => c.strategy === 'sms').map((c) => c.id).sort();
    expect(expected).toHaveLength(400);
    const r = await runCli(['list', '--json'], { env: sandboxEnv(s) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((c) => c.id).sort();
    expect(ids).toEqual(expected);
    // 13 requests against a bucket of 2: the limit is in force, and the pacer spaces the
    // requests by the rate-limit headers instead of bouncing off it.
    expect(s.requests.length).toBeGreaterThan(2);
    expect(s.requests.filter((q) => q.status === 429).length).toBeLessThanOrEqual(2);
  }, 60_000);
});

describe('show', () => {
  const sandbox = useSandbox();

  it('prints every option with the secrets redacted', async () => {
    const r = await runCli(['show', 'sms'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"twilio_token": "[redacted]"');
    expect(r.stdout).toContain('"future_delivery_policy"');
    expect(r.stdout).not.toContain(SEED_TWILIO_TOKEN);
  });

  it('--json by id redacts the gateway secret', async () => {
    const r = await runCli(['show', SEED_IDS.gateway, '--json'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { options: { gateway_authentication: { secret: string; audience: string } } };
    expect(doc.options.gateway_authentication.secret).toBe('[redacted]');
    // The shape the README gives: the connection as Auth0 returns it, plus the route.
    const listed = JSON.parse((await runCli(['list', '--json'], { env: sandboxEnv(sandbox()) })).stdout) as { id: string; route: string }[];
    expect(doc).toMatchObject({ id: SEED_IDS.gateway, name: 'sms-gateway', strategy: 'sms', route: listed.find((c) => c.id === SEED_IDS.gateway)!.route });
    expect((doc as unknown as { route: string }).route).toBe('gateway');
    for (const secret of SEED_SECRETS) expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('a non-SMS connection is exit 2', async () => {
    const r = await runCli(['show', SEED_IDS.email], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not an SMS connection/);
  });

  it.each([
    ['an unknown name', 'nope', 2, /no connection named "nope"/],
    ['an unknown id', 'con_DoesNotExist0001', 2, /not found/],
    ['a malformed id', 'con_bad!id', 2, /not a connection id/],
    ['a malformed name', 'bad name with spaces', 2, /neither a connection id nor a connection name/],
  ])('%s (%s) is exit %i with one line and a hint', async (_label, ref, code, message) => {
    const r = await runCli(['show', ref], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/\nhint: /);
  });
});

describe('show states the route in one line (human output on stdout)', () => {
  const sandbox = useSandbox({ tenant: { phoneConsolidatedExperience: true } });
  const routeLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('route '));

  it('a gateway connection on the Unified Phone Experience: the route is gateway, and show claims no delivery, as status does', async () => {
    const r = await runCli(['show', 'sms-gateway'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe(
      "route             gateway: its options have the older generation's gateway keys: Auth0 sends to its gateway_url if the connection predates the Unified Phone Experience, and documents that it does not for one made since (check with a real login)",
    );
    expect(routeLines(r.stdout)).toHaveLength(1);
    expect(r.stderr).toBe('');
  });

  it('without read:tenant_settings, show and configure claim no delivery either: the tenant may be on it', async () => {
    const env = sandboxEnv(sandbox(), 'connectionsOnly');
    const show = await runCli(['show', 'sms-gateway'], { env });
    expect(show.code).toBe(0);
    expect(show.stdout.split('\n')[1]).toMatch(/^route {13}gateway: .*unless the tenant is on the Unified Phone Experience and the connection was made since \(the tenant setting could not be read/);
    const configure = await runCli(['configure', 'sms-gateway', '--gateway-url', 'https://sms3.example.com/send', '--dry-run'], { env });
    expect(configure.code).toBe(0);
    expect(configure.stderr).toMatch(/warning: on a tenant whose generation could not be read, /);
    expect(configure.stderr + configure.stdout).not.toMatch(/now sends codes through/);
  });

  it('configure of that connection on the Unified Phone Experience: a warning and a last line that claim no delivery', async () => {
    const r = await runCli(['configure', 'sms-gateway', '--gateway-url', 'https://sms2.example.com/send', '--yes', '--no-backup'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: on this Unified Phone Experience tenant, its options have the older generation's gateway keys: .*\(check with a real login\); to send them through the gateway run `auth0-sms-gateway phone-provider configure`$/m);
    expect(r.stderr).toMatch(/Done: sms-gateway updated to use https:\/\/sms2\.example\.com\/send; on this Unified Phone Experience tenant Auth0 sends to it only if the connection predates the Unified Phone Experience/);
    expect(r.stderr).not.toMatch(/now sends codes through/);
  });

  it('a connection on the phone-provider route: its gateway options are ignored', async () => {
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    const r = await runCli(['show', 'sms'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe("route             phone-provider: Auth0 sends this connection's codes through the tenant's phone provider, if it has one that can send (`auth0-sms-gateway status` checks), and ignores its gateway options");
    expect(routeLines(r.stdout)).toHaveLength(1);
    expect(r.stderr).toBe('');
  });

  it('use_phone_provider switches a gateway connection to the phone provider, and --json says so too', async () => {
    sandbox().inject({ kind: 'concurrentWrite', id: SEED_IDS.gateway, afterReads: 0, mutate: (c) => void (c.options!.use_phone_provider = 'unified') });
    const human = await runCli(['show', 'sms-gateway'], { env: sandboxEnv(sandbox()) });
    expect(human.code).toBe(0);
    expect(routeLines(human.stdout)).toEqual(["route             phone-provider: Auth0 sends this connection's codes through the tenant's phone provider, if it has one that can send (`auth0-sms-gateway status` checks), and ignores its gateway options"]);
    const json = await runCli(['show', 'sms-gateway', '--json'], { env: sandboxEnv(sandbox()) });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: SEED_IDS.gateway, route: 'phone-provider', options: { use_phone_provider: 'unified', provider: 'sms_gateway' } });
    expect(json.stderr).toBe('');
  });
});

describe('a tenant settings answer without phone_consolidated_experience counts as on (list, show)', () => {
  const sandbox = useSandbox({ tenant: { phoneConsolidatedExperience: 'absent' } });

  it('list --json: a connection without legacy keys goes through the phone provider; legacy ones keep their own route', async () => {
    expect(sandbox().tenantSettings()).not.toHaveProperty('phone_consolidated_experience');
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    const r = await runCli(['list', '--json'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string; route: string }[]).map((row) => [row.name, row.route])).toEqual([
      ['sms', 'phone-provider'],
      ['sms-gateway', 'gateway'],
    ]);
    expect(r.stderr).toBe('');
    expect(requestLines(sandbox())).toContain('GET /api/v2/tenants/settings');
  });

  it('show: the route line says phone-provider', async () => {
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    const r = await runCli(['show', 'sms'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe("route             phone-provider: Auth0 sends this connection's codes through the tenant's phone provider, if it has one that can send (`auth0-sms-gateway status` checks), and ignores its gateway options");
    expect(r.stderr).toBe('');
  });
});
