// --verbose traces every Management API call on stderr, and the pacer's waits for the rate
// limit with them (src/auth0/client.ts); stdout keeps only the command's output.
import { afterEach, describe, expect, it } from 'vitest';
import { generateConnections } from '../../src/sandbox/index.js';
import { sandboxEnv } from '../helpers/env.js';
import { runCli } from '../helpers/run-cli.js';
import { closeTestSandboxes, startTestSandbox } from '../helpers/sandbox.js';

const WAITED = /^waited (\d+)ms for the rate limit before (GET \/api\/v2\/\S+)$/;

describe('--verbose and the rate limit', () => {
  afterEach(closeTestSandboxes);

  it('list --verbose over three pages with a bucket of one: each wait for a token is traced on stderr, before its request, never on stdout', async () => {
    // 250 SMS connections: three pages of 100. A bucket of one token, refilled 20 times a
    // second: after the first answer (remaining 0) each further page waits for a token.
    const s = await startTestSandbox({ connections: generateConnections(250, 1), rateLimit: { perSecond: 20, burst: 1 } });
    const r = await runCli(['list', '--verbose'], { env: sandboxEnv(s) });
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n');
    const pages = lines.filter((line) => /^GET \/api\/v2\/connections\?\S+ -> 200 \d+ms \(rate limit remaining 0\)$/.test(line));
    expect(pages).toHaveLength(3);
    // The second and third pages (checkpoint `from=`) each waited for a token, traced just before the request.
    for (const page of pages.slice(1)) {
      const request = page.split(' -> ')[0]!;
      expect(request).toContain('from=');
      const before = lines[lines.indexOf(page) - 1]!;
      const match = WAITED.exec(before);
      expect(match, `no wait traced before ${request}:\n${r.stderr}`).not.toBeNull();
      expect(match![2]).toBe(request);
      // A real wait for a refill (a token takes 50 ms here), not queueing noise.
      expect(Number(match![1])).toBeGreaterThanOrEqual(20);
    }
    // stdout: the table only; every trace on stderr.
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+ID\s+ROUTE/);
    expect(r.stdout).not.toMatch(/waited|rate limit|GET \/api|POST \/oauth/);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(251);
  });

  it('without --verbose the same run traces nothing', async () => {
    const s = await startTestSandbox({ connections: generateConnections(250, 1), rateLimit: { perSecond: 20, burst: 1 } });
    const r = await runCli(['list'], { env: sandboxEnv(s) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`250 SMS connections in ${s.domain}\n`);
  });

  it('a request that did not wait for a token traces no wait (no "waited 0ms")', async () => {
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const r = await runCli(['status', '--verbose'], { env: sandboxEnv(s) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^GET \/api\/v2\/branding\/phone\/providers -> 200/m);
    expect(r.stderr).not.toMatch(/^waited 0ms for the rate limit/m);
  });
});
