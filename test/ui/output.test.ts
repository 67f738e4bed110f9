import { Chalk } from 'chalk';
import { describe, expect, it, vi } from 'vitest';
import { diffOptions } from '../../src/core/diff.js';
import { changesToJson, renderChanges } from '../../src/ui/diff.js';
import { decideColor, Output, renderTable, type Io } from '../../src/ui/output.js';

describe('decideColor: one rule for the whole run', () => {
  const table: [string, { json: boolean; colorFlag: boolean; env: NodeJS.ProcessEnv; stdoutIsTTY: boolean }, boolean][] = [
    ['a terminal', { json: false, colorFlag: true, env: {}, stdoutIsTTY: true }, true],
    ['a pipe', { json: false, colorFlag: true, env: {}, stdoutIsTTY: false }, false],
    ['--json on a terminal', { json: true, colorFlag: true, env: {}, stdoutIsTTY: true }, false],
    ['--json with FORCE_COLOR', { json: true, colorFlag: true, env: { FORCE_COLOR: '1' }, stdoutIsTTY: true }, false],
    ['--no-color on a terminal', { json: false, colorFlag: false, env: {}, stdoutIsTTY: true }, false],
    ['--no-color with FORCE_COLOR', { json: false, colorFlag: false, env: { FORCE_COLOR: '1' }, stdoutIsTTY: true }, false],
    ['NO_COLOR on a terminal', { json: false, colorFlag: true, env: { NO_COLOR: '1' }, stdoutIsTTY: true }, false],
    ['NO_COLOR empty (unset, per no-color.org)', { json: false, colorFlag: true, env: { NO_COLOR: '' }, stdoutIsTTY: true }, true],
    ['NO_COLOR beats FORCE_COLOR', { json: false, colorFlag: true, env: { NO_COLOR: '1', FORCE_COLOR: '1' }, stdoutIsTTY: true }, false],
    ['FORCE_COLOR into a pipe', { json: false, colorFlag: true, env: { FORCE_COLOR: '1' }, stdoutIsTTY: false }, true],
    ['FORCE_COLOR=0 on a terminal', { json: false, colorFlag: true, env: { FORCE_COLOR: '0' }, stdoutIsTTY: true }, false],
    ['FORCE_COLOR=false on a terminal', { json: false, colorFlag: true, env: { FORCE_COLOR: 'false' }, stdoutIsTTY: true }, false],
  ];
  it.each(table)('%s', (_name, input, expected) => {
    expect(decideColor(input)).toBe(expected);
  });
});

describe('renderers, colour off', () => {
  const plain = new Chalk({ level: 0 });
  const before = {
    provider: 'twilio',
    twilio_sid: 'AC123',
    twilio_token: 'a-twilio-token-never-shown',
    forward_req_info: 'true',
    'odd.key': 1,
  };
  const after = {
    provider: 'sms_gateway',
    forward_req_info: true,
    'odd.key': 1,
    gateway_url: 'https://sms.example.com/send',
    gateway_authentication: { method: 'bearer', audience: 'urn:gw', secret: 'a-gateway-secret-never-shown' },
  };

  it('a diff: one line per key, removed keys included, secrets by path only', () => {
    expect(renderChanges(diffOptions(before, after), plain)).toMatchInlineSnapshot(`
      "  ~ provider: "twilio" -> "sms_gateway"
        - twilio_sid: "AC123"
        - twilio_token: (secret removed)
        ~ forward_req_info: "true" -> true
        + gateway_url: "https://sms.example.com/send"
        + gateway_authentication.method: "bearer"
        + gateway_authentication.audience: "urn:gw"
        + gateway_authentication.secret: (secret set)"
    `);
  });

  it('the --json diff', () => {
    expect(changesToJson(diffOptions(before, after))).toMatchInlineSnapshot(`
      [
        {
          "after": "sms_gateway",
          "before": "twilio",
          "kind": "changed",
          "path": "provider",
        },
        {
          "after": null,
          "before": "AC123",
          "kind": "removed",
          "path": "twilio_sid",
        },
        {
          "after": null,
          "before": "[redacted]",
          "kind": "removed",
          "path": "twilio_token",
        },
        {
          "after": true,
          "before": "true",
          "kind": "changed",
          "path": "forward_req_info",
        },
        {
          "after": "https://sms.example.com/send",
          "before": null,
          "kind": "added",
          "path": "gateway_url",
        },
        {
          "after": "bearer",
          "before": null,
          "kind": "added",
          "path": "gateway_authentication.method",
        },
        {
          "after": "urn:gw",
          "before": null,
          "kind": "added",
          "path": "gateway_authentication.audience",
        },
        {
          "after": "[redacted]",
          "before": null,
          "kind": "added",
          "path": "gateway_authentication.secret",
        },
      ]
    `);
  });

  it('an empty diff', () => {
    expect(renderChanges([], plain)).toMatchInlineSnapshot(`"  (no changes)"`);
  });

  it('a table: columns padded to the widest cell, no trailing spaces', () => {
    expect(
      renderTable(
        ['NAME', 'ID', 'PROVIDER'],
        [
          ['sms', 'con_Tw1l1oSmsSeed001', 'twilio'],
          ['sms-gateway-long-name', 'con_GatewaySmsSeed02', 'sms_gateway'],
        ],
        plain,
      ),
    ).toMatchInlineSnapshot(`
      "NAME                   ID                    PROVIDER
      sms                    con_Tw1l1oSmsSeed001  twilio
      sms-gateway-long-name  con_GatewaySmsSeed02  sms_gateway"
    `);
  });
});

