// Rows 7 and 12: what a fresh `node` process pays. Each measured process alternates with its
// floor, a process that does as little as possible the same way (an empty .mjs; a module that
// imports an empty module), and the medians are compared.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { alternate, bin, cleanEnv, formatMs, median, root, runNode } from './util.mjs';

/**
 * @param {readonly string[]} args
 * @param {readonly string[]} floorArgs
 * @param {{ runs: number, env: NodeJS.ProcessEnv, cwd?: string | undefined }} options
 */
export async function timePair(args, floorArgs, { runs, env, cwd }) {
  // One of each first, untimed: the file cache is then warm for both.
  await runNode(args, { env, cwd });
  await runNode(floorArgs, { env, cwd });
  const [a, b] = await alternate(
    runs,
    async () => (await runNode(args, { env, cwd })).ms,
    async () => (await runNode(floorArgs, { env, cwd })).ms,
  );
  return { value: median(a), floor: median(b) };
}

/** @param {import('./util.mjs').Table} table @param {{ runs: number, work: string }} options */
export async function cliStartupRows(table, { runs, work }) {
  const env = cleanEnv(work);
  const empty = join(work, 'empty.mjs');
  writeFileSync(empty, '');
  for (const [id, flag, goal] of /** @type {const} */ ([
    ['12a', '--help', 1.3],
    ['12b', '--version', 1.3],
  ])) {
    const r = await timePair([bin, flag], [empty], { runs, env });
    const ratio = r.value / r.floor;
    table.add({ id, what: `\`${flag}\` wall time`, now: formatMs(r.value), floor: `${formatMs(r.floor)} (empty .mjs)`, ratio, goal: `<= ${goal}x`, meets: ratio <= goal });
  }
}

/** @param {import('./util.mjs').Table} table @param {{ runs: number, work: string }} options */
export async function demoRow(table, { runs, work }) {
  const env = cleanEnv(work);
  /** @type {number[]} */
  const times = [];
  let failures = 0;
  for (let i = 0; i < runs; i++) {
    const r = await runNode([bin, 'demo'], { env, allowFailure: true });
    if (r.code === 0) times.push(r.ms);
    else failures++;
  }
  if (times.length === 0) {
    table.failed('12c', '`demo` wall time', `every demo run failed (${failures})`);
    return;
  }
  const ms = median(times);
  table.add({
    id: '12c',
    what: '`demo` wall time',
    now: formatMs(ms),
    floor: '10 s budget',
    ratio: ms / 10_000,
    goal: '<= 10 s',
    meets: ms <= 10_000,
    note: `median of ${times.length} run${times.length === 1 ? '' : 's'}${failures === 0 ? '' : `; ${failures} run(s) failed and are left out`}`,
  });
}

/**
 * Row 7: importing the library entry in a fresh process, against importing an empty module the
 * same way; for `import` and for `require`. `app` is a project with the packed package
 * installed (row 13); without one, dist/lib is imported by path.
 * @param {import('./util.mjs').Table} table
 * @param {{ runs: number, work: string, app: string | null }} options
 */
