// `status` with each read scope it uses missing alone (README "status": a missing scope makes its
// field null, names the scope once, and is not a failure), on a tenant of each generation, with
// another vendor's Action behind a `custom` phone provider. The `sms` seed connection is made to
// look created on the Unified Phone Experience (no legacy keys), so its route depends on the
// tenant setting; `sms-gateway` keeps its own options on every tenant.
import { describe, expect, it } from 'vitest';
import {
  SEED_FOREIGN_ACTION_ID,
  SEED_IDS,
  seedCustomPhoneProvider,
  seedForeignPhoneAction,
  type Sandbox,
  type SandboxOptions,
} from '../../src/sandbox/index.js';
import { asCreatedOnUnifiedPhone, requestLines, sandboxEnv } from '../helpers/env.js';
import { runCli } from '../helpers/run-cli.js';
import { useSandbox } from '../helpers/sandbox.js';
import { full } from '../sandbox/http.js';

const READ_SCOPES = ['read:connections', 'read:connections_options', 'read:tenant_settings', 'read:phone_providers', 'read:actions'] as const;
type ReadScope = (typeof READ_SCOPES)[number];

/** A Management API token with every read scope but `missing` (the seed clients have no such grant). */
const tokenWithout = (sandbox: Sandbox, missing: ReadScope): NodeJS.ProcessEnv => ({
  AUTH0_DOMAIN: sandbox.domain,
  AUTH0_ACCESS_TOKEN: sandbox.issueToken(READ_SCOPES.filter((scope) => scope !== missing)),
});

interface Grant {
  label: string;
  missing: ReadScope | null;
  env: (sandbox: Sandbox) => NodeJS.ProcessEnv;
}

const GRANTS: Grant[] = [
  { label: 'every read scope (readAll client)', missing: null, env: (s) => sandboxEnv(s, 'readAll') },
  { label: 'only read:tenant_settings missing (token)', missing: 'read:tenant_settings', env: (s) => tokenWithout(s, 'read:tenant_settings') },
  { label: 'only read:phone_providers missing (token)', missing: 'read:phone_providers', env: (s) => tokenWithout(s, 'read:phone_providers') },
  { label: 'only read:actions missing (noActions client)', missing: 'read:actions', env: (s) => sandboxEnv(s, 'noActions') },
];

const warning = (scope: string) => `warning: the token lacks ${scope}: what it would show is reported as unknown\n`;

/** The provider seedCustomPhoneProvider() stores, as `status --json` reports it. */
const PROVIDER = { id: 'pro_SbxCustomPhoneProv0001', name: 'custom', disabled: false, delivery_methods: ['text'] };
/** seedForeignPhoneAction(), bound: deployed, not this tool's, so no gateway_url. */
const FOREIGN_ACTION = { id: SEED_FOREIGN_ACTION_ID, name: 'acme-sms-provider', deployed: true, managed: false };

const smsItem = (route: string) => ({
  id: SEED_IDS.twilio,
  name: 'sms',
  provider: 'twilio',
  gateway_url: null,
  authentication: 'none',
  forward_req_info: true,
  from: '+15551234567',
  route,
});
const GATEWAY_ITEM = {
  id: SEED_IDS.gateway,
  name: 'sms-gateway',
  provider: 'sms_gateway',
  gateway_url: 'https://sms-gateway.example.com/v1/messages',
  authentication: 'bearer',
  forward_req_info: true,
  from: '+15557654321',
  route: 'gateway',
};

const GENERATION = {
  unified: 'on the Unified Phone Experience: Passwordless SMS goes through the phone provider, except connections that predate it',
  legacy: "not on the Unified Phone Experience: each connection's options decide, unless it uses the tenant's provider",
  unknown: 'unknown (read:tenant_settings is missing)',
};
const WHERE = {
  'phone-provider': "Auth0 sends this connection's codes through the tenant's phone provider and ignores its gateway options",
  /** Where the provider, or the Action behind a custom one, could not be read: no delivery claimed. */
  'phone-provider, unchecked': "Auth0 sends this connection's codes through the tenant's phone provider, if it has one that can send (a scope to check it is missing), and ignores its gateway options",
  twilio: "Auth0 sends this connection's codes through Twilio (the connection's options decide)",
  unknown: 'where Auth0 sends these codes depends on the tenant setting phone_consolidated_experience, which could not be read',
  gateway: "Auth0 sends this connection's codes to its gateway_url (the connection's options decide)",
};
/** On a Unified Phone tenant, status cannot tell a connection that predates it from one given the older keys since: no delivery claimed. */
const GATEWAY_NOT_KNOWN =
  "its options have the older generation's gateway keys: Auth0 sends to its gateway_url unless the tenant is on the Unified Phone Experience and the connection was made since (the tenant setting could not be read)";
