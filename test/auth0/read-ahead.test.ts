// A listing that reads every page asks for the next page before it works on this one's
// connections, so that the work overlaps the wait. The SDK calls fetch only after a chain of
// promise steps (token, headers, the pacer): unless the walk lets them run first, the request
// leaves after the page's connections were worked on, and nothing overlaps. Observed here as
// the order of two things the run does: each fetch, and each connection handed on (the client
// registers every connection's secrets as it parses it).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateConnections, SEED_CLIENTS } from '../../src/sandbox/index.js';
import { closeTestSandboxes, startTestSandbox } from '../helpers/sandbox.js';

afterEach(async () => {
  vi.doUnmock('../../src/core/redact.js');
  vi.restoreAllMocks();
  vi.resetModules();
  await closeTestSandboxes();
});

describe('listSmsConnections reading ahead', () => {
  it('asks for each next page before it works on the connections of the page it has', async () => {
    const events: string[] = [];
    vi.resetModules();
    vi.doMock('../../src/core/redact.js', async (importOriginal) => {
      const real = await importOriginal<typeof import('../../src/core/redact.js')>();
      return {
        ...real,
        registerSecretsIn: (value: unknown, key?: string) => {
          if (key === undefined && typeof value === 'object' && value !== null && 'id' in value) events.push(`visit ${String(value.id)}`);
          real.registerSecretsIn(value, key);
        },
      };
    });
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname === '/api/v2/connections') events.push(`fetch page ${url.searchParams.has('from') ? 'next' : 'first'}`);
      return realFetch(input, init);
    });
    const { connectToAuth0 } = await import('../../src/auth0/client.js');
    // 250 SMS connections: three pages of 100.
    const s = await startTestSandbox({ connections: generateConnections(250, 1) });
    const api = await connectToAuth0({ domain: s.domain, kind: 'client-secret', ...SEED_CLIENTS.full });

    expect(await api.listSmsConnections()).toHaveLength(250);

    const pages = events.flatMap((event, at) => (event.startsWith('fetch page') ? [at] : []));
    const visits = events.flatMap((event, at) => (event.startsWith('visit') ? [at] : []));
    expect(pages).toHaveLength(3);
    expect(visits).toHaveLength(250);
    // Page 2 is asked for before the first connection of page 1 is worked on, page 3 before the
    // first of page 2; the last page has no next one to ask for.
    expect(pages[1]).toBeLessThan(visits[0] ?? -1);
    expect(pages[2]).toBeLessThan(visits[100] ?? -1);
    expect(events.slice(pages[2] ?? 0, (pages[2] ?? 0) + 2)).toEqual(['fetch page next', 'visit con_Generated0000101']);
  });

  it('hands each connection to the mapper as its page arrives, and keeps only what the mapper returns', async () => {
    const events: string[] = [];
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname === '/api/v2/connections') events.push('fetch page');
      return realFetch(input, init);
    });
    const { connectToAuth0 } = await import('../../src/auth0/client.js');
    const s = await startTestSandbox({ connections: generateConnections(250, 1) });
    const api = await connectToAuth0({ domain: s.domain, kind: 'client-secret', ...SEED_CLIENTS.full });

    const rows = await api.listSmsConnections((connection) => {
      events.push(`map ${connection.id}`);
      return { id: connection.id, hasOptions: connection.options !== undefined };
    });

    expect(rows).toEqual(s.connections().map((connection) => ({ id: connection.id, hasOptions: true })));
    const pages = events.flatMap((event, at) => (event === 'fetch page' ? [at] : []));
    const maps = events.flatMap((event, at) => (event.startsWith('map') ? [at] : []));
    expect(pages).toHaveLength(3);
    expect(maps).toHaveLength(250);
    // Mapped while the next page is on its way, not after the last page.
    expect(pages[1]).toBeLessThan(maps[0] ?? -1);
    expect(maps[0]).toBeLessThan(pages[2] ?? -1);
  });

  it("throws what the mapper throws as it is: the caller's own failure is no failed request", async () => {
    const { connectToAuth0 } = await import('../../src/auth0/client.js');
    const { CliError } = await import('../../src/core/errors.js');
    const s = await startTestSandbox({ connections: generateConnections(250, 1) });
    const api = await connectToAuth0({ domain: s.domain, kind: 'client-secret', ...SEED_CLIENTS.full });
    const bug = new TypeError('a bug in the mapper');
    let mapped = 0;

    const failure = await api
      .listSmsConnections(() => {
        if (++mapped === 150) throw bug;
        return mapped;
      })
      .catch((error: unknown) => error);

    expect(failure).toBe(bug);
    expect(failure).not.toBeInstanceOf(CliError);
    // An async mapper's rejection would escape that: the type refuses one (npm run typecheck).
    const asyncMapper = () =>
      // @ts-expect-error a mapper that returns a promise
      api.listSmsConnections(async (connection) => connection.id);
    expect(typeof asyncMapper).toBe('function');
    // The walk stopped at the failure: page 3 was never worked on.
    expect(mapped).toBe(150);
  });

  it('a listing without options: the scope error names the copy the listing keeps, and a mapper that throws is not hidden by it', async () => {
    const page = { connections: [{ id: 'con_1', name: 'first-copy', strategy: 'sms' }, { id: 'con_2', name: 'two', strategy: 'sms' }, { id: 'con_1', name: 'last-copy', strategy: 'sms' }] };
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => Response.json(page));
    const { connectToAuth0 } = await import('../../src/auth0/client.js');
    const api = await connectToAuth0({ domain: 'tenant.example.com', kind: 'token', token: 'a.b.c' });

    await expect(api.listSmsConnections()).rejects.toThrow(/^Auth0 returned connection last-copy \(con_1\) without its options: the token most likely lacks the read:connections_options scope$/);
    const bug = new TypeError('a bug in the mapper');
    await expect(
      api.listSmsConnections((connection) => {
        if (connection.id === 'con_2') throw bug;
        return connection.id;
      }),
    ).rejects.toBe(bug);
  });

  // Over a network, the read ahead cannot be answered within the turn the walk lets pass; from
  // memory (a test double, a fetch served in process) it is, and the SDK has then rewritten the
  // page the walk holds into the next one: asking that one whether more follow skipped a page.
  it('lists every page when the read ahead is answered at once', async () => {
    const all = Array.from({ length: 250 }, (_, i) => ({ id: `con_Mem${String(i).padStart(4, '0')}`, name: `mem-${i}`, strategy: 'sms', options: { provider: 'twilio' } }));
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const from = Number(url.searchParams.get('from') ?? '0');
      const body: { connections: unknown[]; next?: string } = { connections: all.slice(from, from + 100) };
      if (from + 100 < all.length) body.next = String(from + 100);
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const { connectToAuth0 } = await import('../../src/auth0/client.js');
    const api = await connectToAuth0({ domain: 'tenant.example.com', kind: 'token', token: 'a.b.c' });

    expect((await api.listSmsConnections()).map((connection) => connection.id)).toEqual(all.map((connection) => connection.id));
  });
});
