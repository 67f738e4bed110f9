// The built bin's wizard on a real pseudo-terminal: raw mode, the terminal's own Ctrl-C byte,
// process exit codes. The question flow itself is covered key by key in test/commands/wizard.test.ts.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_IDS, SEED_SECRETS } from '../../src/sandbox/index.js';
import { sandboxEnv, writes } from '../helpers/env.js';
import { KEY, play, ptyLauncher, spawnInPty } from '../helpers/pty.js';
import { useSandbox } from '../helpers/sandbox.js';
import { BIN_PATH } from '../helpers/spawn.js';

const DIST = join(dirname(BIN_PATH), '..', 'dist');

const URL = 'https://sms.example.com/send';

// Opening a pseudo-terminal from Node needs a native module or a helper program; CI machines
// are only promised Node and npm, so without python3 or util-linux `script` there is none.
describe.skipIf(ptyLauncher() === null)(`wizard in a real terminal (${ptyLauncher()?.name ?? 'no pseudo-terminal on this machine'})`, () => {
  const sandbox = useSandbox();

  it('answers, applies and exits 0', async () => {
    const backupDir = mkdtempSync(join(tmpdir(), 'a0sg-pty-'));
    const term = spawnInPty(['wizard', 'sms', '--auth', 'none', '--no-forward-req-info', '--backup-dir', backupDir], sandboxEnv(sandbox()));
    await play(term, [
      [/Gateway URL/, `${URL}${KEY.enter}`],
      [/Sender \(from\)/, KEY.enter],
      [/Template/, KEY.enter],
      [/before anything changes/, KEY.enter], // skip the test before the switch
      [/Apply \d+ changes to sms/, `y${KEY.enter}`],
      [/Phone number for a test SMS \(empty to skip\)/, KEY.enter],
    ]);
    expect(await term.exit).toBe(0);
    const screen = term.screen.text;
    expect(screen).toMatch(/Done: sms now sends codes through https:\/\/sms\.example\.com\/send/);
    expect(screen).toMatch(/auth0-sms-gateway configure sms --gateway-url https:\/\/sms\.example\.com\/send --auth none --no-forward-req-info/);
    for (const secret of SEED_SECRETS) expect(screen).not.toContain(secret);
    expect(sandbox().connection(SEED_IDS.twilio)!.options).toMatchObject({ provider: 'sms_gateway', gateway_url: URL, forward_req_info: false });
    expect(writes(sandbox())).toEqual([`PATCH /api/v2/connections/${SEED_IDS.twilio}`]);
    expect(readdirSync(backupDir)).toHaveLength(1);
  });

  it('Ctrl-C at a question exits 130 with nothing written', async () => {
    const before = sandbox().connections();
    const term = spawnInPty(['wizard', 'sms'], sandboxEnv(sandbox()));
    await play(term, [[/Gateway URL/, KEY.ctrlC]]);
    expect(await term.exit).toBe(130);
    expect(term.screen.text).toMatch(/error: cancelled, nothing changed/);
    expect(writes(sandbox())).toEqual([]);
    expect(sandbox().connections()).toEqual(before);
  });
});

// The build keeps each --help as commander prints it at 80 columns (src/main.ts builtHelp);
// a terminal of 80 columns gets the kept text, one of another width commander's text at its
// own width. Run on a copy of the build whose kept text of `list` is marked, so the test sees
// which of the two answered (at 80 columns both print the same words).
describe.skipIf(ptyLauncher() === null)(`--help in a terminal (${ptyLauncher()?.name ?? 'no pseudo-terminal on this machine'})`, () => {
  const MARKED = 'Usage: auth0-sms-gateway list [options]\n\nthe kept text, marked by this test\n';
  let copy: string;
  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'a0sg-pty-help-'));
    cpSync(DIST, copy, { recursive: true });
    const texts = JSON.parse(readFileSync(join(copy, 'help.json'), 'utf8')) as Record<string, string>;
    // The real text is there to mark: without it, commander would answer both tests.
    expect(texts.list).toMatch(/^Usage: auth0-sms-gateway list/);
    writeFileSync(join(copy, 'help.json'), JSON.stringify({ ...texts, list: MARKED }));
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));
  const lines = (value: string) => value.split('\n').map((line) => line.trimEnd()).join('\n').trim();

  it('of 80 columns prints the kept text', async () => {
    const term = spawnInPty(['list', '--help'], {}, { columns: 80, entry: join(copy, 'cli.js') });
    expect(await term.exit).toBe(0);
    expect(lines(term.screen.text)).toBe(lines(MARKED));
  });

  it("of 200 columns gets commander's text, wrapped at the terminal's width", async () => {
    const term = spawnInPty(['--help'], {}, { entry: join(copy, 'cli.js') });
    expect(await term.exit).toBe(0);
    const shown = term.screen.text.split('\n');
    // One line at 200 columns; two at 80.
    expect(shown.some((line) => line.includes('Send Auth0 Passwordless SMS codes through your own SMS gateway: list, configure, test and serve, safely.'))).toBe(true);
    expect(Math.max(...shown.map((line) => line.trimEnd().length))).toBeGreaterThan(80);
    const list = spawnInPty(['list', '--help'], {}, { entry: join(copy, 'cli.js') });
    expect(await list.exit).toBe(0);
    expect(list.screen.text).toMatch(/^Usage: auth0-sms-gateway list \[options\]/);
    expect(list.screen.text).not.toContain('marked by this test');
  });
});
