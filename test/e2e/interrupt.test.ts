// Ctrl-C and SIGTERM during a write, through the built bin (a real process gets the signal):
// the first lets the request in flight finish and says what happened, exit 130; a second ends
// the run at once with "unknown" and the way back.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateConnections, SEED_IDS } from '../../src/sandbox/index.js';
import { sandboxEnv } from '../helpers/env.js';
import { closeTestSandboxes, startTestSandbox } from '../helpers/sandbox.js';
import { BIN_PATH, spawnBin } from '../helpers/spawn.js';

const URL = 'https://sms.example.com/send';

describe('a signal during a write', () => {
  afterEach(closeTestSandboxes);

  it('configure: a signal while a lost PATCH is being settled stops before the resend, and never says "nothing was changed"', async () => {
    const s = await startTestSandbox();
    // The first PATCH is lost before Auth0 applies it; the reads that settle it wait 200 ms and more apart.
    s.inject({ kind: 'drop', method: 'PATCH' });
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-sigint-lost-'));
    const run = spawnBin(['configure', 'sms', '--gateway-url', URL, '--yes', '--backup-dir', dir], sandboxEnv(s, 'full', { AUTH0_SMS_GATEWAY_SETTLE_MS: '200' }));
    await waitUntil(() => s.requests.some((q) => q.method === 'PATCH'));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(s.requests.filter((q) => q.method === 'PATCH')).toHaveLength(1);
    expect(run.stderr()).toMatch(/error: stopped by SIGINT before sms was written again: its first write's answer was lost and the last read still showed its previous options, but that write may still land/);
    expect(run.stderr()).toContain(`auth0-sms-gateway restore ${join(dir, readdirSync(dir)[0]!)}`);
    expect(run.stderr()).not.toMatch(/nothing was changed/);
  });

  it('configure: the first SIGINT finishes the PATCH in flight, says so, and exits 130 with the state observed', async () => {
    const s = await startTestSandbox();
    s.inject({ kind: 'latency', ms: 1500, method: 'PATCH' });
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-sigint-'));
    const run = spawnBin(['configure', 'sms', '--gateway-url', URL, '--yes', '--backup-dir', dir], sandboxEnv(s));
    await run.waitFor(/^backup: /m);
    // The PATCH is on its way (it waits 1.5 s in the sandbox) when the signal comes.
    await waitUntil(() => s.requests.some((q) => q.method === 'PATCH'));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toContain('SIGINT: finishing the request in flight, then stopping');
    expect(run.stderr()).toMatch(/error: stopped by SIGINT after the write finished: sms holds the new options/);
    expect(run.stderr()).toContain(`hint: to undo it: auth0-sms-gateway restore ${join(dir, readdirSync(dir)[0]!)}`);
    expect(s.connection(SEED_IDS.twilio)?.options?.gateway_url).toBe(URL);
  });

  it('configure: a signal during the re-read stops before the PATCH, nothing written, exit 130', async () => {
    const s = await startTestSandbox();
    s.inject({ kind: 'latency', ms: 1500, method: 'GET', path: `/api/v2/connections/${SEED_IDS.twilio}` });
    const run = spawnBin(['configure', 'sms', '--gateway-url', URL, '--yes', '--no-backup', '--json'], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'GET' && q.path === `/api/v2/connections/${SEED_IDS.twilio}`));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toMatch(/error: stopped by SIGINT before sms was written: nothing was changed/);
    expect(JSON.parse(run.stdout())).toMatchObject({ error: { exitCode: 130 } });
    expect(s.requests.some((q) => q.method === 'PATCH')).toBe(false);
    expect(s.connection(SEED_IDS.twilio)?.options?.gateway_url).toBeUndefined();
  });

  it('configure: a second signal during the re-read ends at once, and says nothing was written (not "unknown")', async () => {
    const s = await startTestSandbox();
    s.inject({ kind: 'latency', ms: 4000, method: 'GET', path: `/api/v2/connections/${SEED_IDS.twilio}` });
    const run = spawnBin(['configure', 'sms', '--gateway-url', URL, '--yes', '--no-backup'], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'GET' && q.path === `/api/v2/connections/${SEED_IDS.twilio}`));
    run.child.kill('SIGINT');
    await run.waitFor(/finishing the request in flight/);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toContain('error: stopped at once (SIGINT again): sms was not written: nothing was changed');
    expect(run.stderr()).not.toContain('unknown');
    expect(s.requests.some((q) => q.method === 'PATCH')).toBe(false);
  });

  it('configure --json: still one JSON document', async () => {
    const s = await startTestSandbox();
    s.inject({ kind: 'latency', ms: 1500, method: 'PATCH' });
    const run = spawnBin(['configure', 'sms', '--gateway-url', URL, '--yes', '--no-backup', '--json'], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'PATCH'));
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(130);
    expect(JSON.parse(run.stdout())).toMatchObject({ changed: true, connection: { id: SEED_IDS.twilio } });
  });

  it('a second SIGINT ends the run at once: the outcome is unknown, and the restore command', async () => {
    const s = await startTestSandbox();
    s.inject({ kind: 'latency', ms: 4000, method: 'PATCH' });
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-sigint2-'));
    const run = spawnBin(['configure', 'sms', '--gateway-url', URL, '--yes', '--backup-dir', dir], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'PATCH'));
    run.child.kill('SIGINT');
    await run.waitFor(/finishing the request in flight/);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toMatch(/error: stopped at once \(SIGINT again\): whether sms \(con_\w+\) changed is unknown/);
    expect(run.stderr()).toContain(`auth0-sms-gateway restore ${join(dir, readdirSync(dir)[0]!)}`);
  });

  it('apply: stops after the connection in flight, summarises what was done, exit 130', async () => {
    const s = await startTestSandbox({ connections: generateConnections(5, 1) });
    s.inject({ kind: 'latency', ms: 800, method: 'PATCH', times: 5 });
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-sigint-apply-'));
    const file = join(dir, 'f.yaml');
    writeFileSync(file, `connections:\n${s.connections().map((c) => `  - connection: ${c.name}\n    gateway_url: ${URL}\n    authentication: none\n`).join('')}`);
    const run = spawnBin(['apply', '-f', file, '--yes', '--no-backup'], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'PATCH'));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    const patched = s.connections().filter((c) => c.options?.gateway_url === URL).length;
    expect(patched).toBe(1);
    expect(run.stderr()).toMatch(/ {2}changed {3}sms-00001/);
    expect(run.stderr().match(/ {2}not done {2}sms-0000\d/g)).toHaveLength(4);
    expect(run.stderr()).toMatch(/error: stopped by SIGINT: 1 connection changed, 4 not done/);
  });

  it('apply: a signal during the re-read before a PATCH counts that connection "not done", not "failed"', async () => {
    const s = await startTestSandbox({ connections: generateConnections(5, 1) });
    const second = s.connections().find((c) => c.name === 'sms-00002')!;
    // Five entries are planned from the paged listing: the only read of sms-00002 by id is the
    // re-read before its PATCH (sent with the PATCH of sms-00001), and it is slow. The signal
    // comes once that PATCH was answered, while the write of sms-00002 waits for its re-read.
    s.inject({ kind: 'latency', ms: 3000, method: 'GET', path: `/api/v2/connections/${second.id}` });
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-sigterm-reread-'));
    const file = join(dir, 'f.yaml');
    writeFileSync(file, `connections:\n${s.connections().map((c) => `  - connection: ${c.name}\n    gateway_url: ${URL}\n    authentication: none\n`).join('')}`);
    const run = spawnBin(['apply', '-f', file, '--yes', '--no-backup'], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'GET' && q.path === `/api/v2/connections/${second.id}`) && s.requests.some((q) => q.method === 'PATCH' && q.status !== 0));
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(130);
    expect(s.requests.filter((q) => q.method === 'PATCH')).toHaveLength(1);
    expect(run.stderr()).toContain(`  not done  sms-00002 (${second.id}): stopped by SIGTERM before sms-00002 was written: nothing was changed`);
    expect(run.stderr()).not.toMatch(/failed/);
    expect(run.stderr()).toMatch(/error: stopped by SIGTERM: 1 connection changed, 4 not done/);
  });

  it('apply --json: a stopped run says per connection what it did not do, and a second signal leaves the one in flight unknown, never "unchanged"', async () => {
    type Doc = { results: { connection: { name: string }; outcome: string; changed: boolean; error: { message: string; exitCode: number } | null }[] };
    const s = await startTestSandbox({ connections: generateConnections(5, 1) });
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-sigint-apply-json-'));
    const file = join(dir, 'f.yaml');
    writeFileSync(file, `connections:\n${s.connections().map((c) => `  - connection: ${c.name}\n    gateway_url: ${URL}\n    authentication: none\n`).join('')}`);

    // One signal: the PATCH in flight finishes; the others are "not done", with exit code 130.
    s.inject({ kind: 'latency', ms: 800, method: 'PATCH', times: 5 });
    const graceful = spawnBin(['apply', '-f', file, '--yes', '--no-backup', '--json'], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'PATCH'));
    graceful.child.kill('SIGINT');
    expect(await graceful.exit).toBe(130);
    const first = (JSON.parse(graceful.stdout()) as Doc).results;
    expect(first[0]).toMatchObject({ outcome: 'changed', changed: true, error: null });
    for (const r of first.slice(1)) expect(r).toMatchObject({ outcome: 'not done', changed: false, error: { message: 'not done: stopped by SIGINT before this connection was written', exitCode: 130 } });

    // Two signals while a PATCH is in flight: that one's outcome is unknown, and said so.
    s.reset();
    s.inject({ kind: 'latency', ms: 4000, method: 'PATCH', times: 5 });
    const hurried = spawnBin(['apply', '-f', file, '--yes', '--no-backup', '--json'], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'PATCH'));
    hurried.child.kill('SIGTERM');
    await hurried.waitFor(/finishing the request in flight/);
    hurried.child.kill('SIGTERM');
    expect(await hurried.exit).toBe(130);
    const second = (JSON.parse(hurried.stdout()) as Doc).results;
    expect(second[0]).toMatchObject({ outcome: 'unknown', changed: false, error: { message: expect.stringMatching(/^whether sms-00001 \(.*\) changed is unknown; check it with/), exitCode: 130 } });
    for (const r of second.slice(1)) expect(r.error?.message).toBe('not done: stopped by SIGTERM before this connection was written');
  });

  it('apply with a phone_provider: entry, stopped during its steps: "stopped part-way" with what was done and the restore command, not "not done"', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    s.inject({ kind: 'latency', ms: 1500, method: 'POST', path: /\/actions\/actions$/ });
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-sigint-apply-phone-'));
    const file = join(dir, 'f.yaml');
    writeFileSync(file, `phone_provider:\n  gateway_url: ${URL}\n  authentication: none\n`);
    const run = spawnBin(['apply', '-f', file, '--yes', '--backup-dir', dir], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'POST' && q.path.endsWith('/actions/actions')));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    const backup = join(dir, readdirSync(dir).find((name) => name.endsWith('.json'))!);
    expect(run.stderr()).toMatch(/ {2}stopped {3}the phone provider: stopped by SIGINT; done: created the Action auth0-sms-gateway-sms/);
    expect(run.stderr()).toContain(`auth0-sms-gateway restore ${backup}`);
    expect(run.stderr()).toMatch(/error: stopped by SIGINT: 0 connections changed, 0 not done, the phone provider stopped part-way \(above\)/);
    expect(run.stderr()).not.toContain('the phone provider not done');
  });

  it('restore: the first SIGINT finishes the PATCH in flight, exit 130 with the state observed', async () => {
    const s = await startTestSandbox();
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-sigint-restore-'));
    const configured = spawnBin(['configure', 'sms', '--gateway-url', URL, '--yes', '--backup-dir', dir], sandboxEnv(s));
    expect(await configured.exit).toBe(0);
    const before = join(dir, readdirSync(dir)[0]!);
    s.inject({ kind: 'latency', ms: 1500, method: 'PATCH' });
    const run = spawnBin(['restore', before, '--yes', '--no-backup'], sandboxEnv(s));
    await waitUntil(() => s.requests.filter((q) => q.method === 'PATCH').length === 2);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toMatch(/error: stopped by SIGINT after the write finished: sms holds the new options/);
    expect(s.connection(SEED_IDS.twilio)?.options?.gateway_url).toBeUndefined();
  });

  it('phone-provider configure: stops after the step in flight, names what was done and the restore command, exit 130', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    s.inject({ kind: 'latency', ms: 1500, method: 'POST', path: /\/actions\/actions$/ });
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-sigint-phone-'));
    const run = spawnBin(['phone-provider', 'configure', '--gateway-url', URL, '--auth', 'none', '--yes', '--backup-dir', dir], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'POST' && q.path.endsWith('/actions/actions')));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toMatch(/error: stopped by SIGINT; done: created the Action auth0-sms-gateway-sms/);
    expect(run.stderr()).toContain(`auth0-sms-gateway restore ${join(dir, readdirSync(dir)[0]!)}`);
    expect(s.actions()).toHaveLength(1);
    expect(s.phoneProvider()).toBeUndefined();
  });

  it('phone-provider configure, a signal while it reads back what it wrote: the writes are reported, not "no write in flight"', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    // The provider is read once to plan; the second read is the read-back after the last step.
    s.inject({ kind: 'latency', ms: 1500, method: 'GET', path: '/api/v2/branding/phone/providers', after: 1 });
    const run = spawnBin(['phone-provider', 'configure', '--gateway-url', URL, '--auth', 'none', '--yes', '--no-backup', '--json'], sandboxEnv(s));
    await waitUntil(() => s.requests.filter((q) => q.method === 'GET' && q.path === '/api/v2/branding/phone/providers').length === 2);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).not.toContain('no write to Auth0 was in flight');
    expect(run.stderr()).toContain('error: stopped by SIGINT after the last step finished');
    expect(JSON.parse(run.stdout())).toMatchObject({ changed: true });
  });

  it('phone-provider configure --json, a second SIGTERM: one JSON document with the unknown outcome', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    s.inject({ kind: 'latency', ms: 4000, method: 'POST', path: /\/actions\/actions$/ });
    const run = spawnBin(['phone-provider', 'configure', '--gateway-url', URL, '--auth', 'none', '--yes', '--no-backup', '--json'], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'POST' && q.path.endsWith('/actions/actions')));
    run.child.kill('SIGTERM');
    await run.waitFor(/finishing the request in flight/);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(130);
    const doc = JSON.parse(run.stdout()) as { error: { message: string; exitCode: number } };
    expect(doc.error.exitCode).toBe(130);
    expect(doc.error.message).toMatch(/stopped at once \(SIGTERM again\): which steps Auth0 carried out is unknown/);
  });

  it('restore of the phone side: stops after the step in flight, exit 130, and says what was done', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-sigint-phone-restore-'));
    const configured = spawnBin(['phone-provider', 'configure', '--gateway-url', URL, '--auth', 'none', '--yes', '--backup-dir', dir], sandboxEnv(s));
    expect(await configured.exit).toBe(0);
    s.inject({ kind: 'latency', ms: 1500, method: 'DELETE', path: /\/branding\/phone\/providers\// });
    const run = spawnBin(['restore', join(dir, readdirSync(dir)[0]!), '--yes', '--no-backup'], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'DELETE'));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toMatch(/error: stopped by SIGINT; done: deleted the phone provider \(the backup was taken when there was none\)/);
    expect(s.phoneProvider()).toBeUndefined();
    expect(s.actions()).toHaveLength(1);
  });
  it('restore of the phone side, a signal during its last step: it finished, so nothing is left to run again', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-sigint-phone-restore-last-'));
    const configured = spawnBin(['phone-provider', 'configure', '--gateway-url', URL, '--auth', 'none', '--yes', '--backup-dir', dir], sandboxEnv(s));
    expect(await configured.exit).toBe(0);
    s.inject({ kind: 'latency', ms: 1500, method: 'DELETE', path: /\/actions\/actions\// });
    const run = spawnBin(['restore', join(dir, readdirSync(dir)[0]!), '--yes', '--no-backup'], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'DELETE' && q.path.includes('/actions/actions/')));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toMatch(/error: stopped by SIGINT after the last step finished: the phone provider of \S+ is back to the backup of .*deleted the Action auth0-sms-gateway-sms \(the backup had none\)\)\n/);
    expect(run.stderr()).not.toContain('run the same restore again');
    expect(s.actions()).toEqual([]);
  });

  it('phone-provider test: the first SIGINT lets the test message go out and says so, never "no write was in flight"', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    expect(await spawnBin(['phone-provider', 'configure', '--gateway-url', URL, '--auth', 'none', '--yes', '--no-backup'], sandboxEnv(s)).exit).toBe(0);
    s.inject({ kind: 'latency', ms: 1500, method: 'POST', path: /\/try$/ });
    const run = spawnBin(['phone-provider', 'test', '--to', '+15551230001'], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'POST' && q.path.endsWith('/try')));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toContain('SIGINT: finishing the request in flight, then stopping');
    expect(run.stderr()).toContain('Auth0 accepted the test message for +15551230001');
    expect(run.stderr()).toContain('error: stopped by SIGINT after Auth0 took the test message');
    expect(run.stderr()).not.toContain('no write to Auth0 was in flight');
  });
});