const GATEWAY_ON_UNIFIED =
  "its options have the older generation's gateway keys: Auth0 sends to its gateway_url if the connection predates the Unified Phone Experience, and documents that it does not for one made since (check with a real login)";

/** What each grant must show on a tenant whose setting reads `unifiedPhone`. */
interface Expected {
  unifiedPhone: boolean | null;
  smsRoute: 'phone-provider' | 'twilio' | 'unknown';
  phoneProvider: null | (typeof PROVIDER & { action: typeof FOREIGN_ACTION | null });
  providerLine: string;
  actionLine: string | undefined;
}

function expected(tenant: 'legacy' | 'unified', missing: ReadScope | null): Expected {
  const table: Record<'legacy' | 'unified', Record<string, Expected>> = {
    legacy: {
      none: { unifiedPhone: false, smsRoute: 'twilio', phoneProvider: { ...PROVIDER, action: FOREIGN_ACTION }, providerLine: 'custom, enabled, delivers ["text"]', actionLine: 'acme-sms-provider (deployed, not installed by this tool)' },
      'read:tenant_settings': { unifiedPhone: null, smsRoute: 'unknown', phoneProvider: { ...PROVIDER, action: FOREIGN_ACTION }, providerLine: 'custom, enabled, delivers ["text"]', actionLine: 'acme-sms-provider (deployed, not installed by this tool)' },
      'read:phone_providers': { unifiedPhone: false, smsRoute: 'twilio', phoneProvider: null, providerLine: 'unknown (read:phone_providers is missing)', actionLine: undefined },
      'read:actions': { unifiedPhone: false, smsRoute: 'twilio', phoneProvider: { ...PROVIDER, action: null }, providerLine: 'custom, enabled, delivers ["text"]', actionLine: 'unknown (read:actions is missing)' },
    },
    unified: {
      none: { unifiedPhone: true, smsRoute: 'phone-provider', phoneProvider: { ...PROVIDER, action: FOREIGN_ACTION }, providerLine: 'custom, enabled, delivers ["text"]', actionLine: 'acme-sms-provider (deployed, not installed by this tool)' },
      'read:tenant_settings': { unifiedPhone: null, smsRoute: 'unknown', phoneProvider: { ...PROVIDER, action: FOREIGN_ACTION }, providerLine: 'custom, enabled, delivers ["text"]', actionLine: 'acme-sms-provider (deployed, not installed by this tool)' },
      'read:phone_providers': { unifiedPhone: true, smsRoute: 'phone-provider', phoneProvider: null, providerLine: 'unknown (read:phone_providers is missing)', actionLine: undefined },
      'read:actions': { unifiedPhone: true, smsRoute: 'phone-provider', phoneProvider: { ...PROVIDER, action: null }, providerLine: 'custom, enabled, delivers ["text"]', actionLine: 'unknown (read:actions is missing)' },
    },
  };
  return table[tenant][missing ?? 'none']!;
}

const phoneSide = (): Pick<SandboxOptions, 'phoneProvider' | 'actions' | 'bindings'> => ({
  phoneProvider: seedCustomPhoneProvider(),
  actions: [seedForeignPhoneAction()],
  bindings: { 'custom-phone-provider': [{ action: SEED_FOREIGN_ACTION_ID }] },
});

