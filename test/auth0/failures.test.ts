// Every failure of the Management API (issue 2, point 5) gives the right exit code, one
// message line with a hint, no stack trace, and no secret.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCertificate, SEED_CLIENTS, SEED_IDS, SEED_SECRETS, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { sandboxEnv } from '../helpers/env.js';
import { closeTestSandboxes, startTestSandbox, useSandbox } from '../helpers/sandbox.js';

function expectOneLineFailure(r: CliRun, code: number, message: RegExp, hint: RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(/^hint: /);
  expect(lines[1]).toMatch(hint);
  expect(lines).toHaveLength(2);
  for (const secret of SEED_SECRETS) expect(r.stderr).not.toContain(secret);
}

describe('Management API failures', () => {
  const sandbox = useSandbox();
  const fast = { AUTH0_SMS_GATEWAY_MAX_RETRIES: '1' };

  it('bad client credentials: exit 1, names the variables', async () => {
    const r = await runCli(['list'], { env: { ...sandboxEnv(sandbox()), AUTH0_CLIENT_SECRET: 'wrong-secret-value' } });
    expectOneLineFailure(r, 1, /rejected the client credentials/, /AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET/);
  });

  it('an app not authorised for the Management API: exit 1, says where to authorise it', async () => {
    const r = await runCli(['list'], { env: sandboxEnv(sandbox(), 'unauthorized') });
    expectOneLineFailure(r, 1, /not authorised for the Auth0 Management API/, /Machine to Machine Applications/);
  });

  it('an expired or foreign token: exit 1', async () => {
    const r = await runCli(['list'], { env: { AUTH0_DOMAIN: sandbox().domain, AUTH0_ACCESS_TOKEN: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' } });
    expectOneLineFailure(r, 1, /rejected the access token/, /new one/);
  });

  it.each([
    ['read:connections', ['read:connections_options'], ['list']],
    ['read:connections_options', ['read:connections'], ['list']],
    ['read:connections_options', ['read:connections'], ['show', 'sms']],
  ])('missing %s: exit 1 naming the scope', async (scope, scopes, argv) => {
    const token = sandbox().issueToken(scopes);
    const r = await runCli(argv, { env: { AUTH0_DOMAIN: sandbox().domain, AUTH0_ACCESS_TOKEN: token } });
    expectOneLineFailure(r, 1, new RegExp(scope), new RegExp(`grant .*${scope}`));
  });

  it.each([
    ['update:connections', ['read:connections', 'read:connections_options', 'update:connections_options']],
    ['update:connections_options', ['read:connections', 'read:connections_options', 'update:connections']],
  ])('missing %s for the PATCH: exit 1 naming the scope before sending it (the token says its scopes), nothing written', async (scope, scopes) => {
    const token = sandbox().issueToken(scopes);
    const before = sandbox().connection(SEED_IDS.twilio);
    sandbox().requests.length = 0;
    const r = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--no-backup'], {
      env: { AUTH0_DOMAIN: sandbox().domain, AUTH0_ACCESS_TOKEN: token },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: the token lacks ${scope}, which these changes need: nothing was written`);
    expect(r.stderr).toMatch(new RegExp(`hint: grant ${scope} to your Machine-to-Machine app`));
    expect(sandbox().requests.filter((entry) => entry.method === 'PATCH')).toEqual([]);
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual(before);
  });

  it('rate limited after the retries: exit 1 with a hint to wait', async () => {
    sandbox().inject({ kind: 'status', status: 429, path: '/api/v2/connections', times: 5 });
    const r = await runCli(['list'], { env: sandboxEnv(sandbox(), 'full', fast) });
    expectOneLineFailure(r, 1, /rate limited/, /wait/);
  });

  it('rides out a 429 and a 503 within the retries', async () => {
    sandbox().inject({ kind: 'status', status: 429, path: '/api/v2/connections', times: 1 });
    sandbox().inject({ kind: 'status', status: 503, path: '/api/v2/connections', times: 1 });
    const r = await runCli(['list', '--json'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(2);
  });

  it('a server error that persists: exit 1', async () => {
    sandbox().inject({ kind: 'status', status: 500, path: /connections/, times: 5 });
    const r = await runCli(['show', 'sms'], { env: sandboxEnv(sandbox(), 'full', fast) });
    expectOneLineFailure(r, 1, /HTTP 500/, /retry/);
  });

  it.each([
    ['an HTML page', '<html><body>Sign in</body></html>', /answered with an HTML page, not a list of them/],
    ['another JSON object', { unexpected: 'object' }, /answered with a JSON object without "connections", not a list of them/],
  ])('a 200 listing that is %s is a remote failure, not "no connections": list, list --json, show by name', async (_what, body, message) => {
    const listing = { kind: 'status', status: 200, body, method: 'GET', path: '/api/v2/connections' } as const;
    for (const argv of [['list'], ['list', '--json'], ['show', 'sms']]) {
      sandbox().inject(listing);
      const r = await runCli(argv, { env: sandboxEnv(sandbox()) });
      if (argv.includes('--json')) {
        expect(r.code).toBe(1);
        expect(JSON.parse(r.stdout)).toMatchObject({ error: { exitCode: 1, message: expect.stringMatching(message) } });
      } else {
        expectOneLineFailure(r, 1, message, /AUTH0_DOMAIN names the tenant itself/);
      }
    }
  });

  // The redirects point back at the sandbox itself, so one that was followed would show as a
  // second request in its log.
  it.each([
    ['the token request', 'POST', '/oauth/token', 302],
    ['the listing', 'GET', '/api/v2/connections', 307],
  ])('a redirect answering %s is not followed: exit 1, says so, names AUTH0_DOMAIN', async (_what, method, path, status) => {
    const location = `https://${sandbox().domain}${path}`;
    sandbox().inject({ kind: 'status', status, method, path, headers: { location }, times: 5 });
    sandbox().requests.length = 0;
    const r = await runCli(['list'], { env: sandboxEnv(sandbox(), 'full', fast) });
    expectOneLineFailure(r, 1, new RegExp(`${sandbox().domain.replace(/[.]/g, '\\.')} answered with a redirect, which is not followed`), /AUTH0_DOMAIN \/ --domain must name the tenant itself/);
    expect(sandbox().requests.filter((entry) => entry.path === path)).toHaveLength(1);
  });

  it('a PATCH answered with a redirect is not sent to its target: the outcome is read back, then the PATCH goes to the tenant again', async () => {
    const id = SEED_IDS.twilio;
    sandbox().inject({ kind: 'status', status: 308, method: 'PATCH', path: `/api/v2/connections/${id}`, headers: { location: `https://${sandbox().domain}/api/v2/connections/${id}` } });
    sandbox().requests.length = 0;
    const r = await runCli(['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--no-backup', '--verbose'], {
      env: sandboxEnv(sandbox(), 'full', { ...fast, AUTH0_SMS_GATEWAY_SETTLE_MS: '10' }),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`PATCH /api/v2/connections/${id} -> a redirect, not followed \\d+ms`));
    // The answer was a redirect: read back, found unchanged, and sent once more to the tenant itself.
    const sent = sandbox().requests.filter((entry) => entry.method === 'PATCH').map((entry) => entry.status);
    expect(sent).toEqual([308, 200]);
    expect(sandbox().connection(id)?.options).toMatchObject({ provider: 'sms_gateway', gateway_url: 'https://sms.example.com/send' });
    for (const secret of SEED_SECRETS) expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('a dropped connection on a read is retried', async () => {
    sandbox().inject({ kind: 'drop', method: 'GET', path: '/api/v2/connections', times: 1 });
    const r = await runCli(['list', '--json'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
  });

  it('a timeout: exit 1', async () => {
    sandbox().inject({ kind: 'latency', ms: 3000, path: '/api/v2/connections', times: 3 });
    const r = await runCli(['list'], { env: sandboxEnv(sandbox(), 'full', { AUTH0_SMS_GATEWAY_HTTP_TIMEOUT: '1', AUTH0_SMS_GATEWAY_MAX_RETRIES: '0' }) });
    expectOneLineFailure(r, 1, /did not answer in time/, /retry/);
  });

  it('--verbose traces each call with method, path, status, ms and rate limit, and no secret', async () => {
    const r = await runCli(['show', 'sms', '--verbose'], { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/POST \/oauth\/token -> 200 \d+ms/);
    expect(r.stderr).toMatch(/GET \/api\/v2\/connections\?.*name=sms.* -> 200 \d+ms \(rate limit remaining \d+\)/);
    for (const secret of SEED_SECRETS) expect(r.stdout + r.stderr).not.toContain(secret);
  });

  // Auth0's refusals that name the input (docs/auth0-facts.md#errors): the tool's own message per
  // kind of refusal, exit 2 when the value sent is at fault.
  const CONFIGURE = ['configure', 'sms', '--gateway-url', 'https://sms.example.com/send', '--yes', '--no-backup'];

  it('a 400 invalid_uri: exit 2, an input error naming the property', async () => {
    sandbox().inject({
      kind: 'status',
      status: 400,
      method: 'GET',
      path: '/api/v2/connections',
      body: { statusCode: 400, error: 'Bad Request', message: "Path validation error: 'String is too long' on property name (The name of the connection).", errorCode: 'invalid_uri' },
    });
    const r = await runCli(['show', 'sms'], { env: sandboxEnv(sandbox()) });
    expectOneLineFailure(r, 2, /Auth0 refused the connection \(name\): Path validation error/, /fix name, then run again/);
  });

  it.each([400, 422])('a %i invalid_body naming a property: exit 2 with the property named, nothing written', async (status) => {
    const before = sandbox().connection(SEED_IDS.twilio);
    sandbox().inject({
      kind: 'status',
      status,
      method: 'PATCH',
      body: { statusCode: status, error: 'Bad Request', message: "Payload validation error: 'String is too long (300 chars), maximum 255' on property options.gateway_url.", errorCode: 'invalid_body' },
    });
    const r = await runCli(CONFIGURE, { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: Auth0 refused the connection \(options\.gateway_url\): Payload validation error/);
    expect(r.stderr).toMatch(/hint: fix options\.gateway_url, then run again/);
    expect(sandbox().connection(SEED_IDS.twilio)).toEqual(before);
  });

  it('a 409: a naming conflict, exit 1, not reported as a concurrent edit', async () => {
    sandbox().inject({
      kind: 'status',
      status: 409,
      method: 'PATCH',
      body: { statusCode: 409, error: 'Conflict', message: 'A connection with the same name is already enabled for one of these clients', errorCode: 'conflict' },
    });
    const r = await runCli(CONFIGURE, { env: sandboxEnv(sandbox()) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: Auth0 refused the connection \(409 Conflict\): A connection with the same name/);
    expect(r.stderr).toMatch(/hint: a naming conflict .*: rename one of them/);
    expect(r.stderr).not.toMatch(/changed since it was read|someone else/); // the tool's words for a concurrent edit (flow/write.ts)
  });

  /** `list`, its listing refused with a 403 carrying this message and errorCode. */
  const listRefused = (message: string, errorCode: string) => {
    sandbox().inject({ kind: 'status', status: 403, method: 'GET', path: '/api/v2/connections', body: { statusCode: 403, error: 'Forbidden', message, errorCode } });
    return runCli(['list'], { env: sandboxEnv(sandbox()) });
  };

  it('a 403 for a scope Auth0 does not name: says so, and the hint names no made-up scope', async () => {
    const r = await listRefused('Insufficient scope', 'insufficient_scope');
    expectOneLineFailure(r, 1, /^error: missing scope \(Auth0 did not name it; the call: list connection\): Insufficient scope$/, /^hint: grant the scope this call needs \(README, "Set up a Machine-to-Machine application", lists them\) to your/);
  });

  it('a 403 that is not about a scope: exit 1 with its own message, no scope hint', async () => {
    const r = await listRefused('This feature is not available on your plan', 'operation_not_supported');
    expectOneLineFailure(r, 1, /Auth0 refused the request \(403, operation_not_supported\): This feature is not available on your plan/, /it is not a missing scope/);
    expect(r.stderr).not.toMatch(/error: missing scope|grant the/);
  });

  it('an invalid tuning variable is an input error before any request', async () => {
    const r = await runCli(['list'], { env: sandboxEnv(sandbox(), 'full', { AUTH0_SMS_GATEWAY_MAX_RETRIES: 'lots' }) });
    expectOneLineFailure(r, 2, /AUTH0_SMS_GATEWAY_MAX_RETRIES/, /whole number/);
    expect(sandbox().requests).toHaveLength(0);
  });
});

describe('network failures', () => {
  afterEach(closeTestSandboxes);
  const creds = { AUTH0_CLIENT_ID: SEED_CLIENTS.full.clientId, AUTH0_CLIENT_SECRET: SEED_CLIENTS.full.clientSecret };

  it('DNS: exit 1, points at the domain', async () => {
    // ENOTFOUND where DNS answers "no such name"; EAI_AGAIN on a host without DNS at all (CI).
    const r = await runCli(['list'], { env: { AUTH0_DOMAIN: 'no-such-tenant.invalid', ...creds } });
    expectOneLineFailure(r, 1, /cannot resolve the tenant domain|DNS lookup of the tenant domain failed/, /--domain|DNS/);
  });

  it('connection refused: exit 1', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    const r = await runCli(['list'], { env: { AUTH0_DOMAIN: `127.0.0.1:${port}`, ...creds } });
    expectOneLineFailure(r, 1, /refused/, /--domain/);
  });

  it('an untrusted certificate: exit 1, names NODE_EXTRA_CA_CERTS', async () => {
    let untrusted: Sandbox | undefined;
    try {
      untrusted = await startSandbox({ tls: await createCertificate() });
      const r = await runCli(['list'], { env: { AUTH0_DOMAIN: untrusted.domain, ...creds } });
      expectOneLineFailure(r, 1, /TLS certificate .* is not trusted/, /NODE_EXTRA_CA_CERTS/);
    } finally {
      await untrusted?.close();
    }
  });

  it('an unused sandbox helper stays closed', async () => {
    const s = await startTestSandbox();
    await s.close();
    await expect(fetch(`${s.url}/api/v2/connections`)).rejects.toThrow();
  });
});