export async function libraryImportRows(table, { runs, work, app }) {
  const dir = app ?? join(work, 'lib-import');
  mkdirSync(dir, { recursive: true });
  const esmTarget = app === null ? pathToFileURL(join(root, 'dist', 'lib', 'index.mjs')).href : 'auth0-sms-gateway';
  const cjsTarget = app === null ? join(root, 'dist', 'lib', 'index.cjs') : 'auth0-sms-gateway';
  const files = {
    'import-lib.mjs': `import ${JSON.stringify(esmTarget)};\n`,
    'import-empty.mjs': `import './empty-dep.mjs';\n`,
    'empty-dep.mjs': '',
    'require-lib.cjs': `require(${JSON.stringify(cjsTarget)});\n`,
    'require-empty.cjs': `require('./empty-dep.cjs');\n`,
    'empty-dep.cjs': '',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const env = cleanEnv(work);
  const how = app === null ? 'dist/lib by path (the install failed)' : 'the installed tarball';
  const graph = moduleGraph(dir, work);
  for (const [id, what, lib, floor] of /** @type {const} */ ([
    ['7a', "import('auth0-sms-gateway')", 'import-lib.mjs', 'import-empty.mjs'],
    ['7b', "require('auth0-sms-gateway')", 'require-lib.cjs', 'require-empty.cjs'],
  ])) {
    const r = await timePair([join(dir, lib)], [join(dir, floor)], { runs, env, cwd: dir });
    const ratio = r.value / r.floor;
    const g = id === '7a' ? graph.esm : graph.cjs;
    table.add({
      id,
      what: `${what}, fresh node`,
      now: formatMs(r.value),
      floor: `${formatMs(r.floor)} (empty module)`,
      ratio,
      goal: '<= 1.2x, no zod',
      meets: ratio <= 1.2 && g.forbidden.length === 0 && g.error === '',
      note: `${how}; its graph: ${g.error !== '' ? `not read (${g.error})` : `${g.modules.length} module(s) besides node: built-ins, ${g.forbidden.length === 0 ? 'no zod, commander, auth0 SDK or chalk' : `FOUND ${g.forbidden.join(', ')}`} [${g.modules.join(', ')}]`}`,
    });
  }
}

/**
 * What importing / requiring the library loads, read in separate (untimed) processes: for
 * `import`, a module.register() resolve hook records every URL; for `require`, require.cache.
 * @param {string} dir
 * @param {string} work
 */
function moduleGraph(dir, work) {
  const forbidden = (/** @type {string[]} */ urls) => urls.filter((u) => /node_modules\/(zod|commander|auth0|chalk|@inquirer|jose)\//.test(u) || /[\\/]zod[\\/]/.test(u));
  const shorten = (/** @type {string} */ u) => u.replace(/^file:\/\//, '').replace(dir, '.').replace(root, '<repo>');
  const env = cleanEnv(work);
  const out = join(work, 'graph.txt');
  /** @type {{ esm: { modules: string[], forbidden: string[], error: string }, cjs: { modules: string[], forbidden: string[], error: string } }} */
  const result = { esm: { modules: [], forbidden: [], error: '' }, cjs: { modules: [], forbidden: [], error: '' } };
  try {
    writeFileSync(out, '');
    const register = pathToFileURL(join(root, 'scripts', 'bench', 'graph-register.mjs')).href;
    const r = spawnNode(['--import', register, join(dir, 'import-lib.mjs')], { ...env, BENCH_GRAPH_OUT: out }, dir);
    if (r !== '') throw new Error(r);
    const urls = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter((u) => u !== '' && !u.startsWith('node:')) : [];
    // The entry file itself is the bench's, not the library's.
    const modules = [...new Set(urls)].filter((u) => !u.endsWith('/import-lib.mjs'));
    result.esm = { modules: modules.map(shorten), forbidden: forbidden(modules), error: modules.length === 0 ? 'the hook saw nothing' : '' };
  } catch (error) {
    result.esm.error = String(/** @type {Error} */ (error).message ?? error).split('\n')[0] ?? '';
  }
  try {
    const script = `require(${JSON.stringify(join(dir, 'require-lib.cjs'))});require('node:fs').writeFileSync(${JSON.stringify(out)},Object.keys(require.cache).join('\\n'))`;
    const r = spawnNode(['-e', script], env, dir);
    if (r !== '') throw new Error(r);
    const modules = readFileSync(out, 'utf8').split('\n').filter((u) => u !== '' && !u.endsWith('require-lib.cjs'));
    result.cjs = { modules: modules.map(shorten), forbidden: forbidden(modules), error: '' };
  } catch (error) {
    result.cjs.error = String(/** @type {Error} */ (error).message ?? error).split('\n')[0] ?? '';
  }
  return result;
}

/** Synchronous on purpose (no sandbox is involved here); '' on success, else stderr. @param {string[]} args @param {NodeJS.ProcessEnv} env @param {string} cwd */
function spawnNode(args, env, cwd) {
  const r = spawnSync(process.execPath, args, { env, cwd, encoding: 'utf8' });
  return r.status === 0 ? '' : `exit ${r.status}: ${r.stderr}`;
}
