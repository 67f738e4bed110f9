// npm run bench: the numbers of issues 10, 12 and 13, each against a floor measured in the same
// run, alternating with the measured thing (medians of BENCH_RUNS runs, 11 by default), printed as
// one table. Not a test: goals are reported (ok / MISS), never asserted; the exit code is 0
// unless the bench itself breaks. The machine is shared and noisy, so every verdict is a ratio
// to a floor, never an absolute time (the few absolute goals, sizes and the 50 ms of row 10,
// are the issues' own).
//
//   npm run bench                      everything: about six minutes on two cores (row 2 alone ~200 s)
//   BENCH_QUICK=1 npm run bench        N = 50 instead of 200, 5 runs, one demo: about a minute and a half
//   BENCH_RUNS=21                      more runs for every alternating pair
//   BENCH_APPLY_RUNS=3                 repeat the rate-limited apply runs (rows 2 and 3; one by default)
//   BENCH_ONLY=4,6                     only the sections that print these rows (by number: 4 runs
//                                      rows 1, 4, 4b, 4c; 9 runs 8, 8c, 9, 9c; 12 runs 12a, 12b, 12c)
//
// Every server it needs (the sandbox tenant, `serve`, a bare node:http server) starts on
// 127.0.0.1 and stops at the end; no traffic leaves the machine; every loop is bounded.
// The pieces live in scripts/bench/: util (statistics, processes, table), sandbox (bundles
// src/sandbox for the bench), floor-client (the bare-fetch floor), tenant (rows 1-4, 8, 9, 11),
// sdk-cost (4b: the auth0 SDK's own time per request, which row 4 cannot shed),
// verify (5), serve + bare-server (6), startup + graph-* (7, 12), redaction (10), package (13).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { packAndInstall, packageRows, fileList } from './bench/package.mjs';
import { redactionRows } from './bench/redaction.mjs';
import { loadSandbox } from './bench/sandbox.mjs';
import { serveRow } from './bench/serve.mjs';
import { cliStartupRows, demoRow, libraryImportRows } from './bench/startup.mjs';
import { applyLimitedRow, applyUnlimitedRows, listRows, phoneProviderRows } from './bench/tenant.mjs';
import { Table, ensureBuilt, formatMs, root } from './bench/util.mjs';
import { verifyRow } from './bench/verify.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
/** @param {string} name @param {number} fallback */
const positive = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const RUNS = positive('BENCH_RUNS', QUICK ? 5 : 11);
const APPLY_RUNS = positive('BENCH_APPLY_RUNS', 1);
const DEMO_RUNS = QUICK ? 1 : Math.min(RUNS, 5);
const N = QUICK ? 50 : 200;
/** The row numbers asked for, or null for all. */
const ONLY = (() => {
  const raw = (process.env.BENCH_ONLY ?? '').trim();
  if (raw === '') return null;
  const ids = raw.split(',').map((id) => id.trim());
  const bad = ids.filter((id) => !/^\d+[a-z]?$/.test(id));
  if (bad.length > 0) {
    process.stderr.write(`bench: BENCH_ONLY: "${bad.join('", "')}" is not a row id; use row numbers such as 4,6 or 12a\n`);
    process.exit(2);
  }
  return new Set(ids.map((id) => id.replace(/[a-z]$/, '')));
})();
/** @param {readonly number[]} rows */
const wanted = (rows) => ONLY === null || rows.some((row) => ONLY.has(String(row)));

const started = performance.now();
const work = mkdtempSync(join(tmpdir(), 'a0sg-bench-'));
const cleanUp = () => rmSync(work, { recursive: true, force: true });
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

const table = new Table();
/**
 * One section: a failure is reported in its rows and the bench goes on. `rows` are the row
 * numbers it prints (BENCH_ONLY picks sections by them); by default the number of its id.
 * @param {string} id
 * @param {string} what
 * @param {() => Promise<void>} run
 * @param {readonly number[]} [rows]
 */
async function section(id, what, run, rows = [Number.parseInt(id, 10)]) {
  if (!wanted(rows)) return;
  ensureBuilt();
  try {
    await run();
  } catch (error) {
    table.failed(id, what, String(/** @type {Error} */ (error)?.stack ?? error));
  }
}

