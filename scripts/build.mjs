// Builds the package with esbuild:
// - the CLI (dist/cli.js + dist/chunks/): everything it needs is inlined, so `npm install
//   auth0-sms-gateway` pulls one package; heavy parts (the auth0 SDK, the prompt library, the
//   sandbox) sit in chunks that load only when a command needs them; dist/help.json holds every
//   command's --help as the bundle renders it for a pipe;
// - the library entry (dist/lib/index.mjs, index.cjs, index.d.mts, index.d.cts): src/index.ts
//   and the src/gateway/ modules it imports, Node built-ins only, for `import` and `require`.
// Importing this file builds nothing: `node scripts/build.mjs` does (tests import the parts).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The first line of every ESM bundle here: bundled CommonJS dependencies (the auth0 SDK) call
 * require() for Node built-ins. The bench's bundles use it too, to load code as the CLI does.
 */
export const REQUIRE_BANNER = { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" };

/** @typedef {import('esbuild').Plugin} Plugin */
/** @typedef {import('esbuild').Metafile} Metafile */

/**
 * `import text from './x.js?raw'` bundles the file's text as a string, as vitest (vite) does for
 * the same import in tests. A `.js` path that does not exist falls back to the `.ts` beside it,
 * the way TypeScript sources name their imports.
 */
/** @returns {Plugin} */
export function rawTextPlugin() {
  return {
    name: 'raw-text',
    setup(b) {
      b.onResolve({ filter: /\?raw$/ }, (args) => {
        const specifier = args.path.slice(0, -'?raw'.length);
        let path = isAbsolute(specifier) ? specifier : resolve(args.resolveDir, specifier);
        if (!existsSync(path) && /\.[cm]?js$/.test(path)) {
          const ts = path.replace(/js$/, 'ts');
          if (existsSync(ts)) path = ts;
        }
        if (!existsSync(path) || !statSync(path).isFile()) return { errors: [{ text: `cannot read ${specifier} (imported with ?raw from ${args.importer})` }] };
        return { path, namespace: 'raw-text' };
      });
      b.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text', watchFiles: [args.path] }));
    },
  };
}

/**
 * Fails the library build when src/index.ts reaches anything but src/gateway/ modules and
 * `node:` built-ins: the library promises no dependencies and no CLI code (src/core pulls zod).
 */
/** @returns {Plugin} */
export function libraryGuardPlugin() {
  const allowed = join(root, 'src', 'gateway') + sep;
  return {
    name: 'library-guard',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        if (!args.path.startsWith('.')) {
          return { errors: [{ text: `the library entry must not import "${args.path}" (from ${relative(root, args.importer)}): it may use only node: built-ins` }] };
        }
        const target = resolve(args.resolveDir, args.path);
        if (!target.startsWith(allowed)) {
          return { errors: [{ text: `the library entry must not import ${relative(root, target)} (from ${relative(root, args.importer)}): only src/gateway/ modules that do not import src/core` }] };
        }
        return undefined;
      });
    },
  };
}

/**
 * Commander requires node:child_process as it loads, for subcommands that are separate
 * executables; this CLI has none. Loading it pulls in node:net and node:dgram as well (its
 * IPC), milliseconds of every start, `--help` included. Commander gets a stand-in that loads
 * the module on first use instead.
 */
/** @returns {Plugin} */
export function lazyChildProcessPlugin() {
  return {
    name: 'lazy-child-process',
    setup(b) {
      b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
        /node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'node:child_process', namespace: 'lazy-child-process' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
        contents: "let loaded;\nconst load = () => (loaded ??= require('node:child_process'));\nmodule.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });\n",
        loader: 'js',
      }));
    },
  };
}

/**
 * The auth0 SDK ships compiled for ES2015: every async function of it is a generator run by
 * TypeScript's `__awaiter` helper, about 15 of them per request. They are bundled as native
 * async functions instead (scripts/native-await.mjs): the same code, without a generator, a
 * promise driver and a `.then` per step; `apply` of 200 connections makes 400 requests.
 * `counts` receives, per file rewritten, how many calls were rewritten and how many left.
 * @param {{ counts?: Map<string, { converted: number, left: number }> }} [options]
 * @returns {Plugin}
 */
