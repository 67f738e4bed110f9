// Rows 1-4, 8, 9 and 11: the built CLI against the sandbox tenant, each command a child process
// exactly as a person runs it; requests are counted from the sandbox's own request log.
//
// Floors (rows 4, 8, 9) are floor-client.mjs, also a child process with the same environment,
// against the same sandbox (reset before every run, so both find the same tenant), alternating
// with the CLI. Child processes on both sides, rather than both in-process: the CLI's cost is
// what a user pays, start-up and module loading included, and the floor pays Node's start-up
// too, so the ratio is what the tool adds.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { nativeAwaitPlugin, REQUIRE_BANNER } from '../build.mjs';
import { apiRequests } from './sandbox.mjs';
import { alternate, bin, formatMs, median, root, runNode } from './util.mjs';

const FLOOR = join(root, 'scripts', 'bench', 'floor-client.mjs');
const SDK_FLOOR = join(root, 'scripts', 'bench', 'floor-sdk.mjs');
const SDK_COST = join(root, 'scripts', 'bench', 'sdk-cost.mjs');
const GW_SECRET = 'bench-gateway-secret-4d7e1a9c3f6b2e8d0a5c';
const GW_URL = 'https://sms.example.com/bench';

/** @typedef {import('./sandbox.mjs').Sandbox} Sandbox */
/** @typedef {import('./sandbox.mjs').RequestLogEntry} RequestLogEntry */
/** @typedef {import('./sandbox.mjs').BenchSandboxes} BenchSandboxes */

/**
 * An apply file switching every SMS connection of the sandbox to a gateway, by name.
 * @param {string} work
 * @param {readonly string[]} names
 */
function applyFile(work, names) {
  const file = join(work, `apply-${names.length}.yaml`);
  const entries = names.map((name) => `  - connection: ${name}\n    gateway_url: ${GW_URL}\n    authentication:\n      method: bearer\n      audience: urn:bench-gateway\n      secret: \${BENCH_GW_SECRET}\n`);
  writeFileSync(file, `connections:\n${entries.join('')}`);
  return file;
}

/** @param {RequestLogEntry} e */
const pathOf = (e) => {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(e.query)) for (const value of Array.isArray(v) ? v : [v]) query.append(k, value);
  const q = query.toString();
  return q === '' ? e.path : `${e.path}?${q}`;
};

/**
 * The floor's plan that replays a CLI run's Management API requests in the same order, bodies
 * included (its token request is the floor's own).
 * @param {readonly RequestLogEntry[]} log
 */
const replayPlan = (log) => ({ steps: apiRequests(log).map((e) => ({ kind: 'request', method: e.method, path: pathOf(e), body: e.method === 'GET' ? undefined : e.body })) });

/**
 * @param {string} work
 * @param {string} name
 * @param {unknown} plan
 */
function writePlan(work, name, plan) {
  const file = join(work, `plan-${name}.json`);
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

/**
 * A CLI run against its floor, alternating, each on a freshly reset tenant; medians.
 * @param {Sandbox} sandbox
 * @param {number} runs
 * @param {() => Promise<import('./util.mjs').RunResult>} cli
 * @param {() => Promise<import('./util.mjs').RunResult>} floor
 */
async function timeAgainstFloor(sandbox, runs, cli, floor) {
  const [a, f] = await alternate(
    runs,
    () => onFreshTenant(sandbox, cli),
    () => onFreshTenant(sandbox, floor),
  );
  return { ms: median(a.map((r) => r.ms)), floorMs: median(f.map((r) => r.ms)), floorStdout: f[0]?.stdout ?? '' };
}

/** @type {Map<string, Promise<string>>} */
const sdkBundles = new Map();

/**
 * A script that uses the SDK (floor-sdk.mjs, sdk-cost.mjs) bundled as scripts/build.mjs bundles
 * the CLI (one minified ESM file, Node 20, the same require shim, the SDK's async functions
 * native), so that it loads and runs the SDK as the CLI does, not file by file from
 * node_modules. Each built once per bench run.
 * @param {string} entry
 * @param {string} work
 * @returns {Promise<string>}
 */
function bundledLikeCli(entry, work) {
  let bundle = sdkBundles.get(entry);
  if (bundle === undefined) {
    bundle = (async () => {
      const outfile = join(work, basename(entry).replace(/\.mjs$/, '.bundle.mjs'));
      await build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        minify: true,
        banner: REQUIRE_BANNER,
        plugins: [nativeAwaitPlugin()],
        logLevel: 'error',
      });
      return outfile;
    })();
    sdkBundles.set(entry, bundle);
  }
  return bundle;
}

