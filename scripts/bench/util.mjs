// Shared pieces of `npm run bench`: statistics, child processes, the clean environment they
// run in, and the table the bench prints. Nothing here asserts: every number is reported.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = join(root, 'bin', 'auth0-sms-gateway.js');

/** @param {readonly number[]} xs */
export function median(xs) {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? /** @type {number} */ (s[mid]) : (/** @type {number} */ (s[mid - 1]) + /** @type {number} */ (s[mid])) / 2;
}

/**
 * Runs `a` and `b` alternately, `runs` times each, swapping which goes first every round
 * (a b, b a, a b, …) so that a slow spell of the shared machine and any order effect hit both
 * alike. Resolves to the two lists of results.
 * @template A, B
 * @param {number} runs
 * @param {() => Promise<A>} a
 * @param {() => Promise<B>} b
 * @returns {Promise<[A[], B[]]>}
 */
export async function alternate(runs, a, b) {
  /** @type {A[]} */
  const as = [];
  /** @type {B[]} */
  const bs = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return [as, bs];
}

/**
 * @typedef {object} RunResult
 * @property {number} ms wall time from spawn to exit, stdio closed
 * @property {number | null} code
 * @property {string} stdout only when `capture` was set
 * @property {string} stderr the last 8 kB
 */

/**
 * Runs `node …args` asynchronously (the sandbox answering it lives in this process's event
 * loop, so a synchronous spawn would deadlock) and times it.
 * @param {readonly string[]} args
 * @param {{ env: NodeJS.ProcessEnv, cwd?: string | undefined, capture?: boolean, allowFailure?: boolean }} options
 * @returns {Promise<RunResult>}
 */
export function runNode(args, options) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, {
      env: options.env,
      cwd: options.cwd ?? root,
      stdio: ['ignore', options.capture === true ? 'pipe' : 'ignore', 'pipe'],
    });
    /** @type {Buffer[]} */
    const out = [];
    let err = '';
    child.stdout?.on('data', (chunk) => out.push(chunk));
    child.stderr?.on('data', (chunk) => {
      err = (err + chunk).slice(-8192);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const result = { ms: performance.now() - start, code, stdout: Buffer.concat(out).toString('utf8'), stderr: err };
      if (code !== 0 && options.allowFailure !== true) {
        reject(new Error(`node ${args.join(' ')} exited ${code}:\n${err}`));
        return;
      }
      resolve(result);
    });
  });
}

/**
 * The environment every child runs in: no AUTH0_* or NODE_OPTIONS of the person running the
 * bench, no colour, locks and state under the bench's own temporary folder.
 * @param {string} work the bench's temporary folder
 * @param {NodeJS.ProcessEnv} [extra]
 * @returns {NodeJS.ProcessEnv}
 */
export function cleanEnv(work, extra = {}) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { NO_COLOR: '1', XDG_STATE_HOME: join(work, 'state'), HOME: join(work, 'home') };
  for (const name of ['PATH', 'TMPDIR', 'LANG', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Rebuilds dist/ when it is missing (someone else's build may have removed it meanwhile). */
export function ensureBuilt() {
  const needed = [join(root, 'dist', 'cli.js'), join(root, 'dist', 'lib', 'index.mjs'), join(root, 'dist', 'lib', 'index.cjs')];
  for (let attempt = 0; attempt < 3 && !needed.every((file) => existsSync(file)); attempt++) {
    process.stderr.write('bench: dist/ is missing or incomplete, rebuilding (node scripts/build.mjs)\n');
    spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {number} ms */
export function formatMs(ms) {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}

/**
 * @typedef {object} Row
 * @property {string} id
 * @property {string} what
 * @property {string} now
 * @property {string} floor
 * @property {number} ratio NaN when there is none
 * @property {string} ratioText how the ratio reads (e.g. "1.12x", "94 %")
 * @property {string} goal
 * @property {'ok' | 'MISS' | ''} verdict reported, never asserted
 * @property {string} [note]
 */

export class Table {
  /** @type {Row[]} */
  rows = [];

  /**
   * @param {Omit<Row, 'ratioText' | 'verdict'> & { ratioText?: string, meets?: boolean | undefined }} row
   */
  add(row) {
    const { meets, ...rest } = row;
    const ratioText = row.ratioText ?? (Number.isFinite(row.ratio) ? `${row.ratio.toFixed(2)}x` : '');
    /** @type {Row['verdict']} */
    const verdict = meets === undefined ? '' : meets ? 'ok' : 'MISS';
    this.rows.push({ ...rest, ratioText, verdict });
    // Rows appear as they are measured too, so a long run shows progress.
    process.stderr.write(`bench: ${row.id} ${row.what}: ${row.now} (floor ${row.floor || '-'}) ${ratioText} ${verdict}\n`);
  }

  /** @param {string} id @param {string} what @param {string} why */
  failed(id, what, why) {
    this.rows.push({ id, what, now: 'not measured', floor: '', ratio: Number.NaN, ratioText: '', goal: '', verdict: 'MISS', note: why.split('\n')[0] ?? why });
    process.stderr.write(`bench: ${id} ${what}: not measured: ${why}\n`);
  }

  /** @returns {string} */
  render() {
    const headers = ['#', 'what', 'now', 'floor (same run)', 'ratio', 'goal', ''];
    const cells = this.rows.map((r) => [r.id, r.what, r.now, r.floor, r.ratioText, r.goal, r.verdict]);
    const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
    const line = (/** @type {string[]} */ c) => c.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
    const out = [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
    const notes = this.rows.filter((r) => r.note !== undefined && r.note !== '').map((r) => `  ${r.id}: ${r.note}`);
    return `${out.join('\n')}${notes.length === 0 ? '' : `\n\nnotes:\n${notes.join('\n')}`}`;
  }
}