describe('a signal while no write is in flight', () => {
  afterEach(closeTestSandboxes);

  it.each([
    ['SIGINT', ['list', '--json']],
    ['SIGTERM', ['list', '--json']],
    ['SIGINT', ['status']],
  ] as const)('%s during %j: exit 130, says so, and --json still prints one document', async (signal, argv) => {
    const s = await startTestSandbox();
    s.inject({ kind: 'latency', ms: 5000, method: 'GET' });
    const run = spawnBin([...argv], sandboxEnv(s));
    await waitUntil(() => s.requests.some((q) => q.method === 'GET'));
    run.child.kill(signal);
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toContain(`error: stopped by ${signal}; no write to Auth0 was in flight`);
    if ((argv as readonly string[]).includes('--json')) {
      expect(JSON.parse(run.stdout())).toEqual({ error: { message: `stopped by ${signal}; no write to Auth0 was in flight`, hint: null, exitCode: 130 } });
    } else {
      expect(run.stdout()).toBe('');
    }
  });
});

describe('a signal while the tool waits for its input', () => {
  it('apply -f <a named pipe nobody writes to> stops on SIGTERM, exit 130 (a blocking read would hold the process)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-fifo-'));
    const fifo = join(dir, 'plan.yaml');
    execFileSync('mkfifo', [fifo]);
    const run = spawnBin(['apply', '-f', fifo, '--dry-run'], { AUTH0_DOMAIN: '127.0.0.1:9', AUTH0_ACCESS_TOKEN: 'x' });
    // Until the tool has started waiting on the pipe: its signal handlers are in place by then.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toContain('error: stopped by SIGTERM; no write to Auth0 was in flight');
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > timeoutMs) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('output that cannot be written', () => {
  afterEach(closeTestSandboxes);

  it('a reader that goes away (| head, | grep -q) keeps the run\'s own exit code: 3 for changes pending, not 0', async () => {
    const s = await startTestSandbox();
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-epipe-'));
    const file = join(dir, 'plan.yaml');
    writeFileSync(file, `connections:\n  - connection: sms\n    gateway_url: ${URL}\n    authentication: none\n`);
    const child = spawn(process.execPath, [BIN_PATH, 'apply', '-f', file, '--dry-run', '--exit-code', '--json'], { env: { ...process.env, ...sandboxEnv(s) }, stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader closes before the tool writes its document.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(3);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it.skipIf(!existsSync('/dev/full'))('a full disk: one line on stderr and exit 1, no stack trace', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN_PATH}" schema > /dev/full`], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('error: cannot write the output (ENOSPC)\n');
  });
});
