// `--version` is answered by src/main.ts before anything else loads: not commander, not the
// command line of src/cli.ts, not a command module. Checked on a fresh build of the CLI (the
// build script's own buildCli, into a temporary folder) run under a module-load hook that
// records every file Node loads; esbuild's metafile says which sources each file holds. The
// commands that only read connections are probed the same way: they load no zod.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { sandboxEnv } from '../helpers/env.js';
import { useSandbox } from '../helpers/sandbox.js';
import { runBin } from '../helpers/spawn.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
let dir: string;
let metafile: Metafile;
let writeHelpTexts: (outdir: string, metafile: Metafile) => void;

/**
 * Registers a load hook that appends each file: URL Node loads to $LOAD_LOG (hooks run on their
 * own thread), and writes the built-in modules the process loaded (process.moduleLoadList, as
 * Node's own tests read it) to $LOAD_LOG.builtins when it exits.
 */
const REGISTER = `import { register } from 'node:module';
import { writeFileSync } from 'node:fs';
register('./hooks.mjs', import.meta.url);
process.on('exit', () => writeFileSync(process.env.LOAD_LOG + '.builtins', process.moduleLoadList.join('\\n')));
`;
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.LOAD_LOG, url + '\\n');
  return next(url, context);
}
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The sources (esbuild metafile inputs, e.g. src/cli.ts, node_modules/commander/…) of every bundle file that loaded. */
  sources: string[];
  files: string[];
  /** Node's built-in modules the process loaded (`child_process`, `internal/child_process`, …). */
  builtins: string[];
}

/** Runs the build in `base` (by default the one without help.json) under the probe. */
function run(args: string[], name: string, base = dir): Run {
  const log = join(dir, `${name}.log`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, join(base, 'cli.js'), ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOAD_LOG: log },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ...loaded(log, base) };
}

/** The same probe for a run against the sandbox, which answers from this process (a synchronous spawn would block it). */
async function runAgainst(sandbox: Sandbox, args: string[], name: string): Promise<Run> {
  const log = join(dir, `${name}.log`);
  writeFileSync(log, '');
  const env = sandboxEnv(sandbox, 'full', { NODE_OPTIONS: `--import=${pathToFileURL(join(dir, 'register.mjs')).href}`, LOAD_LOG: log });
  const r = await runBin(args, env, join(dir, 'cli.js'));
  return { ...r, ...loaded(log) };
}

