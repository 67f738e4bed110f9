// scripts/native-await.mjs rewrites the auth0 SDK's compiled async functions as native ones
// when the CLI is bundled. Checked here the way it is used: TypeScript compiles the same async
// code for ES2015 (what the SDK ships) and for ES2022; the ES2015 output, rewritten, must
// behave like the ES2022 one, and the SDK's own files must all be rewritten.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, transform, type Plugin } from 'esbuild';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

interface NativeAwait {
  nativeAwait(text: string, fileName?: string): { text: string; converted: number; left: number };
}

const root = fileURLToPath(new URL('../..', import.meta.url));
let nativeAwait: NativeAwait['nativeAwait'];
beforeAll(async () => {
  ({ nativeAwait } = (await import(pathToFileURL(join(root, 'scripts', 'native-await.mjs')).href)) as NativeAwait);
});

const compile = (source: string, target: ts.ScriptTarget) =>
  ts.transpileModule(source, { compilerOptions: { target, module: ts.ModuleKind.ESNext, removeComments: false } }).outputText;

let loaded = 0;
/** The module's exports; each load is a module of its own. */
async function load(code: string): Promise<Record<string, unknown>> {
  loaded++;
  return (await import(`data:text/javascript;charset=utf-8,${encodeURIComponent(`${code}\n// ${loaded}`)}`)) as Record<string, unknown>;
}

/** What `run`, exported by `code`, resolves to (called with `args`). */
async function runExport(code: string, ...args: unknown[]): Promise<unknown> {
  return ((await load(code)).run as (...args: unknown[]) => Promise<unknown>)(...args);
}

/** TypeScript's `__awaiter` helper as it emits it for ES2015, to put before hand-written calls of it. */
const AWAITER_HELPER = compile('export const f = async () => 1;', ts.ScriptTarget.ES2015).split('export const f')[0] ?? '';

/**
 * What `run` (exported by `source`) resolves to, or the message it rejects with, and the order
 * of the events it logs, for the ES2022 build, the ES2015 build and the rewritten ES2015 build.
 */
async function outcomes(source: string): Promise<{ native: unknown; downlevel: unknown; rewritten: unknown; converted: number; left: number; text: string }> {
  const es2015 = compile(source, ts.ScriptTarget.ES2015);
  expect(es2015).toContain('__awaiter(');
  const result = nativeAwait(es2015);
  const settle = async (code: string) => {
    try {
      return { value: await runExport(code) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  return {
    native: await settle(compile(source, ts.ScriptTarget.ES2022)),
    downlevel: await settle(es2015),
    rewritten: await settle(result.text),
    converted: result.converted,
    left: result.left,
    text: result.text,
  };
}

describe('nativeAwait', () => {
  const cases: Record<string, string> = {
    'this, arguments and default parameters': `
      class Client {
        base = 'b';
        async get(id: string, options: { x?: number } = {}) { await null; return [this.base, id, options.x ?? 0, arguments.length]; }
        async list() { const a = await this.get('1'); const b = await this.get('2', { x: 3 }); return [a, b]; }
      }
      export const run = async () => new Client().list();`,
    'an await inside an expression binds tighter than yield did': `
      const two = async () => 2;
      export async function run() { const sum = (await two()) + 1; const both = (await two()) * (await two()); const falsy = (await Promise.resolve(0)) || 'fallback'; const none = async (): Promise<number | null> => null; const either = await (none() && Promise.resolve(5)); return [sum, both, falsy, await two() + 1, either, await (two(), 3)]; }`,
    'await without operand value, and of a thenable': `
      export async function run() { const thenable = { then(resolve: (v: number) => void) { resolve(7); } }; const v = await thenable; const u = await undefined; return [v, u]; }`,
    'a rejection, try/catch/finally, and a throw before the first await': `
      const fail = async (message: string) => { throw new Error(message); };
      const early = async (n: number) => { if (n > 0) throw new Error('sync ' + n); await null; return 'late'; };
      export async function run() {
        const log: string[] = [];
        try { await fail('boom'); } catch (e) { log.push((e as Error).message); } finally { log.push('finally'); }
        const p = early(1); log.push('after call');
        try { await p; } catch (e) { log.push((e as Error).message); }
        return log;
      }`,
    'nested async functions, arrows inside methods, and loops': `
      class Pager { n = 0; async next() { this.n++; return this.n < 4 ? { more: true, n: this.n } : { more: false, n: this.n }; }
        async all() { const seen: number[] = []; for (;;) { const page = await this.next(); seen.push(page.n); if (!page.more) break; }
          const doubled = await Promise.all(seen.map(async (s) => { await null; return s * 2 + this.n; })); return [seen, doubled]; } }
      export const run = () => new Pager().all();`,
    'the order of interleaved steps': `
      export async function run() {
        const log: string[] = [];
        const step = async (name: string, n: number) => { for (let i = 0; i < n; i++) { log.push(name + i); await null; } };
        await Promise.all([step('a', 3), step('b', 3)]);
        return log;
      }`,
    'an async function returning a rejected promise': `
      export async function run() { const inner = async () => Promise.reject(new Error('inner')); return inner(); }`,
  };
  for (const [name, source] of Object.entries(cases)) {
    it(`${name}: the rewritten ES2015 build behaves as the native one`, async () => {
      const got = await outcomes(source);
      expect(got.converted).toBeGreaterThan(0);
      expect(got.left).toBe(0);
      expect(got.text).not.toMatch(/__awaiter\(/);
      expect(got.rewritten).toEqual(got.native);
      expect(got.downlevel).toEqual(got.native);
    });
  }

  it('leaves generators of its own, async generators and their yields as they are', async () => {
    const source = `
      function* counter() { let i = 0; while (i < 3) yield i++; }
      async function* ticks() { for (const i of counter()) { await null; yield i * 10; } }
      export async function run() { const out: number[] = [...counter()]; for await (const t of ticks()) out.push(t); return out; }`;
    const got = await outcomes(source);
    expect(got.rewritten).toEqual({ value: [0, 1, 2, 0, 10, 20] });
    expect(got.rewritten).toEqual(got.native);
    // The plain generator keeps its yield; the async generator keeps TypeScript's helpers.
    expect(got.text).toMatch(/while \(i < 3\)\s*yield i\+\+/);
    expect(got.text).toContain('__asyncGenerator(');
  });

  it('keeps the extent of what was yielded: yield binds looser than any operator', async () => {
    // Hand-written, as TypeScript parenthesizes what it emits: `yield p || q` yields p, a promise.
    const text = `${AWAITER_HELPER}\nexport const run = () => __awaiter(void 0, void 0, void 0, function* () { const p = Promise.resolve(0); return [yield p || 'q', yield]; });`;
    const result = nativeAwait(text);
    expect(result.converted).toBe(1);
    expect(result.text).toContain("return [await (p || 'q'), (await void 0)];");
    expect(await runExport(result.text)).toEqual(await runExport(text));
    expect(await runExport(text)).toEqual([0, undefined]);
  });

  it('reads a method\'s computed name as code of the function around it', async () => {
    // A yield in a computed method name is the generator's own: it becomes an await.
    const yielded = `${AWAITER_HELPER}\nexport const run = () => __awaiter(void 0, void 0, void 0, function* () { const o = { [yield Promise.resolve('k')]() { return 1; } }; return Object.keys(o); });`;
    const rewritten = nativeAwait(yielded);
    expect(rewritten.converted).toBe(1);
    expect(rewritten.text).toContain("[await (Promise.resolve('k'))]()");
    expect(await runExport(rewritten.text, 1, 2, 3)).toEqual(['k']);
    // `arguments` in one is the function's around it: an arrow would read another function's.
    const argumentsInName = `${AWAITER_HELPER}\nexport function run() { return __awaiter(this, void 0, void 0, function* () { return Object.keys({ [arguments.length]() { return 1; } }); }); }`;
    expect(nativeAwait(argumentsInName)).toEqual({ text: argumentsInName, converted: 0, left: 1 });
    expect(await runExport(argumentsInName, 1, 2, 3)).toEqual(['0']);
  });

  it('never lets a `(` it writes continue the statement before it', async () => {
    // No semicolon after `b`: ASI ends the statement before `__awaiter`, but not before a `(`.
    const text = `${AWAITER_HELPER}\nexport let ran = false; const b = () => { throw new Error('b called'); };\nlet a\na = b\n__awaiter(void 0, void 0, void 0, function* () { ran = true; yield 1; });\nif (!a) __awaiter(void 0, void 0, void 0, function* () { ran = 'if'; });\nexport const run = async () => ran;`;
    const result = nativeAwait(text);
    expect(result.converted).toBe(2);
    expect(result.text).toContain('a = b\n;(async () => { ran = true;');
    // Inside an if, a leading semicolon would become its body: none is written there.
    expect(result.text).toContain('if (!a) (async () => {');
    expect(await runExport(result.text)).toBe(true);
    // A bare yield ends its statement before a `(` on the next line: so does its await.
    const bare = `${AWAITER_HELPER}\nexport const run = () => __awaiter(void 0, void 0, void 0, function* () { const g = () => 'ok'; yield\n(g)(); return 'done'; });`;
    const rewrittenBare = nativeAwait(bare);
    expect(rewrittenBare.text).toContain('(await void 0);\n(g)();');
    expect(await runExport(rewrittenBare.text)).toBe('done');
  });

  it('leaves bodies an arrow would read differently: new.target, super, eval, and a file that does not parse', () => {
    for (const body of ['return new.target;', "return eval('this');", 'return super.x;']) {
      const text = `function F() { return __awaiter(this, void 0, void 0, function* () { ${body} }); }`;
      expect(nativeAwait(text)).toEqual({ text, converted: 0, left: 1 });
    }
    const broken = 'const f = () => __awaiter(this, void 0, void 0, function* () { yield 1; }); const = ;';
    expect(nativeAwait(broken)).toEqual({ text: broken, converted: 0, left: 1 });
  });

  it('leaves a call of another shape, and text that only looks like one', () => {
    const text = [
      'const s = "__awaiter(this, void 0, void 0, function* () { yield 1; })";',
      '// __awaiter(this, void 0, void 0, function* () { yield 2; })',
      'const custom = () => __awaiter(this, void 0, MyPromise, function* () { yield 3; });',
      'const delegated = () => __awaiter(this, void 0, void 0, function* () { yield* other(); });',
      'const named = () => __awaiter(this, void 0, void 0, function* inner() { yield 4; });',
    ].join('\n');
    const result = nativeAwait(text);
    expect(result.text).toBe(text);
    expect(result.converted).toBe(0);
    expect(result.left).toBe(3);
  });

  it('keeps `this` and `arguments` where an arrow would change them', () => {
    // `arguments` in a body the helper gave none: an arrow would see the outer function's.
    const usesArguments = 'function f() { return __awaiter(this, void 0, void 0, function* () { return arguments.length; }); }';
    expect(nativeAwait(usesArguments)).toEqual({ text: usesArguments, converted: 0, left: 1 });
    // `this` in a body the helper gave undefined for it.
    const usesThis = 'const f = () => __awaiter(void 0, void 0, void 0, function* () { return this; });';
    expect(nativeAwait(usesThis)).toEqual({ text: usesThis, converted: 0, left: 1 });
    // Inside a nested function they are its own: no reason to refuse.
    const nested = 'function f() { return __awaiter(this, void 0, void 0, function* () { return function () { return arguments; }; }); }';
    expect(nativeAwait(nested).text).toBe('function f() { return (async () => { return function () { return arguments; }; })(); }');
    const withArguments = 'function f(a) { return __awaiter(this, arguments, void 0, function* (a = 1) { return yield a; }); }';
    expect(nativeAwait(withArguments).text).toBe('function f(a) { return (async function (a = 1) { return await (a); }).apply(this, arguments); }');
  });

  it('is what the build bundles: the SDK as the CLI imports it holds no __awaiter call', async () => {
    const { nativeAwaitPlugin } = (await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href)) as {
      nativeAwaitPlugin(options?: { counts?: Map<string, { converted: number; left: number }> }): Plugin;
    };
    const bundle = async (plugins: Plugin[]) => {
      const result = await build({
        absWorkingDir: root,
        stdin: { contents: "export { ConnectionsClient } from 'auth0/connections';", resolveDir: root, loader: 'js' },
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        write: false,
        plugins,
        logLevel: 'silent',
      });
      return result.outputFiles[0]?.text ?? '';
    };
    const counts = new Map<string, { converted: number; left: number }>();
    const rewritten = await bundle([nativeAwaitPlugin({ counts })]);
    // Without the plugin the same bundle runs on the helper: the check below can tell.
    expect(await bundle([])).toMatch(/__awaiter\d*\((this|void 0), (void 0|arguments), void 0, function\*/);
    expect(rewritten).not.toMatch(/__awaiter\d*\(/);
    expect(counts.size).toBeGreaterThan(5);
    for (const [file, count] of counts) {
      expect(file).toMatch(/^node_modules\/auth0\//);
      expect(count.left).toBe(0);
    }
  }, 60_000);

  it('rewrites every async function of the auth0 SDK files it bundles, into code that parses', async () => {
    const dir = join(root, 'node_modules', 'auth0', 'dist', 'esm');
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.mjs')).map((f) => join(dir, f));
    let converted = 0;
    let rewrittenFiles = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (!text.includes('__awaiter')) continue;
      const result = nativeAwait(text, file);
      expect({ file, left: result.left }).toEqual({ file, left: 0 });
      // esbuild rejects what does not parse; the rewritten file is what it will bundle.
      await transform(result.text, { loader: 'js', format: 'esm' });
      converted += result.converted;
      rewrittenFiles++;
    }
    expect(rewrittenFiles).toBeGreaterThan(50);
    expect(converted).toBeGreaterThan(rewrittenFiles);
  }, 60_000);
});
