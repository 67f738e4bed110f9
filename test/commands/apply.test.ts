import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeEach, describe, expect, it } from 'vitest';
import { load as parseYaml } from 'js-yaml';
import { applyFileJsonSchema } from '../../src/core/apply-file.js';
import { SEED_IDS, SEED_SECRETS, seedConnections, type Sandbox } from '../../src/sandbox/index.js';
import { runCli, type CliRun, type RunOptions } from '../helpers/run-cli.js';
import { sandboxEnv, writes } from '../helpers/env.js';
import { useSandbox } from '../helpers/sandbox.js';
import { api } from '../sandbox/http.js';

const SCOPE_403 = { statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: update:connections', errorCode: 'insufficient_scope' };

/** The README's example file: `sms` (Twilio in the seed) and `sms-gateway` (already on a gateway). */
const EXAMPLE = new URL('../../examples/sms-gateway.yaml', import.meta.url).pathname;
const GW_SECRET = 'apply-test-gateway-secret-of-44-characters!!';
const SEED = Object.fromEntries(seedConnections().map((c) => [c.id, c]));

function env(sandbox: Sandbox, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return sandboxEnv(sandbox, 'full', { SMS_GATEWAY_SECRET: GW_SECRET, ...extra });
}

/** Runs the CLI; every run of this file is also checked for leaked secrets. */
async function cli(argv: string[], options: RunOptions): Promise<CliRun> {
  const r = await runCli(argv, options);
  for (const secret of [...SEED_SECRETS, GW_SECRET]) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
  return r;
}

const RESULT_KEYS = ['backup', 'changed', 'connection', 'diff', 'error', 'outcome', 'warnings'];
interface ApplyJson {
  dryRun: boolean;
  changesPending: boolean;
  results: { connection: { id: string; name: string }; outcome: 'changed' | 'unchanged' | 'pending' | 'failed' | 'unknown' | 'partial' | 'not done'; changed: boolean; diff: { path: string; kind: string; before: unknown; after: unknown }[]; backup: string | null; warnings: string[]; error: { message: string; hint: string | null; exitCode: number } | null }[];
}
/** Parses a --json document and pins its shape: exact key sets at every level. */
function applyJson(r: CliRun): ApplyJson {
  const doc = JSON.parse(r.stdout) as ApplyJson;
  expect(Object.keys(doc).sort()).toEqual(['changesPending', 'dryRun', 'phoneProvider', 'results']);
  for (const result of doc.results) {
    expect(Object.keys(result).sort()).toEqual(RESULT_KEYS);
    expect(Object.keys(result.connection).sort()).toEqual(['id', 'name']);
    for (const change of result.diff) expect(Object.keys(change).sort()).toEqual(['after', 'before', 'kind', 'path']);
    if (result.error !== null) expect(Object.keys(result.error).sort()).toEqual(['exitCode', 'hint', 'message']);
  }
  return doc;
}

/** What the example file makes of the seed's two connections. */
function convergedOptions() {
  const { twilio_sid: _sid, twilio_token: _token, ...twilioKept } = SEED[SEED_IDS.twilio]!.options!;
  return {
    [SEED_IDS.twilio]: {
      ...twilioKept,
      forward_req_info: true,
      template: 'Your verification code is @@password@@',
      provider: 'sms_gateway',
      gateway_url: 'https://sms.example.com/v1/messages',
      gateway_authentication: { method: 'bearer', subject: 'urn:Auth0', audience: 'urn:my-sms-gateway', secret: GW_SECRET, secret_base64_encoded: false },
    },
    [SEED_IDS.gateway]: {
      ...SEED[SEED_IDS.gateway]!.options!,
      gateway_url: 'https://sms-gateway.example.com/v2/messages',
      gateway_authentication: { method: 'bearer', subject: 'urn:Auth0', audience: 'https://sms-gateway.example.com', secret: GW_SECRET, secret_base64_encoded: false },
    },
  };
}

describe('apply', () => {
  const sandbox = useSandbox();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'a0sg-apply-'));
  });
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const patches = () => writes(sandbox()).filter((w) => w.startsWith('PATCH'));

  it('converges two connections in one apply; then --dry-run --exit-code is 0 with no PATCH', async () => {
    const plan = await cli(['apply', '-f', EXAMPLE, '--dry-run', '--exit-code'], { env: env(sandbox()) });
    expect(plan.code).toBe(3);
    expect(plan.stdout).toMatch(new RegExp(`^connection sms \\(${SEED_IDS.twilio}\\) on ${sandbox().domain.replaceAll('.', '\\.')}$`, 'm'));
    expect(plan.stdout).toMatch(new RegExp(`^connection sms-gateway \\(${SEED_IDS.gateway}\\) on ${sandbox().domain.replaceAll('.', '\\.')}$`, 'm'));
    expect(plan.stdout).toContain('- twilio_token: (secret removed)');
    expect(plan.stdout).toContain('~ gateway_authentication.secret: (secret changed)');
    expect(plan.stderr).toMatch(/Dry run: \d+ changes to 2 of 2 connections planned, nothing written\./);
    expect(writes(sandbox())).toEqual([]);

    const backups = join(dir, 'backups');
    const applied = await cli(['apply', '-f', EXAMPLE, '--yes', '--backup-dir', backups], { env: env(sandbox()) });
    expect(applied.code).toBe(0);
    expect(patches()).toEqual([`PATCH /api/v2/connections/${SEED_IDS.twilio}`, `PATCH /api/v2/connections/${SEED_IDS.gateway}`]);
    const expected = convergedOptions();
    for (const id of [SEED_IDS.twilio, SEED_IDS.gateway]) {
      expect(sandbox().connection(id)!.options).toEqual(expected[id]);
      expect(sandbox().connection(id)!.display_name).toBe(SEED[id]!.display_name);
    }
    expect(applied.stderr).toMatch(/ {2}changed {3}sms \(con_Tw1l1oSmsSeed001\)\n {2}changed {3}sms-gateway \(con_GatewaySmsSeed02\)\nDone: all 2 connections match /);
    const files = readdirSync(backups);
    expect(files).toHaveLength(2);
    for (const f of files) expect(statSync(join(backups, f)).mode & 0o777).toBe(0o600);

    const before = patches().length;
    const again = await cli(['apply', '-f', EXAMPLE, '--dry-run', '--exit-code'], { env: env(sandbox()) });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`Nothing to change: all 2 connections already match ${EXAMPLE}.`);
    const rerun = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(rerun.code).toBe(0);
    expect(patches()).toHaveLength(before);
  });

  it('a token without the update scopes: the plan is shown with a warning; the apply stops before asking, backing up or sending', async () => {
    const readOnly = sandboxEnv(sandbox(), 'readOnly', { SMS_GATEWAY_SECRET: GW_SECRET });
    const plan = await cli(['apply', '-f', EXAMPLE, '--dry-run'], { env: readOnly });
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain('warning: the token lacks update:connections, update:connections_options: this plan cannot be written with it');
    sandbox().requests.length = 0;
    const backups = mkdtempSync(join(tmpdir(), 'a0sg-apply-ro-'));
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--backup-dir', backups], { env: readOnly });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the token lacks update:connections, update:connections_options, which these changes need: nothing was written');
    expect(writes(sandbox())).toEqual([]);
    expect(readdirSync(backups)).toEqual([]);
  });

  it('--json: one document in every outcome, its shape pinned', async () => {
    const dry = applyJson(await cli(['apply', '-f', EXAMPLE, '--dry-run', '--exit-code', '--json'], { env: env(sandbox()) }));
    expect(dry.dryRun).toBe(true);
    expect(dry.changesPending).toBe(true);
    expect(dry.results.map((r) => [r.connection, r.outcome, r.changed, r.backup, r.error])).toEqual([
      [{ id: SEED_IDS.twilio, name: 'sms' }, 'pending', false, null, null],
      [{ id: SEED_IDS.gateway, name: 'sms-gateway' }, 'pending', false, null, null],
    ]);
    expect(dry.results[0]!.diff).toContainEqual({ path: 'twilio_token', kind: 'removed', before: '[redacted]', after: null });
    expect(dry.results[1]!.diff).toEqual([
      { path: 'gateway_url', kind: 'changed', before: 'https://sms-gateway.example.com/v1/messages', after: 'https://sms-gateway.example.com/v2/messages' },
      { path: 'gateway_authentication.secret', kind: 'changed', before: '[redacted]', after: '[redacted]' },
    ]);

    const run = await cli(['apply', '-f', EXAMPLE, '--yes', '--json', '--backup-dir', dir], { env: env(sandbox()) });
    expect(run.code).toBe(0);
    const applied = applyJson(run);
    expect(applied.dryRun).toBe(false);
    expect(applied.changesPending).toBe(false);
    expect(applied.results.map((r) => [r.outcome, r.changed])).toEqual([['changed', true], ['changed', true]]);
    for (const r of applied.results) expect(r.backup).toMatch(new RegExp(`^${dir}/`));

    const noop = applyJson(await cli(['apply', '-f', EXAMPLE, '--dry-run', '--exit-code', '--json'], { env: env(sandbox()) }));
    expect(noop.changesPending).toBe(false);
    expect(noop.results.map((r) => [r.outcome, r.changed, r.diff])).toEqual([['unchanged', false, []], ['unchanged', false, []]]);
  });

  it('a failure on the second connection leaves the first applied; the report says exactly which (human)', async () => {
    // Once: a 403 is not retried, and the re-run below must get through. Auth0's own body for a
    // missing scope (docs/auth0-facts.md#errors).
    sandbox().inject({ kind: 'status', status: 403, body: SCOPE_403, method: 'PATCH', path: `/api/v2/connections/${SEED_IDS.gateway}`, times: 1 });
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(1);
    expect(sandbox().connection(SEED_IDS.twilio)!.options).toEqual(convergedOptions()[SEED_IDS.twilio]);
    expect(sandbox().connection(SEED_IDS.gateway)).toEqual(SEED[SEED_IDS.gateway]);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.slice(-5)).toEqual([
      `  changed   sms (${SEED_IDS.twilio})`,
      `  failed    sms-gateway (${SEED_IDS.gateway}): missing scope update:connections: Insufficient scope, expected any of: update:connections`,
      expect.stringMatching(/^ {13}hint: grant the "update:connections" scope/),
      'error: 1 connection of 2 could not be changed: sms-gateway; changed and kept: sms',
      'hint: fix the cause listed above and run the same apply again: it changes only what still differs',
    ]);

    // Re-running the same file finishes the job: only the connection that failed is written.
    const before = patches().length;
    const retry = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(retry.code).toBe(0);
    expect(patches().slice(before)).toEqual([`PATCH /api/v2/connections/${SEED_IDS.gateway}`]);
    expect(retry.stderr).toContain(`  unchanged sms (${SEED_IDS.twilio})\n  changed   sms-gateway (${SEED_IDS.gateway})`);
  });

  it('a failure on the second connection: --json prints the summary document, exit 1', async () => {
    sandbox().inject({ kind: 'status', status: 403, body: SCOPE_403, method: 'PATCH', path: `/api/v2/connections/${SEED_IDS.gateway}`, times: 10 });
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup', '--json'], { env: env(sandbox()) });
    expect(r.code).toBe(1);
    const doc = applyJson(r);
    expect(doc.dryRun).toBe(false);
    expect(doc.changesPending).toBe(true);
    expect(doc.results.map((x) => [x.connection.name, x.outcome, x.changed, x.backup])).toEqual([
      ['sms', 'changed', true, null],
      ['sms-gateway', 'failed', false, null],
    ]);
    expect(doc.results[0]!.error).toBeNull();
    expect(doc.results[1]!.error).toEqual({ message: 'missing scope update:connections: Insufficient scope, expected any of: update:connections', hint: expect.stringMatching(/update:connections/), exitCode: 1 });
    expect(doc.results[1]!.diff.length).toBeGreaterThan(0);
  });

  it('a write whose answers were lost twice is "unknown", not "failed": named apart in the summary, --json and the last line', async () => {
    // Both PATCHes of sms-gateway dropped before Auth0 applied them: the reads show the old state,
    // but a queued write could still land, so nothing claims it did not.
    sandbox().inject({ kind: 'drop', method: 'PATCH', path: `/api/v2/connections/${SEED_IDS.gateway}`, times: 2 });
    const settle = { AUTH0_SMS_GATEWAY_SETTLE_MS: '10' };
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup'], { env: env(sandbox(), settle) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`  changed   sms (${SEED_IDS.twilio})`);
    expect(r.stderr).toMatch(new RegExp(`^  unknown   sms-gateway \\(${SEED_IDS.gateway}\\): .*may still land$`, 'm'));
    expect(r.stderr).toContain('error: 1 connection of 2 may have changed, the outcome is unknown (see above): sms-gateway; changed and kept: sms');
    expect(r.stderr).not.toMatch(/could not be changed|nothing was changed/);

    sandbox().reset();
    sandbox().inject({ kind: 'drop', method: 'PATCH', path: `/api/v2/connections/${SEED_IDS.gateway}`, times: 2 });
    const json = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup', '--json'], { env: env(sandbox(), settle) });
    expect(json.code).toBe(1);
    const doc = applyJson(json);
    expect(doc.changesPending).toBe(true);
    expect(doc.results.map((x) => [x.connection.name, x.outcome, x.changed])).toEqual([
      ['sms', 'changed', true],
      ['sms-gateway', 'unknown', false],
    ]);
    expect(doc.results[1]!.error).toMatchObject({ message: expect.stringMatching(/may still land$/) as unknown, hint: expect.stringContaining(`auth0-sms-gateway show ${SEED_IDS.gateway}`) as unknown, exitCode: 1 });
  });

  it('a PATCH answered with options other than those sent is "unknown": something was written, not what was planned', async () => {
    const stored = { ...SEED[SEED_IDS.gateway]!, options: { ...SEED[SEED_IDS.gateway]!.options, gateway_url: 'https://other.example.com/x' } };
    sandbox().inject({ kind: 'unreadableAnswer', method: 'PATCH', path: `/api/v2/connections/${SEED_IDS.gateway}`, body: JSON.stringify(stored) });
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup', '--json'], { env: env(sandbox()) });
    expect(r.code).toBe(1);
    const doc = applyJson(r);
    expect(doc.results.map((x) => [x.connection.name, x.outcome])).toEqual([
      ['sms', 'changed'],
      ['sms-gateway', 'unknown'],
    ]);
    expect(doc.results[1]!.error?.message).toMatch(/^Auth0 stored different options than were sent/);
  });

  it('a failure on the first connection does not stop the second', async () => {
    sandbox().inject({ kind: 'status', status: 403, method: 'PATCH', path: `/api/v2/connections/${SEED_IDS.twilio}`, times: 10 });
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(1);
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual(SEED[SEED_IDS.twilio]);
    expect(sandbox().connection(SEED_IDS.gateway)!.options).toEqual(convergedOptions()[SEED_IDS.gateway]);
    expect(r.stderr).toContain('error: 1 connection of 2 could not be changed: sms; changed and kept: sms-gateway');
  });

  it('a connection changed by someone else between read and write fails alone, named', async () => {
    sandbox().inject({ kind: 'concurrentWrite', id: SEED_IDS.twilio, afterReads: 1, mutate: (c) => void Object.assign(c.options!, { from: '+15550000000' }) });
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`  failed    sms (${SEED_IDS.twilio}): sms changed since it was read (someone else wrote to it): nothing was written`);
    expect(sandbox().connection(SEED_IDS.twilio)!.options!.from).toBe('+15550000000');
    expect(sandbox().connection(SEED_IDS.gateway)!.options).toEqual(convergedOptions()[SEED_IDS.gateway]);
  });

  it("the next connection's re-read goes out while the previous PATCH is in flight, and is checked like any re-read", async () => {
    const s = sandbox();
    const twilioPath = `/api/v2/connections/${SEED_IDS.twilio}`;
    // The PATCH of sms is held 300 ms; the re-read of sms-gateway (its second read, after the
    // planning one) arrives meanwhile (on another socket, perhaps even first) and records
    // whether that PATCH was answered yet. Read one after the other, it would have been.
    s.inject({ kind: 'latency', ms: 300, method: 'PATCH', path: twilioPath });
    let patchAnswered: boolean | undefined;
    s.inject({
      kind: 'concurrentWrite',
      id: SEED_IDS.gateway,
      afterReads: 2,
      mutate: () => void (patchAnswered = s.requests.some((e) => e.method === 'PATCH' && e.path === twilioPath && e.status !== 0)),
    });
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup'], { env: env(s) });
    expect(r.code).toBe(0);
    expect(patchAnswered).toBe(false);
    expect(s.connection(SEED_IDS.twilio)!.options).toEqual(convergedOptions()[SEED_IDS.twilio]);
    expect(s.connection(SEED_IDS.gateway)!.options).toEqual(convergedOptions()[SEED_IDS.gateway]);

    // A change between the planning read and that re-read is caught as before.
    s.reset();
    s.inject({ kind: 'concurrentWrite', id: SEED_IDS.gateway, afterReads: 1, mutate: (c) => void Object.assign(c.options!, { from: '+15550000000' }) });
    const changed = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup'], { env: env(s) });
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain(`  failed    sms-gateway (${SEED_IDS.gateway}): sms-gateway changed since it was read (someone else wrote to it): nothing was written`);
    expect(s.connection(SEED_IDS.gateway)!.options!.from).toBe('+15550000000');
    expect(s.connection(SEED_IDS.twilio)!.options).toEqual(convergedOptions()[SEED_IDS.twilio]);
  });

  it('after a lost answer the next connection is read again: a change made while the write was settled is caught', async () => {
    const s = sandbox();
    // The first PATCH of sms is lost before Auth0 applies it; settling it takes reads and waits.
    // The change to sms-gateway lands right after its read-ahead (its second read) was answered.
    s.inject({ kind: 'drop', method: 'PATCH', path: `/api/v2/connections/${SEED_IDS.twilio}` });
    s.inject({ kind: 'concurrentWrite', id: SEED_IDS.gateway, afterReads: 2, mutate: (c) => void Object.assign(c.options!, { from: '+15550000000' }) });
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup'], { env: env(s, { AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`  changed   sms (${SEED_IDS.twilio})`);
    expect(r.stderr).toContain(`  failed    sms-gateway (${SEED_IDS.gateway}): sms-gateway changed since it was read (someone else wrote to it): nothing was written`);
    expect(s.connection(SEED_IDS.gateway)!.options!.from).toBe('+15550000000');
    const gatewayReads = s.requests.filter((e) => e.method === 'GET' && e.path === `/api/v2/connections/${SEED_IDS.gateway}`);
    expect(gatewayReads).toHaveLength(2);
    const lastTwilioPatch = s.requests.filter((e) => e.method === 'PATCH' && e.path === `/api/v2/connections/${SEED_IDS.twilio}`).at(-1)!;
    expect(gatewayReads[1]!.at).toBeGreaterThanOrEqual(lastTwilioPatch.at);
  });

  it('after a PATCH resent for the rate limit the next connection is read again: a change made during the wait is caught', async () => {
    const s = sandbox();
    // The first PATCH of sms is refused with a 429 and resent after a wait; the change to
    // sms-gateway lands right after its read-ahead (its second read) was answered.
    s.inject({ kind: 'status', status: 429, body: { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached' }, method: 'PATCH', path: `/api/v2/connections/${SEED_IDS.twilio}` });
    s.inject({ kind: 'concurrentWrite', id: SEED_IDS.gateway, afterReads: 2, mutate: (c) => void Object.assign(c.options!, { from: '+15550000000' }) });
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup'], { env: env(s) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`  changed   sms (${SEED_IDS.twilio})`);
    expect(r.stderr).toContain(`  failed    sms-gateway (${SEED_IDS.gateway}): sms-gateway changed since it was read (someone else wrote to it): nothing was written`);
    expect(s.connection(SEED_IDS.gateway)!.options!.from).toBe('+15550000000');
    expect(s.requests.filter((e) => e.method === 'PATCH').map((e) => [e.path, e.status])).toEqual([
      [`/api/v2/connections/${SEED_IDS.twilio}`, 429],
      [`/api/v2/connections/${SEED_IDS.twilio}`, 200],
    ]);
  });

  it("a failed read-ahead is the next connection's failure, reported for it", async () => {
    const s = sandbox();
    // It fails while the PATCH of sms is still held: nothing waits on it yet.
    s.inject({ kind: 'latency', ms: 300, method: 'PATCH', path: `/api/v2/connections/${SEED_IDS.twilio}` });
    s.inject({ kind: 'status', status: 404, body: { statusCode: 404, error: 'Not Found', message: 'The connection does not exist', errorCode: 'inexistent_connection' }, method: 'GET', path: `/api/v2/connections/${SEED_IDS.gateway}` });
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--no-backup', '--json'], { env: env(s) });
    expect(r.code).toBe(1);
    const doc = applyJson(r);
    expect(doc.results.map((x) => [x.connection.name, x.outcome])).toEqual([
      ['sms', 'changed'],
      ['sms-gateway', 'failed'],
    ]);
    expect(writes(s)).toEqual([`PATCH /api/v2/connections/${SEED_IDS.twilio}`]);
  });

  it('an unwritable backup folder stops the run before the first PATCH (exit 2)', async () => {
    const notADir = file('plain-file', 'x');
    const r = await cli(['apply', '-f', EXAMPLE, '--yes', '--backup-dir', join(notADir, 'backups')], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write the backup .*nothing was changed/);
    expect(writes(sandbox())).toEqual([]);
  });

  it('reads the file from stdin with -f -, JSON included', async () => {
    const json = JSON.stringify({ connections: [{ connection: SEED_IDS.gateway, gateway_url: 'https://sms-gateway.example.com/v1/messages', authentication: 'none' }] });
    const r = await cli(['apply', '-f', '-', '--dry-run', '--exit-code'], { env: env(sandbox()), stdin: json });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('- gateway_authentication.secret: (secret removed)');
  });

  it('without a terminal and without --yes it refuses (exit 2) and writes nothing', async () => {
    const r = await cli(['apply', '-f', EXAMPLE], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs confirmation/);
    expect(writes(sandbox())).toEqual([]);
  });

  it('keep_twilio, from and template reach the PATCH', async () => {
    const path = file('keep.yaml', `connections:\n  - connection: sms\n    gateway_url: https://sms.example.com/send\n    authentication: none\n    keep_twilio: true\n    from: "Acme"\n    template: "Acme code: @@password@@"\n`);
    const r = await cli(['apply', '-f', path, '--yes', '--no-backup'], { env: env(sandbox()) });
    expect(r.code).toBe(0);
    const options = sandbox().connection(SEED_IDS.twilio)!.options!;
    expect(options.twilio_token).toBe(SEED[SEED_IDS.twilio]!.options!.twilio_token);
    expect([options.from, options.template, options.gateway_authentication]).toEqual(['Acme', 'Acme code: @@password@@', undefined]);
  });
});

describe('apply: every malformed file is exit 2, path-precise, with no request', () => {
  const sandbox = useSandbox();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'a0sg-apply-bad-'));
  });
  const entry = (extra = '') =>
    `  - connection: sms\n    gateway_url: https://sms.example.com/send\n    authentication:\n      method: bearer\n      audience: urn:gw\n      secret: \${SMS_GATEWAY_SECRET}\n${extra}`;

  const cases: [string, string | Buffer, RegExp, NodeJS.ProcessEnv?][] = [
    ['bad YAML', 'connections:\n  - connection: sms\n   gateway_url: x\n', /^error: bad\.yaml:3: not valid YAML: /],
    ['bad JSON', '{"connections": [}', /^error: bad\.yaml:1: not valid JSON: /],
    ['a wrong type', `connections:\n${entry('    forward_req_info: "yes"\n')}`, /^error: bad\.yaml:8: connections\[0\]\.forward_req_info: forward_req_info must be true or false$/m],
    ['an unknown key', `connections:\n${entry('    forward_request_info: true\n')}`, /^error: bad\.yaml:8: connections\[0\]\.forward_request_info: unknown key: did you mean forward_req_info\?$/m],
    ['a literal secret', `connections:\n${entry().replace('${SMS_GATEWAY_SECRET}', 'literal-secret-in-the-file')}`, /^error: bad\.yaml:7: connections\[0\]\.authentication\.secret: a literal secret is not allowed in the file/m],
    ['an unset variable', `connections:\n${entry()}`, /^error: bad\.yaml:7: connections\[0\]\.authentication\.secret: environment variable SMS_GATEWAY_SECRET \(from \$\{SMS_GATEWAY_SECRET\}\) is not set or empty/m, { SMS_GATEWAY_SECRET: '' }],
    ['an empty list', 'connections: []\n', /^error: bad\.yaml:1: connections: connections is empty: list at least one connection$/m],
    ['an empty file', '', /^error: bad\.yaml: the file is empty/],
    // Read leniently, the Latin-1 byte would be planned (and written) as "urn:\uFFFDx".
    ['a byte that is not UTF-8', Buffer.from(`connections:\n${entry().replace('urn:gw', 'urn:\u00e9x')}`, 'latin1'), /^error: bad\.yaml is not UTF-8 text \(line 6\)\nhint: save it as UTF-8$/m],
    ['a UTF-16 file', Buffer.from(`\ufeffconnections:\n${entry()}`, 'utf16le'), /^error: bad\.yaml is UTF-16 text\nhint: save it as UTF-8$/m],
    ['the same connection twice', `connections:\n${entry()}${entry()}`, /^error: bad\.yaml:8: connections\[1\]\.connection: "sms" is already listed at connections\[0\]: list each connection once$/m],
    ['a connection that cannot exist', `connections:\n${entry().replace('connection: sms', 'connection: con_!!')}`, /^error: bad\.yaml:2: connections\[0\]\.connection: "con_!!" is not a connection id$/m],
  ];

  it.each(cases)('%s', async (_label, text, message, extraEnv) => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, text);
    const r = await cli(['apply', '-f', path, '--yes'], { env: env(sandbox(), extraEnv) });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.replaceAll(path, 'bad.yaml')).toMatch(message);
    expect(r.stderr).not.toContain('literal-secret-in-the-file');
    // Checked before any request: not even a token was fetched.
    expect(sandbox().requests).toEqual([]);
  });

  it.each([
    ['a missing file', (d: string) => ['-f', join(d, 'nope.yaml')], /^error: cannot read .*nope\.yaml \(ENOENT\)/],
    ['a folder', (d: string) => ['-f', d], /^error: cannot read .* \(EISDIR\)/],
    ['--exit-code without --dry-run', () => ['-f', EXAMPLE, '--exit-code'], /^error: --exit-code only goes with --dry-run/],
    ['no -f', () => [], /^error: required option '-f, --file <file>' not specified/],
  ])('%s', async (_label, args, message) => {
    const r = await cli(['apply', ...args(dir), '--yes'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(sandbox().requests).toEqual([]);
  });

  it('--json: the error document, and nothing else on stdout', async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, `connections:\n${entry('    forward_request_info: true\n')}`);
    const r = await cli(['apply', '-f', path, '--json'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { error: Record<string, unknown> };
    expect(Object.keys(doc)).toEqual(['error']);
    expect(Object.keys(doc.error).sort()).toEqual(['exitCode', 'hint', 'message']);
    expect(doc.error.message).toBe(`${path}:8: connections[0].forward_request_info: unknown key: did you mean forward_req_info?`);
    expect(doc.error.exitCode).toBe(2);
    expect(sandbox().requests).toEqual([]);
  });

  it.each([
    ['an unknown connection', 'no-such-connection', /^error: bad\.yaml:2: connections\[0\]\.connection: no connection named "no-such-connection"/],
    ['a connection that is not SMS', 'email', /^error: bad\.yaml:2: connections\[0\]\.connection: email \(con_EmailSeed0000003\) is not an SMS connection \(its strategy is "email"\)/],
  ])('%s: exit 2 after reading, no write', async (_label, ref, message) => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, `connections:\n${entry().replace('connection: sms', `connection: ${ref}`)}`);
    const r = await cli(['apply', '-f', path, '--yes'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr.replaceAll(path, 'bad.yaml')).toMatch(message);
    expect(writes(sandbox())).toEqual([]);
  });

  it('every unknown connection at once, and odd values on the tenant are the tenant\'s to fix', async () => {
    const path = join(dir, 'bad.yaml');
    const named = (ref: string) => entry().replace('connection: sms', `connection: ${ref}`);
    writeFileSync(path, `connections:\n${named('no-such-one')}${named('no-such-two')}`);
    const missing = await cli(['apply', '-f', path, '--yes'], { env: env(sandbox()) });
    expect(missing.code).toBe(2);
    expect(missing.stderr.replaceAll(path, 'bad.yaml')).toMatch(/^error: bad\.yaml:2: connections\[0\]\.connection: no connection named "no-such-one".*\nbad\.yaml:8: connections\[1\]\.connection: no connection named "no-such-two"/m);

    await api(sandbox(), 'PATCH', `/connections/${SEED_IDS.twilio}`, { options: { ...sandbox().connection(SEED_IDS.twilio)!.options, forward_req_info: 'True' } });
    writeFileSync(path, `connections:\n${entry()}`);
    sandbox().requests.length = 0;
    const odd = await cli(['apply', '-f', path, '--yes'], { env: env(sandbox()) });
    expect(odd.code).toBe(2);
    expect(odd.stderr).toMatch(/holds options this tool cannot rewrite safely: options\.forward_req_info has an unexpected value/);
    expect(odd.stderr).toContain('hint: look at them with `auth0-sms-gateway show`, and correct them in the Auth0 Dashboard or with the Management API first; nothing was changed');
    expect(writes(sandbox())).toEqual([]);
  });

  it('a name and an id of the same connection: exit 2 once both are read, no write', async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, `connections:\n${entry()}${entry().replace('connection: sms', `connection: ${SEED_IDS.twilio}`)}`);
    const r = await cli(['apply', '-f', path, '--yes'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr.replaceAll(path, 'bad.yaml')).toMatch(
      /^error: bad\.yaml:8: connections\[1\]\.connection: "con_Tw1l1oSmsSeed001" is sms \(con_Tw1l1oSmsSeed001\), already listed at connections\[0\] as "sms"$/m,
    );
    expect(writes(sandbox())).toEqual([]);
  });

  it('settings a connection cannot take are all listed before anything is written', async () => {
    const path = join(dir, 'bad.yaml');
    const liquid = (ref: string) => `${entry().replace('connection: sms', `connection: ${ref}`)}    template: "Code: {{ code }}"\n`;
    writeFileSync(path, `connections:\n${liquid('sms')}${liquid('sms-gateway')}`);
    const r = await cli(['apply', '-f', path, '--yes'], { env: env(sandbox()) });
    expect(r.code).toBe(2);
    const text = r.stderr.replaceAll(path, 'bad.yaml');
    expect(text).toMatch(/^error: bad\.yaml:2: connections\[0\] \(sms\): template: template uses a liquid placeholder, but this connection's syntax is md_with_macros/m);
    expect(text).toMatch(/^bad\.yaml:9: connections\[1\] \(sms-gateway\): template: template uses a liquid placeholder/m);
    expect(writes(sandbox())).toEqual([]);
  });
});

describe('schema', () => {
  const example = parseYaml(readFileSync(EXAMPLE, 'utf8')) as unknown;

  it('prints the JSON Schema without credentials or network; it validates the example and rejects a broken one', async () => {
    const r = await cli(['schema'], { env: {} });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const schema = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(schema).toEqual(applyFileJsonSchema());
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(example) as { connections: Record<string, unknown>[] };
    broken.connections[0]!.forward_request_info = true;
    (broken.connections[1]!.authentication as Record<string, unknown>).secret = 'a-literal-secret';
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual(
      expect.arrayContaining(['/connections/0 must NOT have additional properties', '/connections/1/authentication/secret must match pattern "^\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}$"']),
    );
  });

  it('--json prints the same single document', async () => {
    const plain = await cli(['schema'], { env: {} });
    const json = await cli(['schema', '--json'], { env: {} });
    expect(json.code).toBe(0);
    expect(json.stdout).toBe(plain.stdout);
  });
});
