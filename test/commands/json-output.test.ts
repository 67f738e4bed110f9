// --json everywhere: exactly one JSON document on stdout, success or failure, with a pinned shape.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_IDS } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/run-cli.js';
import { sandboxEnv } from '../helpers/env.js';
import { useSandbox } from '../helpers/sandbox.js';

const keys = (value: unknown) => Object.keys(value as object).sort();
const ERROR_KEYS = ['error'];
const ERROR_BODY_KEYS = ['exitCode', 'hint', 'message'];

describe('--json shapes', () => {
  const sandbox = useSandbox();
  const json = async (argv: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = await runCli([...argv, '--json'], { env: sandboxEnv(sandbox(), 'full', extra) });
    return { ...r, doc: JSON.parse(r.stdout) as Record<string, unknown> };
  };

  it('list: an array of summaries', async () => {
    const { code, doc } = await json(['list']);
    expect(code).toBe(0);
    expect(Array.isArray(doc)).toBe(true);
    for (const row of doc as unknown as object[]) expect(keys(row)).toEqual(['authentication', 'forward_req_info', 'from', 'gateway_url', 'id', 'name', 'provider', 'route']);
  });

  it('show: the connection, redacted', async () => {
    const { code, doc } = await json(['show', 'sms']);
    expect(code).toBe(0);
    expect(keys(doc)).toEqual(['display_name', 'enabled_clients', 'id', 'is_domain_connection', 'metadata', 'name', 'options', 'realms', 'route', 'strategy']);
  });

  it('configure, then restore', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'a0sg-json-'));
    const configured = await json(['configure', 'sms', '--gateway-url', 'https://sms.example.com/j', '--yes', '--backup-dir', backups]);
    expect(configured.code).toBe(0);
    expect(keys(configured.doc)).toEqual(['backup', 'changed', 'connection', 'diff', 'dryRun', 'route', 'routeAfter', 'warnings']);
    for (const change of configured.doc.diff as object[]) expect(keys(change)).toEqual(['after', 'before', 'kind', 'path']);
    const file = join(backups, readdirSync(backups)[0]!);
    expect(configured.doc.backup).toBe(file);
    const restored = await json(['restore', file, '--yes', '--no-backup']);
    expect(restored.code).toBe(0);
    expect(keys(restored.doc)).toEqual(['backup', 'changed', 'connection', 'diff', 'dryRun', 'restoredFrom']);
    expect(restored.doc).toMatchObject({ changed: true, dryRun: false, connection: { id: SEED_IDS.twilio, name: 'sms' } });
  });

  it('test-gateway --dry-run: the request, token redacted', async () => {
    const { code, doc } = await json(['test-gateway', 'sms-gateway', '--to', '+15551234567', '--dry-run']);
    expect(code).toBe(0);
    expect(keys(doc)).toEqual(['auth0Error', 'dryRun', 'hint', 'ms', 'ok', 'request', 'status', 'url']);
    expect(keys(doc.request)).toEqual(['body', 'headers', 'method', 'url']);
    // Nothing was sent: no verdict either way.
    expect(doc).toMatchObject({ status: null, ms: null, ok: null, dryRun: true });
  });

  it('schema: a JSON Schema', async () => {
    const { code, doc } = await json(['schema']);
    expect(code).toBe(0);
    expect(doc.$schema).toMatch(/json-schema\.org/);
  });

  it.each([
    ['an input error', ['show', 'no-such-connection'], 2],
    ['a remote error', ['list'], 1],
    ['the wizard without a terminal', ['wizard'], 2],
    ['serve with a bad port', ['serve', '--port', 'x'], 2],
    ['an unknown flag', ['list', '--nope'], 2],
    ['a missing confirmation', ['configure', 'sms', '--gateway-url', 'https://sms.example.com/j'], 2],
  ])('%s: { error: { message, hint, exitCode } } and nothing else on stdout', async (_label, argv, exitCode) => {
    const extra = _label === 'a remote error' ? { AUTH0_CLIENT_SECRET: 'wrong-secret-value' } : {};
    const { code, doc, stdout } = await json(argv, extra);
    expect(code).toBe(exitCode);
    expect(keys(doc)).toEqual(ERROR_KEYS);
    expect(keys(doc.error)).toEqual(ERROR_BODY_KEYS);
    expect((doc.error as { exitCode: number }).exitCode).toBe(exitCode);
    expect(stdout.trim().startsWith('{') && stdout.trim().endsWith('}')).toBe(true);
  });
});