/**
 * A row (no verdict) comparing a CLI run with the SDK floor running the same plan: how much of the
 * ratio to bare fetch is the CLI's own work, and how much is the SDK it is built on.
 * @param {import('./util.mjs').Table} table
 * @param {{ id: string, what: string, runs: number, work: string, sandbox: Sandbox, env: NodeJS.ProcessEnv, cli: () => Promise<import('./util.mjs').RunResult>, plan: string }} options
 */
async function sdkFloorRow(table, { id, what, runs, work, sandbox, env, cli, plan }) {
  const bundle = await bundledLikeCli(SDK_FLOOR, work);
  const { ms, floorMs, floorStdout } = await timeAgainstFloor(sandbox, runs, cli, () => runNode([bundle, plan], { env, capture: true }));
  table.add({
    id,
    what,
    now: formatMs(ms),
    floor: `${formatMs(floorMs)} (the SDK, same ${floorStdout.trim()} requests)`,
    ratio: ms / floorMs,
    goal: '(for the team)',
    note: `what the CLI adds to the SDK it is built on: the floor is scripts/bench/floor-sdk.mjs, bundled and minified like the CLI, the same plan through the SDK's ConnectionsClient (client credentials, retries off) and nothing else; its own alternating runs`,
  });
}

/**
 * @param {Sandbox} sandbox
 * @param {() => Promise<import('./util.mjs').RunResult>} run
 * @returns {Promise<{ ms: number, log: RequestLogEntry[], stdout: string }>}
 */
async function onFreshTenant(sandbox, run) {
  await sandbox.idle();
  sandbox.reset();
  const r = await run();
  await sandbox.idle();
  return { ms: r.ms, log: [...sandbox.requests], stdout: r.stdout };
}

/**
 * Rows 1 and 4: apply of N connections, unlimited tenant.
 * @param {import('./util.mjs').Table} table
 * @param {{ runs: number, work: string, sandboxes: BenchSandboxes, n: number }} options
 */