/** @type {import('./bench/package.mjs').Packed | undefined} */
let packed;
/** @type {import('./bench/sandbox.mjs').BenchSandboxes | undefined} */
let sandboxes;
try {
  process.stderr.write(`bench: ${QUICK ? 'quick mode, ' : ''}${RUNS} runs per pair, N = ${N}; rows print here as they finish, the table at the end\n`);
  await section(
    '13',
    'npm pack / install',
    async () => {
      packed = packAndInstall(work);
      packageRows(table, packed);
    },
    // Row 7 imports the packed tarball it installs.
    [13, 7],
  );
  await section('7', 'library import', () => libraryImportRows(table, { runs: RUNS, work, app: packed?.app ?? null }));
  await section('12', '--help / --version', () => cliStartupRows(table, { runs: RUNS, work }));
  await section('5', 'verifyGatewayRequest', () => verifyRow(table, RUNS));
  await section('6', '`serve` requests/s', () => serveRow(table, { runs: RUNS, work }));
  await section('10', 'redaction', () => redactionRows(table, { runs: RUNS, work }));

  if (wanted([1, 2, 3, 4, 8, 9, 11])) {
    try {
      sandboxes = await loadSandbox(work);
    } catch (error) {
      table.failed('1', 'the sandbox tenant (rows 1-4, 8, 9, 11)', String(/** @type {Error} */ (error)?.stack ?? error));
    }
  }
  const s = sandboxes;
  if (s !== undefined) {
    await section('8', '`list --json`', () => listRows(table, { runs: RUNS, work, sandboxes: s }), [8, 9]);
    await section('1', `apply, N = ${N}`, () => applyUnlimitedRows(table, { runs: RUNS, work, sandboxes: s, n: N }), [1, 4]);
    await section('11', '`phone-provider configure`', () => phoneProviderRows(table, { work, sandboxes: s }));
    await section('3', `apply, N = ${N}, 15 req/s`, () => applyLimitedRow(table, { work, sandboxes: s, n: N, runs: APPLY_RUNS, id: '3', limit: { perSecond: 15, burst: 15 } }));
    await section('2', `apply, N = ${N}, 2 req/s`, () => applyLimitedRow(table, { work, sandboxes: s, n: N, runs: APPLY_RUNS, id: '2', limit: { perSecond: 2, burst: 2 } }));
  }
  await section('12c', '`demo`', () => demoRow(table, { runs: DEMO_RUNS, work }), [12]);
} finally {
  await sandboxes?.stopAll();
  cleanUp();
}

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';
const order = (/** @type {string} */ id) => {
  const m = /^(\d+)([a-z]?)$/.exec(id);
  return m === null ? 1e6 : Number(m[1]) * 100 + (m[2] === '' || m[2] === undefined ? 0 : m[2].charCodeAt(0) - 96);
};
table.rows.sort((a, b) => order(a.id) - order(b.id));

console.log(`auth0-sms-gateway bench (commit ${commit}${dirty ? ' + uncommitted changes' : ''}, node ${process.version}, ${availableParallelism()} cores, load ${loadavg()[0]?.toFixed(2)})
${QUICK ? 'QUICK MODE: ' : ''}${ONLY === null ? '' : `ONLY the sections of rows ${[...ONLY].join(', ')}; `}N = ${N}; medians of ${RUNS} alternating runs of each thing and its floor; rate-limited apply ${APPLY_RUNS === 1 ? 'run once (BENCH_APPLY_RUNS repeats it)' : `median of ${APPLY_RUNS} runs`}; demo median of ${DEMO_RUNS}.

The sandbox's rate limit models Auth0's Management API limit, a token bucket: the bucket holds
"burst" tokens (x-ratelimit-limit) and refills at the sustained rate; every request takes one and a
request that finds less than one gets 429. Every answer carries x-ratelimit-limit, x-ratelimit-remaining
(whole tokens left) and x-ratelimit-reset (UNIX epoch seconds at which the bucket is full again). The
sandbox keeps one bucket over /api/v2 (Auth0 keeps several, per endpoint and global); /oauth/token is
not limited. Source: https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/management-api-endpoint-rate-limits
`);
console.log(table.render());
if (packed !== undefined) console.log(`\npacked files (${packed.files.length}):\n${fileList(packed)}`);
console.log(`\nbench took ${formatMs(performance.now() - started)}; ok / MISS are reported, not asserted.`);
