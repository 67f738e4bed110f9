// The wizard, driven key by key on a pretend terminal against the sandbox tenant over HTTPS.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseApplyFile } from '../../src/core/apply-file.js';
import type { Connection } from '../../src/core/options.js';
import { planSmsUpdate } from '../../src/core/plan.js';
import { startGatewayServer, type GatewayServer } from '../../src/gateway/server.js';
import type { GatewayPayload } from '../../src/gateway/payload.js';
import { SEED_CLIENTS, SEED_IDS, SEED_SECRETS, seedConnections } from '../../src/sandbox/index.js';
import { asCreatedOnUnifiedPhone, requestLines, sandboxEnv, writes } from '../helpers/env.js';
import { KEY, runCliOnTerminal, type Step } from '../helpers/pty-cli.js';
import { stripAnsi } from '../helpers/pty.js';
import { runCli } from '../helpers/run-cli.js';
import { sharedTls, useSandbox } from '../helpers/sandbox.js';
import { full } from '../sandbox/http.js';

const PASTED_SECRET = 'a-pasted-gateway-secret-of-40-characters';
const AUDIENCE = 'urn:wizard-gateway';
const URL = 'https://sms.example.com/send';
const PHONE = '+15551230000';

/** Splits a line as a POSIX shell would, for the words the wizard prints (plain or single-quoted). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/(?:'([^']*)'|(\\')|([^\s'\\]+))+|\s+/g)) {
    if (/^\s+$/.test(m[0])) continue;
    words.push(m[0].replace(/'([^']*)'|\\(')/g, (_all, quoted: string | undefined, escaped: string | undefined) => quoted ?? escaped ?? ''));
  }
  return words;
}

/** The `configure` argv the wizard printed, as a user would paste it (bin name dropped). */
function printedCommand(stdout: string): string[] {
  const line = stripAnsi(stdout)
    .split('\n')
    .find((l) => /^\s+auth0-sms-gateway\b.* configure /.test(l));
  expect(line, 'the printed configure command').toBeDefined();
  return shellWords(line!.trim()).slice(1);
}

/** The apply file the wizard printed: from `connections:` to the end. */
function printedApplyFile(stdout: string): string {
  const text = stripAnsi(stdout);
  const start = text.indexOf('connections:');
  expect(start).toBeGreaterThan(-1);
  return text.slice(start);
}

function expectNoSecret(text: string, ...secrets: string[]): void {
  for (const secret of [...SEED_SECRETS, ...secrets]) expect(text).not.toContain(secret);
}

/** The printed apply file, read by apply's own parser, asks for nothing more than `connection` already has. */
function expectApplyFileIsNoop(stdout: string, env: Record<string, string>, connection: Connection): void {
  const [entry, ...more] = parseApplyFile(printedApplyFile(stdout), { source: 'wizard output', env });
  expect(more).toEqual([]);
  expect(entry?.connection).toBe(connection.name);
  expect(planSmsUpdate(connection, entry!.desired).changes).toEqual([]);
}