describe.each([
  ['legacy', false],
  ['unified', true],
] as const)('status on a %s tenant, a foreign Action bound to the custom provider', (tenant, phoneConsolidatedExperience) => {
  const sandbox = useSandbox({ tenant: { phoneConsolidatedExperience }, ...phoneSide() });

  it.each(GRANTS)('--json, $label: exact document, missingScopes, one warning on stderr only, exit 0', async ({ missing, env }) => {
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    const want = expected(tenant, missing);
    const r = await runCli(['status', '--json'], { env: env(sandbox()) });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { phoneProvider: { action: Record<string, unknown> | null } | null };
    expect(doc).toEqual({
      domain: sandbox().domain,
      unifiedPhone: want.unifiedPhone,
      phoneProvider: want.phoneProvider,
      connections: [smsItem(want.smsRoute), GATEWAY_ITEM],
      missingScopes: missing === null ? [] : [missing],
    });
    // Another vendor's Action is never read for a URL: the key is absent, not null.
    if (doc.phoneProvider?.action) expect(Object.keys(doc.phoneProvider.action)).not.toContain('gateway_url');
    expect(r.stderr).toBe(missing === null ? '' : warning(missing));
    expect(r.stdout).not.toContain('the token lacks');
    // A report: nothing but reads (and the token request of a client).
    expect(requestLines(sandbox()).every((line) => line.startsWith('GET /api/v2/') || line === 'POST /oauth/token')).toBe(true);
  });

  it.each(GRANTS)('human, $label: tenant, provider and Action lines, the routes, one warning on stderr only, exit 0', async ({ missing, env }) => {
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    const want = expected(tenant, missing);
    const r = await runCli(['status'], { env: env(sandbox()) });
    expect(r.code).toBe(0);
    const generation = want.unifiedPhone === null ? GENERATION.unknown : want.unifiedPhone ? GENERATION.unified : GENERATION.legacy;
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, want.actionLine === undefined ? 3 : 4)).toEqual([
      `tenant          ${sandbox().domain}: ${generation}`,
      `phone provider  ${want.providerLine}`,
      ...(want.actionLine === undefined ? [] : [`its Action      ${want.actionLine}`]),
      '',
    ]);
    expect(r.stdout).not.toContain('its Action      acme-sms-provider (deployed, not installed by this tool) ->');
    const unchecked = want.smsRoute === 'phone-provider' && (missing === 'read:phone_providers' || missing === 'read:actions');
    expect(lines.find((line) => line.startsWith('sms '))).toMatch(new RegExp(`^sms +${want.smsRoute} +- +${escape(WHERE[unchecked ? 'phone-provider, unchecked' : want.smsRoute])}$`));
    // Claimed only where the tenant is known not to be on the Unified Phone Experience.
    const gatewayWhere = want.unifiedPhone === true ? GATEWAY_ON_UNIFIED : want.unifiedPhone === null ? GATEWAY_NOT_KNOWN : WHERE.gateway;
    expect(lines.find((line) => line.startsWith('sms-gateway '))).toMatch(new RegExp(`^sms-gateway +gateway +https://sms-gateway\\.example\\.com/v1/messages +${escape(gatewayWhere)}$`));
    expect(r.stderr).toBe(missing === null ? '' : warning(missing));
    expect(r.stdout).not.toContain('the token lacks');
    expect(r.stdout).not.toContain('warning:');
  });
});

describe('phone-provider show without read:tenant_settings', () => {
  const sandbox = useSandbox({ tenant: { phoneConsolidatedExperience: true }, ...phoneSide() });

  it('--json: unifiedPhone null, the scope in missingScopes, and named once on stderr', async () => {
    const r = await runCli(['phone-provider', 'show', '--json'], { env: tokenWithout(sandbox(), 'read:tenant_settings') });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ unifiedPhone: null, missingScopes: ['read:tenant_settings'] });
    expect(r.stderr).toBe(warning('read:tenant_settings'));
  });
});

describe('status when the tenant settings answer has no phone_consolidated_experience', () => {
  // Read as on (new tenants have it on by default; Auth0's Terraform provider does the same).
  const sandbox = useSandbox({ tenant: { phoneConsolidatedExperience: 'absent' } });

  it('--json: unifiedPhone true, a connection without legacy keys goes through the phone provider, nothing missing', async () => {
    expect(sandbox().tenantSettings()).not.toHaveProperty('phone_consolidated_experience');
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    const r = await runCli(['status', '--json'], { env: sandboxEnv(sandbox(), 'readAll') });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      domain: sandbox().domain,
      unifiedPhone: true,
      phoneProvider: null,
      connections: [smsItem('phone-provider'), GATEWAY_ITEM],
      missingScopes: [],
    });
    expect(r.stderr).toBe('');
  });

  it('human: the tenant is on the Unified Phone Experience, and no provider is configured', async () => {
    const r = await runCli(['status'], { env: sandboxEnv(sandbox(), 'readAll') });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([`tenant          ${sandbox().domain}: ${GENERATION.unified}`, 'phone provider  none configured', '']);
    expect(r.stderr).toBe('');
  });

  it('human: a connection routed through a provider the tenant does not have is not said to be sent', async () => {
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    const r = await runCli(['status'], { env: sandboxEnv(sandbox(), 'readAll') });
    expect(r.code).toBe(0);
    const row = r.stdout.split('\n').find((line) => line.startsWith('sms '));
    expect(row).toMatch(/phone-provider .*Auth0 would send this connection's codes through the tenant's phone provider, but the tenant has no phone provider: it cannot send them$/);
  });
});