export function nativeAwaitPlugin({ counts } = {}) {
  return {
    name: 'native-await',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/]auth0[\\/].*\.m?js$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('__awaiter')) return undefined;
        // Loaded here: it loads TypeScript, which builds without the SDK (the library) need not.
        const { nativeAwait } = await import('./native-await.mjs');
        const result = nativeAwait(text, args.path);
        counts?.set(relative(root, args.path), { converted: result.converted, left: result.left });
        return { contents: result.text, loader: 'js' };
      });
    },
  };
}

/**
 * The CLI bundle; returns esbuild's metafile. `entryPoints` other than the CLI's build other
 * modules with the same settings (the bench measures src/ modules compiled as they ship).
 * @param {{ outdir?: string, version?: string, entryPoints?: Record<string, string>, awaitCounts?: Map<string, { converted: number, left: number }> }} [options]
 * @returns {Promise<Metafile>}
 */
export async function buildCli({ outdir = join(root, 'dist'), version, entryPoints = { cli: 'src/main.ts' }, awaitCounts } = {}) {
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    // No keepNames: it wraps every function the bundle creates, the SDK's per-request closures
    // included, in a __name() call (Object.defineProperty). Nothing here depends on a
    // function's .name: the errors the CLI tells apart carry literal names (the SDK's,
    // inquirer's, ours) or are told apart with instanceof and codes (commander's). Commander's
    // and jose's errors take constructor.name, so a --verbose trace shows them minified.
    keepNames: false,
    legalComments: 'none',
    metafile: true,
    chunkNames: 'chunks/[name]-[hash]',
    define: { __PACKAGE_VERSION__: JSON.stringify(version ?? readPackage().version) },
    banner: REQUIRE_BANNER,
    plugins: [rawTextPlugin(), lazyChildProcessPlugin(), nativeAwaitPlugin({ counts: awaitCounts })],
    logLevel: 'warning',
  });
  return result.metafile;
}

/**
 * Writes `help.json` beside the CLI bundle: every command's `--help` as the built command line
 * renders it for a pipe (src/cli.ts renderHelpTexts), which src/main.ts prints without loading
 * commander. Rendered in a child process, from the files just built, so that the text is the
 * bundle's own.
 * @param {string} outdir where buildCli wrote the bundle
 * @param {Metafile} metafile buildCli's
 */