export async function applyUnlimitedRows(table, { runs, work, sandboxes, n }) {
  const sandbox = await sandboxes.start({ connections: sandboxes.mod.generateConnections(n, 1) });
  try {
    const env = sandboxes.env(sandbox, { BENCH_GW_SECRET: GW_SECRET });
    const file = applyFile(work, sandbox.connections().map((c) => c.name));
    const cli = () => runNode([bin, 'apply', '-f', file, '--yes', '--no-backup'], { env });
    const first = await onFreshTenant(sandbox, cli);
    const budget = 2 * n + Math.ceil(n / 100) + 2;
    const count = first.log.length;
    const patches = first.log.filter((e) => e.method === 'PATCH').length;
    const pages = first.log.filter((e) => e.method === 'GET' && e.path === '/api/v2/connections').length;
    table.add({
      id: '1',
      what: `apply, N = ${n} by name: requests`,
      now: String(count),
      floor: `${budget} budget (2N + ceil(N/100) + 2)`,
      ratio: count / budget,
      goal: '<= budget',
      meets: count <= budget,
      note: `token ${first.log.filter((e) => e.path === '/oauth/token').length}, pages ${pages}, re-reads ${first.log.filter((e) => e.method === 'GET' && e.path.startsWith('/api/v2/connections/')).length}, PATCHes ${patches}, other ${count - 1 - pages - 2 * patches}`,
    });

    const plan = writePlan(work, 'apply', replayPlan(first.log));
    const { ms, floorMs, floorStdout } = await timeAgainstFloor(sandbox, runs, cli, () => runNode([FLOOR, plan], { env, capture: true }));
    const floorCount = Number(floorStdout.trim());
    const ratio = ms / floorMs;
    table.add({
      id: '4',
      what: `apply, N = ${n}, no limit`,
      now: formatMs(ms),
      floor: `${formatMs(floorMs)} (bare fetch, same ${floorCount} requests)`,
      ratio,
      goal: '<= 1.3x',
      meets: ratio <= 1.3,
      note: `both child processes against the same sandbox, reset before each run; the floor replays the CLI's requests in its order, bodies included, one at a time; apply sends each connection's re-read while the previous connection's PATCH is in flight (the pages go one at a time in both: each needs the previous one's checkpoint)`,
    });

    // Row 4b: how much of row 4's excess is the SDK's own work per request (no verdict).
    const rounds = n;
    const sdkCost = await bundledLikeCli(SDK_COST, work);
    const costOf = (/** @type {string} */ mode) => async () => {
      const r = await onFreshTenant(sandbox, () => runNode([sdkCost, mode, String(rounds)], { env, capture: true }));
      return /** @type {{ ms: number }} */ (JSON.parse(r.stdout)).ms / (2 * rounds);
    };
    const [sdk, bare] = await alternate(runs, costOf('sdk'), costOf('bare'));
    const sdkMs = median(sdk);
    const bareMs = median(bare);
    const apiRequests = count - 1;
    const sdkShare = (sdkMs - bareMs) * apiRequests;
    table.add({
      id: '4b',
      what: 'of row 4: the auth0 SDK, per request',
      now: `${formatMs(sdkMs)}/request`,
      floor: `${formatMs(bareMs)}/request (bare fetch, in process)`,
      ratio: sdkMs / bareMs,
      goal: '(explains row 4)',
      note: `GET + PATCH of one connection, ${rounds} rounds after 10 warm-up rounds, in one process (scripts/bench/sdk-cost.mjs): the SDK adds ${formatMs(sdkMs - bareMs)} per request, ${formatMs(sdkShare)} over row 4's ${apiRequests} Management API requests, ${((100 * sdkShare) / Math.max(1, ms - floorMs)).toFixed(0)} % of its excess (${formatMs(ms - floorMs)}); 1.3x leaves ${formatMs(0.3 * floorMs)} for everything`,
    });
    await sdkFloorRow(table, { id: '4c', what: `apply, N = ${n}, vs the SDK alone`, runs, work, sandbox, env, cli, plan });
  } finally {
    await sandboxes.stop(sandbox);
  }
}

/**
 * Rows 2 and 3: apply of N connections against the sandbox's token bucket. One run is meaningful:
 * the verdict is a rate against the limiter's own capacity over the same window, not a time.
 * @param {import('./util.mjs').Table} table
 * @param {{ work: string, sandboxes: BenchSandboxes, n: number, runs: number, id: string, limit: { perSecond: number, burst: number } }} options
 */