describe('status and phone-provider show with an Action bound to custom-phone-provider but no provider (a configure stopped between its steps)', () => {
  const sandbox = useSandbox({ tenant: { phoneConsolidatedExperience: true }, actions: [seedForeignPhoneAction()], bindings: { 'custom-phone-provider': [{ action: SEED_FOREIGN_ACTION_ID }] } });
  const note = "; the Action acme-sms-provider (not installed by this tool) is bound to custom-phone-provider, but sends nothing without a custom provider (`auth0-sms-gateway phone-provider configure` would bind this tool's Action in its place)";

  it('say there is no provider, and name the bound Action and what finishes the job', async () => {
    const status = await runCli(['status'], { env: sandboxEnv(sandbox(), 'readAll') });
    expect(status.code).toBe(0);
    expect(status.stdout.split('\n')[1]).toBe(`phone provider  none configured${note}`);
    const show = await runCli(['phone-provider', 'show'], { env: sandboxEnv(sandbox(), 'readAll') });
    expect(show.code).toBe(0);
    expect(show.stdout.split('\n')[0]).toBe(`phone provider  none configured on ${sandbox().domain}${note}`);
  });

  it("the tool's own Action left bound: configure finishes the setup", async () => {
    const env = sandboxEnv(sandbox(), 'full', { S: 'status-scopes-gateway-secret-of-40-chars!' });
    const configure = await runCli(['phone-provider', 'configure', '--gateway-url', 'https://sms.example.com/send', '--auth', 'bearer', '--audience', 'urn:x', '--secret-env', 'S', '--yes', '--no-backup'], { env });
    expect(configure.code).toBe(0);
    const provider = sandbox().phoneProvider();
    expect((await full(sandbox(), 'DELETE', `/branding/phone/providers/${provider!.id}`)).status).toBe(204);
    const r = await runCli(['status'], { env: sandboxEnv(sandbox(), 'readAll') });
    expect(r.stdout.split('\n')[1]).toBe(
      'phone provider  none configured; the Action auth0-sms-gateway-sms (installed by this tool) is bound to custom-phone-provider, but sends nothing without a custom provider: `auth0-sms-gateway phone-provider configure` finishes the setup',
    );
  });

  it('a connection on the phone-provider route that keeps a gateway_url: the URL is marked unused', async () => {
    const options = { ...sandbox().connection('sms-gateway')!.options, use_phone_provider: true };
    expect((await full(sandbox(), 'PATCH', `/connections/${SEED_IDS.gateway}`, { options })).status).toBe(200);
    const r = await runCli(['status'], { env: sandboxEnv(sandbox(), 'readAll') });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').find((line) => line.startsWith('sms-gateway '))).toMatch(/^sms-gateway +phone-provider +https:\/\/sms-gateway\.example\.com\/v1\/messages \(unused\) +/);
    const json = await runCli(['status', '--json'], { env: sandboxEnv(sandbox(), 'readAll') });
    // --json keeps the stored value as it is.
    expect((JSON.parse(json.stdout) as { connections: { name: string; gateway_url: string }[] }).connections.find((c) => c.name === 'sms-gateway')?.gateway_url).toBe('https://sms-gateway.example.com/v1/messages');
  });

  it('without read:actions nothing is said of an Action', async () => {
    const r = await runCli(['status'], { env: tokenWithout(sandbox(), 'read:actions') });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe('phone provider  none configured');
  });
});

describe.each([
  ['is disabled', { disabled: true }, "the tenant's phone provider is disabled"],
  ['delivers voice only', { configuration: { delivery_methods: ['voice'] } }, "the tenant's phone provider does not deliver text messages"],
] as const)('status on a Unified Phone tenant whose provider %s', (_, change, why) => {
  const sandbox = useSandbox({ tenant: { phoneConsolidatedExperience: true }, ...phoneSide(), phoneProvider: { ...seedCustomPhoneProvider(), ...change } });

  it('says the connection routed through it cannot be sent, and why', async () => {
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    const r = await runCli(['status'], { env: sandboxEnv(sandbox(), 'readAll') });
    expect(r.code).toBe(0);
    const row = r.stdout.split('\n').find((line) => line.startsWith('sms '));
    expect(row).toMatch(new RegExp(`phone-provider .*Auth0 would send this connection's codes through the tenant's phone provider, but ${escape(why)}: it cannot send them$`));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