describe('wizard', () => {
  const sandbox = useSandbox();
  const env = (extra: NodeJS.ProcessEnv = {}) => sandboxEnv(sandbox(), 'full', extra);
  let backupDir: string;
  let gateway: GatewayServer;
  const received: { payload: GatewayPayload; audience: unknown }[] = [];

  beforeAll(async () => {
    // An HTTPS gateway with the sandbox's certificate, which the test process trusts.
    gateway = await startGatewayServer({
      tls: sharedTls(),
      verify: { secret: PASTED_SECRET, audience: AUDIENCE },
      onMessage: (payload, meta) => void received.push({ payload, audience: meta.claims?.aud }),
    });
  });
  afterAll(() => gateway?.close());
  beforeEach(() => {
    backupDir = mkdtempSync(join(tmpdir(), 'a0sg-wizard-'));
    received.length = 0;
  });

  it('a full run switches the Twilio connection, tests the gateway, and prints a command and an apply file that change nothing more', async () => {
    const before = sandbox().connection(SEED_IDS.twilio)!;
    const gatewayUrl = `${gateway.url}/sms`;
    const steps: Step[] = [
      [/Which SMS connection\?/, KEY.enter], // sms, the first in the list
      [/Gateway URL/, `${gatewayUrl}${KEY.enter}`],
      [/Authentication/, KEY.enter], // bearer, the default for a Twilio connection
      [/Subject \(urn:Auth0\)/, KEY.enter],
      [/Audience/, `${AUDIENCE}${KEY.enter}`],
      [/Signing secret/, KEY.down + KEY.down], // generate → env → paste
      [/❯ paste it/, KEY.enter],
      [/\? Secret/, `${PASTED_SECRET}${KEY.enter}`],
      [/base64url-encoded\? \(y\/N\)/, KEY.enter],
      [/forward_req_info\)\? \(Y\/n\)/, KEY.enter], // the connection's "true"
      [/Sender \(from\) \(\+15551234567\)/, KEY.enter],
      [/Template \(Your verification code is: @@password@@\)/, KEY.enter],
      // Before the switch, with the planned settings: a gateway that fails stops the run here.
      [/test SMS through the gateway, before anything changes/, `${PHONE}${KEY.enter}`],
      [/Apply 10 changes to sms/, `y${KEY.enter}`],
      [/Phone number for a test SMS \(empty to skip\)/, `${PHONE}${KEY.enter}`],
    ];
    const r = await runCliOnTerminal(['wizard', '--backup-dir', backupDir], { env: env(), steps });
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);

    // The picker showed name, id and current provider of each connection.
    expect(r.screen).toContain(`sms (${SEED_IDS.twilio}, twilio)`);
    expect(r.screen).toContain(`sms-gateway (${SEED_IDS.gateway}, sms_gateway https://sms-gateway.example.com/v1/messages)`);
    // Each question explains its field; forward_req_info says what it sends.
    expect(r.screen).toMatch(/IP address and user agent/);
    // The pasted secret was masked as it was typed, and is nowhere in the output.
    expect(r.screen).toContain('*'.repeat(PASTED_SECRET.length));
    expectNoSecret(r.stdout + r.stderr, PASTED_SECRET);

    const { twilio_sid: _sid, twilio_token: _token, ...kept } = before.options!;
    const after = sandbox().connection(SEED_IDS.twilio)!;
    expect(after.options).toEqual({
      ...kept,
      forward_req_info: true,
      provider: 'sms_gateway',
      gateway_url: gatewayUrl,
      gateway_authentication: { method: 'bearer', subject: 'urn:Auth0', audience: AUDIENCE, secret: PASTED_SECRET, secret_base64_encoded: false },
    });
    // One write, after the re-read, with a backup on disk; the test message went out once, signed.
    expect(writes(sandbox())).toEqual([`PATCH /api/v2/connections/${SEED_IDS.twilio}`]);
    const lines = requestLines(sandbox());
    expect(lines[lines.indexOf(`PATCH /api/v2/connections/${SEED_IDS.twilio}`) - 1]).toBe(`GET /api/v2/connections/${SEED_IDS.twilio}`);
    expect(readdirSync(backupDir)).toHaveLength(1);
    // One test message before the switch (the pre-flight), one after it.
    expect(received).toHaveLength(2);
    expect(received[0]).toMatchObject({ payload: { recipient: PHONE, sender: '+15551234567' }, audience: AUDIENCE });
    expect(received[1]).toMatchObject({ payload: { recipient: PHONE, sender: '+15551234567' }, audience: AUDIENCE });
    expect(r.stdout).toMatch(/status\s+200/);

    // The command as printed, with the variable it names set: nothing left to change.
    const argv = printedCommand(r.stdout);
    expect(argv).toContain('--secret-env');
    expect(argv[argv.indexOf('--secret-env') + 1]).toBe('AUTH0_SMS_GATEWAY_SECRET');
    expect(r.stdout).toContain('AUTH0_SMS_GATEWAY_SECRET set to the gateway secret');
    const again = await runCli(argv, { env: env({ AUTH0_SMS_GATEWAY_SECRET: PASTED_SECRET }) });
    expect(again.stderr).toContain('Nothing to change');
    expect(again.code).toBe(0);
    expect(writes(sandbox())).toHaveLength(1);
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual(after);

    expectApplyFileIsNoop(r.stdout, { AUTH0_SMS_GATEWAY_SECRET: PASTED_SECRET }, after as Connection);
    expect(printedApplyFile(r.stdout)).toContain('secret: "${AUTH0_SMS_GATEWAY_SECRET}"');
  });

  it('"no" at the end: exit 130, nothing written, no backup; flags settle their questions', async () => {
    const before = sandbox().connections();
    const r = await runCliOnTerminal(['wizard', 'sms', '--auth', 'none', '--no-forward-req-info', '--backup-dir', backupDir], {
      env: env(),
      steps: [
        [/Gateway URL/, `${URL}${KEY.enter}`],
        [/Sender \(from\)/, KEY.enter],
        [/Template/, KEY.enter],
        [/before anything changes/, KEY.enter], // skip the test before the switch
        [/Apply \d+ changes to sms/, `n${KEY.enter}`],
      ],
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/cancelled, nothing changed/);
    expect(writes(sandbox())).toEqual([]);
    expect(sandbox().connections()).toEqual(before);
    expect(readdirSync(backupDir)).toEqual([]);
    // Only what the flags left open was asked.
    expect(r.screen).not.toMatch(/Authentication|Subject|Audience|Signing secret|forward_req_info\)\?/);
  });

  it('asks again for an invalid URL with the reason; asks for the credentials; shows a generated secret once', async () => {
    const noCredentials = { AUTH0_SMS_GATEWAY_BACKUP_DIR: backupDir };
    const { clientId, clientSecret } = SEED_CLIENTS.full;
    const r = await runCliOnTerminal(['wizard', 'sms'], {
      env: noCredentials,
      steps: [
        [/Tenant domain/, `https://${sandbox().domain}/${KEY.enter}`],
        [/Client ID/, `${clientId}${KEY.enter}`],
        [/Client secret/, `${clientSecret}${KEY.enter}`],
        [/Gateway URL/, `http://sms.example.com/send${KEY.enter}`],
        [/gateway URL must use https:\/\/, not http:\/\//, `${KEY.clearLine}${URL}${KEY.enter}`],
        [/Authentication/, KEY.enter],
        [/Subject/, KEY.enter],
        [/Audience/, `${AUDIENCE}${KEY.enter}`],
        [/Signing secret/, KEY.enter], // generate, the default without a current secret
        [/base64url-encoded/, `y${KEY.enter}`],
        [/forward_req_info/, `n${KEY.enter}`],
        [/Sender/, KEY.enter],
        [/Template/, KEY.enter],
        [/before anything changes/, KEY.enter], // skip the test before the switch
        [/Apply/, `y${KEY.enter}`],
        [/Phone number for a test SMS \(empty to skip\)/, KEY.enter], // and the one after
      ],
    });
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    // The refused URL never reached Auth0: the one write carries the corrected one.
    expect(r.screen).toContain('gateway URL must use https://, not http://');
    expect(JSON.stringify(sandbox().requests)).not.toContain('http://sms.example.com');

    const auth = sandbox().connection(SEED_IDS.twilio)!.options!.gateway_authentication as Record<string, unknown>;
    expect(sandbox().connection(SEED_IDS.twilio)!.options).toMatchObject({ provider: 'sms_gateway', gateway_url: URL, forward_req_info: false });
    expect(auth).toMatchObject({ audience: AUDIENCE, secret_base64_encoded: true });
    // The generated secret is what Auth0 holds, and it is shown exactly once.
    const secret = String(auth.secret);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.stderr.split(secret)).toHaveLength(2);
    expect(r.stderr).toMatch(/Generated gateway secret \(shown once/);
    expectNoSecret(r.stdout + r.stderr);
    expect(writes(sandbox())).toEqual([`PATCH /api/v2/connections/${SEED_IDS.twilio}`]);
    expect(readdirSync(backupDir)).toHaveLength(1);

    // The typed domain and client id are in the command; the client secret only by its variable.
    const argv = printedCommand(r.stdout);
    expect(argv.slice(0, 4)).toEqual(['--domain', sandbox().domain, '--client-id', clientId]);
    expect(r.stdout).toContain('AUTH0_CLIENT_SECRET set to the client secret');
    const again = await runCli(argv, { env: { AUTH0_CLIENT_SECRET: clientSecret, AUTH0_SMS_GATEWAY_SECRET: secret } });
    expect(again.stderr).toContain('Nothing to change');
    expect(again.code).toBe(0);
    expect(writes(sandbox())).toHaveLength(1);
    expectApplyFileIsNoop(r.stdout, { AUTH0_SMS_GATEWAY_SECRET: secret }, sandbox().connection(SEED_IDS.twilio) as Connection);
  });

  it('"keep the current secret": the printed command names no secret variable and reproduces the change; the apply file says which secret it needs', async () => {
    const r = await runCliOnTerminal(['wizard', 'sms-gateway', '--no-backup'], {
      env: env(),
      steps: [
        [/Gateway URL/, KEY.enter],
        [/Authentication/, KEY.enter],
        [/Subject/, KEY.enter],
        [/Audience/, `${KEY.clearLine}urn:kept-secret-audience${KEY.enter}`],
        [/Signing secret/, KEY.enter], // keep the current secret, the default when there is one
        [/base64url-encoded/, KEY.enter],
        [/forward_req_info/, KEY.enter],
        [/Sender/, KEY.enter],
        [/Template/, KEY.enter],
        [/before anything changes/, KEY.enter],
        [/Apply/, `y${KEY.enter}`],
        [/Phone number for a test SMS \(empty to skip\)/, KEY.enter],
      ],
    });
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    const stored = sandbox().connection(SEED_IDS.gateway)!.options!.gateway_authentication as Record<string, unknown>;
    expect(stored.audience).toBe('urn:kept-secret-audience');
    const argv = printedCommand(r.stdout);
    expect(argv).not.toContain('--secret-env');
    expect(stripAnsi(r.stdout)).toMatch(/The same setup without questions:\n/);
    expect(stripAnsi(r.stdout)).toContain('an apply file (auth0-sms-gateway apply -f sms-gateway.yaml), with AUTH0_SMS_GATEWAY_SECRET set to the gateway secret in use now:');
    // Run as printed, with no secret anywhere: the same state, so nothing to change, secret kept.
    const again = await runCli(argv, { env: sandboxEnv(sandbox()) });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Nothing to change: sms-gateway already has these settings.');
    expect(sandbox().connection(SEED_IDS.gateway)!.options!.gateway_authentication).toEqual(stored);
  });

  it('configure on a terminal with flags that say what to change, and --yes, runs as in a script: no question', async () => {
    const r = await runCliOnTerminal(['configure', 'sms-gateway', '--auth', 'none', '--yes', '--no-backup'], { env: env(), steps: [] });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/\? /);
    expect(r.stdout).toContain('- gateway_authentication');
    expect(writes(sandbox())).toHaveLength(1);
  });

  it('Ctrl-C at a question (configure on a terminal starts the wizard): exit 130, nothing written', async () => {
    const r = await runCliOnTerminal(['configure', 'sms', '--backup-dir', backupDir], {
      env: env(),
      steps: [
        [/Gateway URL/, `${URL}${KEY.enter}`],
        [/Authentication/, KEY.ctrlC],
      ],
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/error: cancelled, nothing changed/);
    expect(writes(sandbox())).toEqual([]);
    // Only the token, the read and the tenant setting: no re-read, no backup, no PATCH.
    expect(requestLines(sandbox()).filter((l) => !l.startsWith('GET /api/v2/connections'))).toEqual(['POST /oauth/token', 'GET /api/v2/tenants/settings']);
    expect(requestLines(sandbox())).toHaveLength(3);
    expect(readdirSync(backupDir)).toEqual([]);
  });

  it.each([
    ['no terminal', ['wizard'], {}, false],
    ['--json', ['wizard', '--json'], {}, true],
    ['CI set', ['wizard'], { CI: 'true' }, true],
  ] as const)('%s: exit 2 pointing to the configure flags, no request', async (_label, argv, extra, tty) => {
    const r = await runCli([...argv], { env: env(extra), tty });
    expect(r.code).toBe(2);
    expect(stripAnsi(r.stderr)).toMatch(/error: the wizard asks questions, and it only does so on a terminal/);
    expect(stripAnsi(r.stderr)).toMatch(/hint: .*configure <connection> --gateway-url/);
    expect(sandbox().requests).toEqual([]);
  });
});