export async function applyLimitedRow(table, { work, sandboxes, n, runs, id, limit }) {
  const sandbox = await sandboxes.start({ connections: sandboxes.mod.generateConnections(n, 1) });
  try {
    const env = sandboxes.env(sandbox, { BENCH_GW_SECRET: GW_SECRET });
    const file = applyFile(work, sandbox.connections().map((c) => c.name));
    /** @type {{ pct: number, refused: number, accepted: number, allowed: number, windowS: number, wallMs: number, code: number | null }[]} */
    const results = [];
    for (let i = 0; i < runs; i++) {
      await sandbox.idle();
      sandbox.reset();
      // A new limit starts with a full bucket.
      sandbox.setRateLimit(limit);
      const r = await runNode([bin, 'apply', '-f', file, '--yes', '--no-backup'], { env, allowFailure: true });
      await sandbox.idle();
      const api = apiRequests(sandbox.requests);
      const refused = api.filter((e) => e.status === 429).length;
      const accepted = api.length - refused;
      const first = api[0]?.at ?? 0;
      const last = api[api.length - 1]?.at ?? 0;
      const windowS = (last - first) / 1000;
      // The most a client can get through the bucket between its first and last request.
      const allowed = limit.burst + limit.perSecond * windowS;
      results.push({ pct: accepted / allowed, refused, accepted, allowed, windowS, wallMs: r.ms, code: r.code });
    }
    const pct = median(results.map((r) => r.pct));
    const refused = median(results.map((r) => r.refused));
    const mid = results[Math.floor(results.length / 2)] ?? results[0];
    if (mid === undefined) return;
    const failed = results.filter((r) => r.code !== 0).length;
    const wantRefused = id === '2';
    table.add({
      id,
      what: `apply, N = ${n}, limit ${limit.perSecond} req/s burst ${limit.burst}`,
      now: `${mid.accepted} accepted in ${mid.windowS.toFixed(1)} s, ${refused} x 429`,
      floor: `${mid.allowed.toFixed(0)} allowed (burst + rate x window)`,
      ratio: pct,
      ratioText: `${(pct * 100).toFixed(1)} %`,
      goal: wantRefused ? '>= 90 %, < 30 x 429' : '>= 90 %',
      meets: pct >= 0.9 && (!wantRefused || refused < 30) && failed === 0,
      note: `${runs === 1 ? 'one run (BENCH_APPLY_RUNS repeats it)' : `median of ${runs} runs`}; wall time ${formatMs(mid.wallMs)}; % = accepted /api/v2 requests / (burst + rate x time from the first to the last request)${failed === 0 ? '' : `; ${failed} run(s) exited non-zero`}`,
    });
  } finally {
    await sandboxes.stop(sandbox);
  }
}

/**
 * Rows 8 and 9: list --json against token + paging with bare fetch.
 * @param {import('./util.mjs').Table} table
 * @param {{ runs: number, work: string, sandboxes: BenchSandboxes }} options
 */
export async function listRows(table, { runs, work, sandboxes }) {
  const plan = writePlan(work, 'list', { steps: [{ kind: 'pages', path: '/api/v2/connections?strategy=sms&take=100', key: 'connections' }] });
  // 10,000 connections of which 3,000 SMS: generateConnections makes every third one SMS (3,334); the last 334 become email connections.
  const big = sandboxes.mod.generateConnections(10_000, 3);
  let sms = 0;
  for (const c of big) {
    if (c.strategy !== 'sms') continue;
    if (++sms <= 3000) continue;
    c.strategy = 'email';
    c.options = { name: c.name, syntax: 'liquid', template: '{{ code }}' };
  }
  for (const [id, what, connections] of /** @type {const} */ ([
    ['8', '`list --json`, seed tenant', undefined],
    ['9', '`list --json`, 10,000 connections (3,000 SMS)', big],
  ])) {
    const sandbox = await sandboxes.start(connections === undefined ? {} : { connections });
    try {
      const env = sandboxes.env(sandbox);
      const cli = () => runNode([bin, 'list', '--json'], { env, capture: true });
      const floor = () => runNode([FLOOR, plan], { env, capture: true });
      const probe = await onFreshTenant(sandbox, cli);
      const rows = JSON.parse(probe.stdout).length;
      const probeFloor = await onFreshTenant(sandbox, floor);
      const { ms, floorMs } = await timeAgainstFloor(sandbox, runs, cli, floor);
      const ratio = ms / floorMs;
      table.add({
        id,
        what,
        now: formatMs(ms),
        floor: `${formatMs(floorMs)} (bare fetch: token + ${probeFloor.log.length - 1} GET)`,
        ratio,
        goal: '<= 1.3x',
        meets: ratio <= 1.3,
        note: `the CLI made ${probe.log.length} requests (${probe.log.map((e) => `${e.method} ${e.path}`).filter((v, i, all) => all.indexOf(v) === i).join(', ')}), listed ${rows} connections`,
      });
      await sdkFloorRow(table, { id: `${id}c`, what: `${what}, vs the SDK alone`, runs, work, sandbox, env, cli, plan });
    } finally {
      await sandboxes.stop(sandbox);
    }
  }
}