describe('stdoutLines: a server log written in bursts', () => {
  const sink = (json: boolean) => {
    const writes: string[] = [];
    const stream = { write: (chunk: string) => void writes.push(chunk), isTTY: false };
    const output = new Output({ stdout: stream, stderr: stream, stdin: process.stdin, env: {} } as unknown as Io, { color: false, json, verbose: false });
    return { writes, log: output.stdoutLines() };
  };

  it('lines go out together, a few milliseconds after the first (or at once past 64 KB), each escaped and redacted by shape', () => {
    vi.useFakeTimers();
    try {
      const { writes, log } = sink(false);
      log.line('first \u001b[2J');
      log.line('second https://gw.example.com/x?token=abcdef123456');
      log.line('{"x":1}', { json: true }); // not for people: dropped in human mode
      vi.advanceTimersByTime(4);
      expect(writes).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(writes).toEqual(['first \\x1b[2J\nsecond https://gw.example.com/x?token=[redacted]\n']);
      // A burst past 64 KB does not wait for the timer.
      const long = 'x'.repeat(40 * 1024);
      log.line(long);
      expect(writes).toHaveLength(1);
      log.line(long);
      expect(writes).toEqual([expect.any(String), `${long}\n${long}\n`]);
      vi.advanceTimersByTime(10);
      expect(writes).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('onLost hears of every failed write and how many lines it held, before flush() resolves; without it, nothing is asked of the stream', async () => {
    const lost: [number, string][] = [];
    const calls: number[] = [];
    const stream = {
      isTTY: false,
      write: (chunk: string, done?: (error?: Error | null) => void) => {
        calls.push(done === undefined ? 0 : 1);
        const error = chunk.startsWith('ok') ? null : Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        // As a stream does: the callback comes later.
        if (done !== undefined) setImmediate(() => done(error));
        return true;
      },
    };
    const output = new Output({ stdout: stream, stderr: stream, stdin: process.stdin, env: {} } as unknown as Io, { color: false, json: false, verbose: false });
    const log = output.stdoutLines({ onLost: (lines, error) => void lost.push([lines, (error as NodeJS.ErrnoException).code ?? ''] as [number, string]) });
    log.line('ok one');
    log.line('two');
    await log.flush();
    expect(lost).toEqual([]);
    log.line('gone one');
    log.line('gone two');
    log.line('gone three');
    void log.flush();
    log.line('gone four');
    const last = log.flush();
    expect(lost).toEqual([]);
    // Nothing more waits, but the write is not through: flush() is still that write's end.
    let through = false;
    void log.flush().then(() => {
      through = true;
    });
    await Promise.resolve();
    expect(through).toBe(false);
    await last;
    expect(through).toBe(true);
    await log.flush();
    expect(lost).toEqual([
      [3, 'EPIPE'],
      [1, 'EPIPE'],
    ]);
    const plain = output.stdoutLines();
    plain.line('plain');
    await plain.flush();
    expect(calls).toEqual([1, 1, 1, 0]);
  });

  it('--json: JSON Lines as given, human lines dropped; flush() writes what is pending at once', () => {
    const { writes, log } = sink(true);
    log.line('{"a":1}', { json: true });
    log.line('for people');
    log.flush();
    expect(writes).toEqual(['{"a":1}\n']);
  });
});