function loaded(log: string, base = dir): Pick<Run, 'sources' | 'files' | 'builtins'> {
  const files = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((url) => fileURLToPath(url));
  const bundle = files.filter((file) => file.startsWith(base + '/') && !file.endsWith('.mjs')).map((file) => relative(base, file));
  const sources = Object.entries(metafile.outputs)
    .filter(([output]) => bundle.includes(relative(dir, resolve(root, output))))
    .flatMap(([, output]) => Object.keys(output.inputs));
  const builtins = readFileSync(`${log}.builtins`, 'utf8')
    .split('\n')
    .filter((entry) => entry.startsWith('NativeModule '))
    .map((entry) => entry.slice('NativeModule '.length));
  return { sources, files: bundle, builtins };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'a0sg-version-'));
  const script = (await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href)) as {
    buildCli(options: { outdir: string }): Promise<Metafile>;
    writeHelpTexts: typeof writeHelpTexts;
  };
  metafile = await script.buildCli({ outdir: dir });
  writeHelpTexts = script.writeHelpTexts;
  writeFileSync(join(dir, 'register.mjs'), REGISTER);
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--version', () => {
  it.each([['--version'], ['-V']])('%s prints package.json\'s version alone on stdout, exit 0, and loads neither commander nor src/cli.ts', (flag) => {
    const r = run([flag], `version${flag}`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
    expect(r.stderr).toBe('');
    expect(r.files).toContain('cli.js');
    expect(r.sources).toContain('src/main.ts');
    expect(r.sources).toContain('src/version.ts');
    expect(r.sources).not.toContain('src/cli.ts');
    expect(r.sources.filter((source) => source.includes('node_modules/'))).toEqual([]);
    expect(r.sources.filter((source) => /^src\/(commands|flow|auth0|core|ui|sandbox)\//.test(source))).toEqual([]);
  });

  it('the probe sees the command line load for anything else: --help loads src/cli.ts and commander', () => {
    const r = run(['--help'], 'help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: auth0-sms-gateway');
    expect(r.sources).toContain('src/cli.ts');
    expect(r.sources.some((source) => source.includes('node_modules/commander/'))).toBe(true);
  });

  it('--help loads commander without node:child_process (nor net and dgram through it): the CLI has no executable subcommands', () => {
    const r = run(['--help'], 'help-builtins');
    expect(r.code).toBe(0);
    // The probe reads the list: Node's own modules are there.
    expect(r.builtins).toContain('fs');
    expect(r.builtins.filter((name) => /child_process|dgram/.test(name))).toEqual([]);
  });

  it('the same version as the command line reports through commander (list --version)', () => {
    // Not the fast path (more than one argument): commander's own version option answers.
    const out = execFileSync(process.execPath, [join(dir, 'cli.js'), 'list', '--version'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(out).toBe(`${version}\n`);
  });
});

describe('--help from the texts the build keeps (help.json)', () => {
  let withTexts: string;
  let texts: Record<string, string>;
  const words = (key: string): string[] => (key === '' ? [] : key.split(' '));
  const commander = (r: Run): boolean => r.sources.includes('src/cli.ts') || r.sources.some((source) => source.includes('node_modules/commander/'));

  beforeAll(() => {
    // A second copy of the same build, with the texts: the first stays without them, so commander answers there.
    withTexts = mkdtempSync(join(tmpdir(), 'a0sg-help-'));
    cpSync(dir, withTexts, { recursive: true });
    writeHelpTexts(withTexts, metafile);
    texts = JSON.parse(readFileSync(join(withTexts, 'help.json'), 'utf8')) as Record<string, string>;
  }, 30_000);
  afterAll(() => rmSync(withTexts, { recursive: true, force: true }));

  it('holds every command, nested ones included', () => {
    expect(Object.keys(texts)).toEqual(
      expect.arrayContaining(['', 'status', 'list', 'show', 'configure', 'restore', 'apply', 'serve', 'test-gateway', 'phone-provider', 'phone-provider configure', 'phone-provider show', 'phone-provider test', 'schema', 'demo', 'wizard']),
    );
  });

  it("each command's --help prints commander's text byte for byte, exit 0, without loading the command line", () => {
    for (const key of Object.keys(texts)) {
      const live = run([...words(key), '--help'], `help-live-${key}`);
      const fast = run([...words(key), '--help'], `help-fast-${key}`, withTexts);
      expect(live.code, key).toBe(0);
      expect(commander(live), key).toBe(true);
      expect(live.stdout, key).toContain('Usage: auth0-sms-gateway');
      expect({ key, code: fast.code, stdout: fast.stdout, stderr: fast.stderr }).toEqual({ key, code: 0, stdout: live.stdout, stderr: live.stderr });
      expect(commander(fast), key).toBe(false);
    }
  }, 60_000);

  it('-h too', () => {
    const fast = run(['apply', '-h'], 'help-fast-h', withTexts);
    expect(fast.code).toBe(0);
    expect(fast.stdout).toBe(texts.apply);
    expect(commander(fast)).toBe(false);
  });

  it.each([[['--json', '--help']], [['nope', '--help']], [['list', '--help', 'x']], [['--help', 'list']], [['__proto__', '--help']], [['phone-provider show', '--help']], [['LIST', '--help']]])(
    '%j is not a kept text: commander answers, as it would without the texts',
    (args) => {
      const live = run(args, `help-other-live-${args.join('_')}`);
      const fast = run(args, `help-other-fast-${args.join('_')}`, withTexts);
      expect(commander(fast)).toBe(true);
      expect({ code: fast.code, stdout: fast.stdout, stderr: fast.stderr }).toEqual({ code: live.code, stdout: live.stdout, stderr: live.stderr });
    },
  );

  // A help.json that is not the build's (edited by hand, replaced): commander answers, as it
  // would without one; nothing hangs on a file that never ends.
  const broken: [string, (file: string) => void][] = [
    ['an empty text', (file) => writeFileSync(file, JSON.stringify({ list: '' }))],
    ['a text that is no help', (file) => writeFileSync(file, JSON.stringify({ list: 'hello\n' }))],
    ['a text that is not a string', (file) => writeFileSync(file, JSON.stringify({ list: ['Usage: auth0-sms-gateway list'] }))],
    ['a file too large to be the build\'s', (file) => writeFileSync(file, JSON.stringify({ list: `Usage: auth0-sms-gateway list\n${' '.repeat(300 * 1024)}\n` }))],
    ['not JSON', (file) => writeFileSync(file, '{"list": "Usage: ')],
    ['a folder', (file) => mkdirSync(file)],
    // A FIFO with no writer: opening it to read would wait for ever.
    ['a FIFO', (file) => execFileSync('mkfifo', [file])],
  ];
  it.each(broken)('a help.json that holds %s: commander answers', (_what, make) => {
    const base = mkdtempSync(join(tmpdir(), 'a0sg-help-broken-'));
    try {
      cpSync(withTexts, base, { recursive: true });
      rmSync(join(base, 'help.json'));
      make(join(base, 'help.json'));
      const fast = run(['list', '--help'], 'help-broken', base);
      expect(commander(fast)).toBe(true);
      expect({ code: fast.code, stdout: fast.stdout, stderr: fast.stderr }).toEqual({ code: 0, stdout: texts.list, stderr: '' });
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('the commands that only read connections', () => {
  const sandbox = useSandbox();

  it.each([[['list']], [['list', '--json']], [['show', 'sms']]])('%j against a tenant loads no zod: connections are checked without it', async (args) => {
    const r = await runAgainst(sandbox(), args, `read-${args.join('-')}`);
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    // The probe saw the command and the Management API client run.
    expect(r.sources).toContain(`src/commands/${args[0]}.ts`);
    expect(r.sources).toContain('src/auth0/client.ts');
    expect(r.sources).toContain('src/core/options.ts');
    expect(r.sources.filter((source) => source.includes('node_modules/zod/') || source === 'src/core/options-schema.ts')).toEqual([]);
  });

  it('the probe sees zod load where a command parses with it (schema)', async () => {
    const r = await runAgainst(sandbox(), ['schema'], 'schema');
    expect(r.code).toBe(0);
    expect(r.sources.some((source) => source.includes('node_modules/zod/'))).toBe(true);
  });
});