/**
 * Row 11: phone-provider configure on an empty Unified Phone tenant (the create path), then
 * again with the same settings (the no-change path), against the least the flow can do.
 * @param {import('./util.mjs').Table} table
 * @param {{ work: string, sandboxes: BenchSandboxes }} options
 */
export async function phoneProviderRows(table, { sandboxes }) {
  const sandbox = await sandboxes.start({ tenant: { phoneConsolidatedExperience: true } });
  try {
    const env = sandboxes.env(sandbox, { BENCH_GW_SECRET: GW_SECRET });
    const args = [bin, 'phone-provider', 'configure', '--gateway-url', GW_URL, '--auth', 'bearer', '--audience', 'urn:bench-gateway', '--secret-env', 'BENCH_GW_SECRET', '--yes', '--no-backup'];
    await sandbox.idle();
    sandbox.reset();
    const create = await runNode(args, { env, allowFailure: true });
    await sandbox.idle();
    const createLog = [...sandbox.requests];
    const again = await runNode(args, { env, allowFailure: true });
    await sandbox.idle();
    const againLog = sandbox.requests.slice(createLog.length);
    const isPoll = (/** @type {RequestLogEntry} */ e) => e.method === 'GET' && /^\/api\/v2\/actions\/actions\/[^/]+$/.test(e.path);
    const describe = (/** @type {RequestLogEntry[]} */ log) => log.filter((e) => !isPoll(e)).map((e) => `${e.method} ${e.path.replace('/api/v2', '').replace(/\/actions\/actions\/[^/]+/, '/actions/actions/{id}').replace(/\/providers\/[^/]+/, '/providers/{id}')}`);
    // Minimum: the token; reads of tenant settings, provider, the trigger's Actions, its
    // bindings; writes create Action, deploy, bind, create provider; the same four reads back.
    // Build polls (GET of the Action until built, then until deployed) are counted apart: at
    // least one must see the build finished before the deploy.
    const MIN_CREATE = 1 + 4 + 4 + 4;
    const MIN_NOCHANGE = 1 + 4;
    const createCount = createLog.filter((e) => !isPoll(e)).length;
    const polls = createLog.filter(isPoll).length;
    const againCount = againLog.length;
    const againWrites = againLog.filter((e) => e.method !== 'GET' && e.path !== '/oauth/token').length;
    table.add({
      id: '11a',
      what: '`phone-provider configure` requests, create path',
      now: create.code === 0 ? `${createCount} + ${polls} build polls` : `exit ${create.code}`,
      floor: `${MIN_CREATE} + >= 1 poll (token, 4 reads, 4 writes, 4 read back)`,
      ratio: createCount / MIN_CREATE,
      goal: `${MIN_CREATE} + polls`,
      meets: create.code === 0 && createCount <= MIN_CREATE,
      note: `${describe(createLog).join(', ')}${create.code === 0 ? '' : `; stderr: ${create.stderr.trim().split('\n').slice(-1)[0]}`}`,
    });
    table.add({
      id: '11b',
      what: '`phone-provider configure` requests, no change',
      now: again.code === 0 ? `${againCount} (${againWrites} writes)` : `exit ${again.code}`,
      floor: `${MIN_NOCHANGE} (token, 4 reads)`,
      ratio: againCount / MIN_NOCHANGE,
      goal: `${MIN_NOCHANGE}, no write`,
      meets: again.code === 0 && againCount <= MIN_NOCHANGE && againWrites === 0,
      note: describe(againLog).join(', '),
    });
  } finally {
    await sandboxes.stop(sandbox);
  }
}