export function writeHelpTexts(outdir, metafile) {
  const chunk = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint === 'src/cli.ts')?.[0];
  if (chunk === undefined) throw new Error('build: no output holds src/cli.ts');
  const url = pathToFileURL(resolve(root, chunk)).href;
  const json = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(url)}); process.stdout.write(JSON.stringify(m.renderHelpTexts()));`], {
    encoding: 'utf8',
  });
  writeFileSync(join(outdir, 'help.json'), json);
}

/**
 * The library entry as ESM and CommonJS; returns one metafile per format.
 * @param {{ outdir?: string }} [options]
 * @returns {Promise<Record<'esm' | 'cjs', Metafile>>}
 */
export async function buildLibrary({ outdir = join(root, 'dist', 'lib') } = {}) {
  /** @type {Record<string, Metafile>} */
  const metafiles = {};
  /** @type {[import('esbuild').Format, string][]} */
  const formats = [
    ['esm', '.mjs'],
    ['cjs', '.cjs'],
  ];
  for (const [format, extension] of formats) {
    const result = await build({
      absWorkingDir: root,
      entryPoints: ['src/index.ts'],
      outfile: join(outdir, `index${extension}`),
      bundle: true,
      format,
      platform: 'node',
      // Fetch API handlers run on Node 18 too; nothing here needs newer syntax.
      target: 'node18',
      // Small enough to read in a stack trace: whitespace and syntax only, names kept.
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: 'none',
      metafile: true,
      plugins: [libraryGuardPlugin(), rawTextPlugin()],
      logLevel: 'warning',
    });
    metafiles[format] = result.metafile;
  }
  return /** @type {Record<'esm' | 'cjs', Metafile>} */ (metafiles);
}

/**
 * Declarations for both formats. In a `"type": "module"` package a `.d.ts` describes an ES
 * module, which a CommonJS consumer (`moduleResolution: node16`) may not `require`; so the
 * tsc output is written twice, as `.d.mts` with `.mjs` specifiers and as `.d.cts` with `.cjs`.
 */
/** @param {{ outdir?: string }} [options] */
export function buildDeclarations({ outdir = join(root, 'dist', 'lib') } = {}) {
  const temp = join(root, 'dist', '.lib-types');
  rmSync(temp, { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.lib.json', '--outDir', temp], { stdio: 'inherit', cwd: root });
  /** @type {(dir: string) => string[]} */
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const file of walk(temp)) {
    if (!file.endsWith('.d.ts')) continue;
    const text = readFileSync(file, 'utf8');
    if (/\/\/\/\s*<reference\s+types=/.test(text) || /from ['"](?!\.)/.test(text)) {
      throw new Error(`${relative(temp, file)} refers to a package; the library's declarations must stand alone:\n${text}`);
    }
    const target = join(outdir, relative(temp, file)).slice(0, -'.d.ts'.length);
    mkdirSync(dirname(target), { recursive: true });
    for (const extension of ['mjs', 'cjs']) {
      writeFileSync(`${target}.d.${extension.slice(0, 1)}ts`, text.replace(/((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*)\.js(['"])/g, `$1.${extension}$2`));
    }
  }
  rmSync(temp, { recursive: true, force: true });
}

/**
 * node_modules packages that put bytes into an output (not every file esbuild looked at).
 * @param {...Metafile} metafiles
 * @returns {string[]}
 */
export function bundledPackages(...metafiles) {
  const dirs = new Set();
  for (const metafile of metafiles) {
    for (const output of Object.values(metafile.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        if (bytesInOutput <= 0) continue;
        const m = input.match(/^(?:[\w-]+:)?(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
        if (!m) continue;
        // The last node_modules segment: a nested copy is a package of its own.
        const path = m[1];
        const last = path.lastIndexOf('node_modules/');
        const name = path.slice(last + 'node_modules/'.length);
        dirs.add(path.slice(0, last) + 'node_modules/' + name);
      }
    }
  }
  return [...dirs].sort();
}

/**
 * @param {{ name: string }} pkg
 * @param {Metafile} cliMeta
 * @param {Metafile[]} libMetas
 */
function thirdPartyLicences(pkg, cliMeta, libMetas) {
  const libraryPackages = bundledPackages(...libMetas);
  let text = `# Third-party licences\n\n${pkg.name} bundles the following packages into dist/ (the command-line tool). `;
  text += libraryPackages.length === 0 ? 'The library entry (dist/lib/) bundles no third-party code.\n' : `The library entry (dist/lib/) bundles ${libraryPackages.length} of them.\n`;
  const packages = bundledPackages(cliMeta, ...libMetas).map((dir) => ({ dir, meta: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) }));
  packages.sort((a, b) => `${a.meta.name}@${a.meta.version}`.localeCompare(`${b.meta.name}@${b.meta.version}`));
  for (const { dir, meta } of packages) {
    const file = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'license.md', 'LICENCE', 'LICENCE.md']
      .map((f) => join(root, dir, f))
      .find((f) => existsSync(f));
    text += `\n## ${meta.name}@${meta.version} (${meta.license ?? 'see package'})\n\n`;
    if (file) text += '```\n' + readFileSync(file, 'utf8').trim() + '\n```\n';
  }
  return text;
}

/** @returns {{ name: string, version: string }} */
const readPackage = () => JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

export async function main() {
  const pkg = readPackage();
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const cliMeta = await buildCli({ version: pkg.version });
  writeHelpTexts(join(root, 'dist'), cliMeta);
  const libMetas = await buildLibrary();
  buildDeclarations();
  writeFileSync(join(root, 'THIRD_PARTY_LICENSES.md'), thirdPartyLicences(pkg, cliMeta, Object.values(libMetas)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