describe('configure on a terminal, with --gateway-url', () => {
  const sandbox = useSandbox();
  const args = ['configure', 'sms', '--gateway-url', URL, '--auth', 'bearer', '--audience', AUDIENCE, '--secret-env', 'GW', '--no-backup'];

  it.each([
    ['"no"', `n${KEY.enter}`],
    ['Ctrl-C', KEY.ctrlC],
  ])('%s at the confirmation: exit 130, nothing written', async (_label, keys) => {
    const before = sandbox().connections();
    const r = await runCliOnTerminal(args, { env: sandboxEnv(sandbox(), 'full', { GW: PASTED_SECRET }), steps: [[/Apply \d+ changes to sms .*\(y\/N\)/, keys]] });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/cancelled, nothing changed/);
    // The diff was shown before the question; the wizard was not started.
    expect(r.stdout).toContain('+ gateway_url: "https://sms.example.com/send"');
    expect(r.screen).not.toMatch(/Authentication|Subject/);
    expect(writes(sandbox())).toEqual([]);
    expect(sandbox().connections()).toEqual(before);
  });
});

describe('configure without a connection, in a terminal', () => {
  const sandbox = useSandbox();

  it('asks which SMS connection, listing name, id and provider, and plans for the one picked', async () => {
    const r = await runCliOnTerminal(['configure', '--gateway-url', 'https://sms.example.com/picked', '--dry-run'], {
      env: sandboxEnv(sandbox()),
      steps: [[/Which SMS connection\?[\s\S]*sms \(con_Tw1l1oSmsSeed001, twilio\)[\s\S]*sms-gateway \(con_GatewaySmsSeed02, sms_gateway/, `${KEY.down}${KEY.enter}`]],
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sms-gateway (con_GatewaySmsSeed02)');
    expect(r.stdout).toContain('~ gateway_url: "https://sms-gateway.example.com/v1/messages" -> "https://sms.example.com/picked"');
    expect(writes(sandbox())).toEqual([]);
  });
});

/** A connection's questions after the gateway URL, each answered with its default (the current value). */
const keepEveryOtherSetting: Step[] = [
      [/Authentication/, KEY.enter],
      [/Subject/, KEY.enter],
      [/Audience/, KEY.enter],
      [/Signing secret/, KEY.enter],
      [/base64url-encoded/, KEY.enter],
      [/forward_req_info/, KEY.enter],
      [/Sender \(from\)/, KEY.enter],
      [/Template/, KEY.enter],
];

/** The wizard's questions for a phone-provider setup, answered, up to Auth0's test message after it. */
const phoneSetupSteps = (gatewayUrl: string): Step[] => [
  [/Gateway URL/, `${gatewayUrl}${KEY.enter}`],
  [/Authentication/, KEY.enter],
  [/Subject/, KEY.enter],
  [/Audience/, `${AUDIENCE}${KEY.enter}`],
  [/Signing secret/, KEY.down], // generate → env
  [/❯ read it from an environment variable/, KEY.enter],
  [/Environment variable/, `GW${KEY.enter}`],
  [/base64url-encoded/, KEY.enter],
  [/forward_req_info/, KEY.enter],
  [/before anything changes/, `${PHONE}${KEY.enter}`],
  [/Apply these changes to the phone provider/, `y${KEY.enter}`],
  [/Phone number for a test SMS \(empty to skip\)/, `${PHONE}${KEY.enter}`],
];

describe('wizard on a Unified Phone tenant', () => {
  const sandbox = useSandbox({ tenant: { phoneConsolidatedExperience: true } });
  let gateway: GatewayServer;
  const received: GatewayPayload[] = [];
  beforeAll(async () => {
    gateway = await startGatewayServer({ tls: sharedTls(), verify: { secret: PASTED_SECRET, audience: AUDIENCE }, onMessage: (payload) => void received.push(payload) });
  });
  afterAll(() => gateway?.close());

  it('sees that the codes go through the phone provider, says why, sets that up, and prints the phone-provider command and apply entry', async () => {
    // A connection made on this tenant: none of provider, twilio_sid, gateway_url.
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    const gatewayUrl = `${gateway.url}/sms`;
    const r = await runCliOnTerminal(['wizard', 'sms', '--no-backup'], { env: sandboxEnv(sandbox(), 'full', { GW: PASTED_SECRET }), steps: phoneSetupSteps(gatewayUrl) });
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Auth0 accepted the test message \(202\); accepted is not delivered/);
    expect(r.screen).toMatch(/through the tenant's phone provider \(Unified Phone Experience\).*MFA included/);
    // No sender or template questions: the tenant's phone templates decide the text.
    expect(r.screen).not.toMatch(/Sender \(from\)|Template/);
    expect(sandbox().phoneProvider()).toMatchObject({ name: 'custom' });
    expect(sandbox().connection(SEED_IDS.twilio)?.options?.gateway_url).toBeUndefined();
    // The test before the switch (the tool calls the gateway), and Auth0's after it (the Action does).
    await sandbox().idle();
    expect(received.map((payload) => payload.recipient)).toEqual([PHONE, PHONE]);
    expect(stripAnsi(r.stdout)).toMatch(/auth0-sms-gateway phone-provider configure --gateway-url \S+ --auth bearer --subject urn:Auth0 --audience urn:wizard-gateway --secret-env GW/);
    expect(stripAnsi(r.stdout)).toContain('phone_provider:\n  gateway_url:');
    expectNoSecret(r.stdout + r.stderr, PASTED_SECRET);
    // The printed command, run as printed: nothing left to change.
    const line = stripAnsi(r.stdout).split('\n').find((l) => /^\s+auth0-sms-gateway phone-provider configure /.test(l))!;
    const again = await runCli(shellWords(line.trim()).slice(1), { env: sandboxEnv(sandbox(), 'full', { GW: PASTED_SECRET }) });
    expect(again.stderr).toContain('Nothing to change');
  });

  it('a connection on use_phone_provider and a tenant setting Auth0 fails to answer: the phone-provider setup names the failure once, before its questions', async () => {
    const options = { ...sandbox().connection(SEED_IDS.twilio)!.options, use_phone_provider: true };
    expect((await full(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { options })).status).toBe(200);
    sandbox().requests.length = 0;
    sandbox().inject({ kind: 'status', status: 503, path: '/api/v2/tenants/settings', times: 1000 });
    const r = await runCliOnTerminal(['wizard', 'sms', '--no-backup'], { env: sandboxEnv(sandbox(), 'full', { GW: PASTED_SECRET }), steps: [[/Gateway URL/, KEY.ctrlC]] });
    expect(r.code).toBe(130);
    const unread = stripAnsi(r.stderr).split('\n').filter((line) => line.startsWith('warning: could not read the tenant setting phone_consolidated_experience (the Management API failed (HTTP 503))'));
    expect(unread).toHaveLength(1);
    expect(writes(sandbox())).toEqual([]);
  });

  it('a connection with the older gateway keys: asks what to set up; the phone provider, first, leaves the connection as it is', async () => {
    const before = sandbox().connection(SEED_IDS.gateway);
    const steps: Step[] = [[/sms-gateway has the older generation's gateway keys, which Auth0 follows on this Unified Phone Experience tenant only if the connection predates it\. Set up/, KEY.enter], ...phoneSetupSteps(`${gateway.url}/sms`)];
    const r = await runCliOnTerminal(['wizard', 'sms-gateway', '--no-backup'], { env: sandboxEnv(sandbox(), 'full', { GW: PASTED_SECRET }), steps });
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    expect(sandbox().phoneProvider()).toMatchObject({ name: 'custom' });
    expect(sandbox().connection(SEED_IDS.gateway)).toEqual(before);
    expect(stripAnsi(r.stdout)).toContain('phone_provider:\n  gateway_url:');
  });

  it('a connection with the older gateway keys: its options, when picked, with the warning that claims no delivery', async () => {
    const steps: Step[] = [
      [/Set up/, `${KEY.down}${KEY.enter}`],
      [/Gateway URL/, KEY.enter],
      ...keepEveryOtherSetting,
    ];
    const r = await runCliOnTerminal(['wizard', 'sms-gateway', '--dry-run'], { env: sandboxEnv(sandbox()), steps });
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Nothing to change: sms-gateway already has these settings.');
    expect(r.stderr).toContain("warning: on this Unified Phone Experience tenant, its options have the older generation's gateway keys");
    expect(sandbox().phoneProvider()).toBeUndefined();
    expect(writes(sandbox())).toEqual([]);
  });

  it('Auth0\'s test message after the setup, its answer lost: it may have been sent, never "retry"', async () => {
    asCreatedOnUnifiedPhone(sandbox(), SEED_IDS.twilio);
    sandbox().inject({ kind: 'drop', method: 'POST', path: /\/try$/, afterApply: true });
    const r = await runCliOnTerminal(['wizard', 'sms', '--no-backup'], { env: sandboxEnv(sandbox(), 'full', { GW: PASTED_SECRET }), steps: phoneSetupSteps(`${gateway.url}/sms`) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: the answer to the test message was lost \(.+\): Auth0 may have sent it\nhint: check the phone \(or your gateway\) before sending another\n/);
    expect(sandbox().phoneProvider()).toMatchObject({ name: 'custom' });
  });
});

describe('a gateway URL that carries credentials, in the wizard', () => {
  const CREDENTIAL_URL = 'https://sms-gateway.example.com/v1/messages?token=TOK-SECRET-123';
  const sandbox = useSandbox({
    connections: seedConnections().map((c) => (c.id === SEED_IDS.gateway ? { ...c, options: { ...c.options, gateway_url: CREDENTIAL_URL } } : c)),
  });

  it('the picker and the URL question show it redacted; "keep" keeps the real one', async () => {
    const r = await runCliOnTerminal(['configure', '--dry-run'], {
      env: sandboxEnv(sandbox()),
      steps: [
        [/Which SMS connection\?/, `${KEY.down}${KEY.enter}`],
        [/keep the current one/, KEY.enter],
        ...keepEveryOtherSetting,
      ],
    });
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    expect(r.screen + r.stdout + r.stderr).not.toContain('TOK-SECRET-123');
    expect(r.screen).toContain('keep the current one: https://sms-gateway.example.com/v1/messages?token=');
    // Kept as it is: nothing to change. A dry run's command is how to apply, not what was done.
    expect(r.stderr).toContain('Nothing to change: sms-gateway already has these settings.');
    expect(stripAnsi(r.stdout)).toContain('To apply this setup without questions (this dry run wrote nothing)');
    // The printed command cannot write the placeholder: it says so, and the tool refuses it.
    expect(r.stderr).toContain('warning: the gateway URL above shows [redacted] in place of a credential');
    const pasted = await runCli(printedCommand(r.stdout).concat('--dry-run'), { env: sandboxEnv(sandbox(), 'full', { AUTH0_SMS_GATEWAY_SECRET: 'a-gateway-secret-of-at-least-32-chars!!' }) });
    expect(pasted.code).toBe(2);
    expect(pasted.stderr).toContain('holds [redacted], which this tool prints in place of a credential');
  });
});
