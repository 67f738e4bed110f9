// `list`'s rows (flow/routes.ts listConnectionItems) against answers served from memory: which
// rows, which warnings on stderr, and whether the tenant setting is read, for listings a sandbox
// does not make (the same connection on two pages, a provider this tool does not know).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Io } from '../../src/ui/output.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

type Listed = { id: string; name: string; strategy: string; options?: Record<string, unknown> | null };

const twilio = { provider: 'twilio', twilio_sid: 'AC0000', from: '+15551234567' };
/** No key of the older generation: the route is the tenant setting's. */
const unifiedShape = { syntax: 'md_with_macros', template: 'Your code is @@password@@' };

/** Pages of two connections each, and the tenant setting ('no scope': Auth0's 403); counts the setting's reads. */
function serve(connections: Listed[], setting: boolean | 'no scope') {
  const reads = { settings: 0 };
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname === '/api/v2/tenants/settings') {
      reads.settings++;
      if (setting === 'no scope') {
        return Response.json({ statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: read:tenant_settings', errorCode: 'insufficient_scope' }, { status: 403 });
      }
      return Response.json({ phone_consolidated_experience: setting });
    }
    const from = Number(url.searchParams.get('from') ?? '0');
    const body: { connections: Listed[]; next?: string } = { connections: connections.slice(from, from + 2) };
    if (from + 2 < connections.length) body.next = String(from + 2);
    return Response.json(body);
  });
  return reads;
}

async function listItems() {
  const { connectToAuth0 } = await import('../../src/auth0/client.js');
  const { Output } = await import('../../src/ui/output.js');
  const { listConnectionItems } = await import('../../src/flow/routes.js');
  let stderr = '';
  const stream = { write: (text: string) => ((stderr += text), true), isTTY: false };
  const output = new Output({ stdout: stream, stderr: stream, stdin: process.stdin, env: {} } as unknown as Io, { color: false, json: true, verbose: false });
  const api = await connectToAuth0({ domain: 'tenant.example.com', kind: 'token', token: 'a.b.c' });
  const rows = await listConnectionItems(api, output);
  return { rows: rows.map((row) => [row.id, row.provider, row.route]), stderr };
}

describe("list's rows", () => {
  it('the same connection twice: its last copy is listed, and an earlier copy without options draws no warning', async () => {
    const reads = serve(
      [
        { id: 'con_1', name: 'one', strategy: 'sms', options: null },
        { id: 'con_2', name: 'two', strategy: 'sms', options: twilio },
        { id: 'con_1', name: 'one', strategy: 'sms', options: twilio },
      ],
      true,
    );
    const { rows, stderr } = await listItems();
    expect(rows).toEqual([
      ['con_1', 'twilio', 'twilio'],
      ['con_2', 'twilio', 'twilio'],
    ]);
    expect(stderr).toBe('');
    expect(reads.settings).toBe(0);
  });

  it('the same connection twice: an earlier copy that waited on the tenant setting does not have it read', async () => {
    const reads = serve(
      [
        { id: 'con_1', name: 'one', strategy: 'sms', options: unifiedShape },
        { id: 'con_2', name: 'two', strategy: 'sms', options: twilio },
        { id: 'con_1', name: 'one', strategy: 'sms', options: twilio },
      ],
      true,
    );
    expect((await listItems()).rows).toEqual([
      ['con_1', 'twilio', 'twilio'],
      ['con_2', 'twilio', 'twilio'],
    ]);
    expect(reads.settings).toBe(0);
  });

  it('the same connection twice without options: named once in the warning', async () => {
    serve(
      [
        { id: 'con_1', name: 'one', strategy: 'sms', options: null },
        { id: 'con_2', name: 'two', strategy: 'sms', options: twilio },
        { id: 'con_1', name: 'one', strategy: 'sms', options: null },
      ],
      true,
    );
    const { rows, stderr } = await listItems();
    expect(rows).toEqual([
      ['con_1', null, 'unknown'],
      ['con_2', 'twilio', 'twilio'],
    ]);
    expect(stderr).toBe('warning: Auth0 returned one (con_1) without options: shown with the route "unknown"\n');
  });

  it('a provider this tool does not know is unknown either way: the setting is not read for it', async () => {
    const reads = serve([{ id: 'con_1', name: 'one', strategy: 'sms', options: { provider: 'carrier-pigeon' } }], true);
    expect((await listItems()).rows).toEqual([['con_1', 'carrier-pigeon', 'unknown']]);
    expect(reads.settings).toBe(0);
  });

  it.each([
    [true, 'phone-provider'],
    [false, 'twilio'],
  ] as const)('options without older-generation keys: the setting is read once (%s) and decides the route (%s)', async (setting, route) => {
    const reads = serve(
      [
        { id: 'con_1', name: 'one', strategy: 'sms', options: unifiedShape },
        { id: 'con_2', name: 'two', strategy: 'sms', options: twilio },
        { id: 'con_3', name: 'three', strategy: 'sms', options: unifiedShape },
      ],
      setting,
    );
    expect((await listItems()).rows).toEqual([
      ['con_1', 'twilio', route],
      ['con_2', 'twilio', 'twilio'],
      ['con_3', 'twilio', route],
    ]);
    expect(reads.settings).toBe(1);
  });

  it('a setting that cannot be read is warned about first, then the connections without options', async () => {
    const reads = serve(
      [
        { id: 'con_1', name: 'one', strategy: 'sms', options: unifiedShape },
        { id: 'con_2', name: 'two', strategy: 'sms', options: null },
        { id: 'con_3', name: 'three', strategy: 'sms', options: twilio },
      ],
      'no scope',
    );
    const { rows, stderr } = await listItems();
    expect(rows).toEqual([
      ['con_1', 'twilio', 'unknown'],
      ['con_2', null, 'unknown'],
      ['con_3', 'twilio', 'twilio'],
    ]);
    expect(stderr.split('\n')).toEqual([
      expect.stringMatching(/^warning: the token lacks read:tenant_settings: routes that depend on the tenant setting show as "unknown"/),
      'warning: Auth0 returned two (con_2) without options: shown with the route "unknown"',
      '',
    ]);
    expect(reads.settings).toBe(1);
  });
});
