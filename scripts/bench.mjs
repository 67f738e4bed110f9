// npm run bench: start-up, request and footprint numbers as ratios against their floors.
// Medians of RUNS runs each; prints a table. Not a test: budgets are reported, never asserted.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'auth0-sms-gateway.js');
const work = mkdtempSync(join(tmpdir(), 'a0sg-bench-'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function timeRun(args, env = process.env) {
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(timeOnce(args, env));
  return median(times);
}
/** Medians of a command and its floor, run alternately so that load on the machine hits both alike. */
function timePair(args, floorArgs, env = process.env) {
  const a = [];
  const b = [];
  for (let i = 0; i < RUNS; i++) {
    a.push(timeOnce(args, env));
    b.push(timeOnce(floorArgs, env));
  }
  return [median(a), median(b)];
}
function timeOnce(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
function dirSize(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

const rows = [];
const row = (what, value, floor, ratio, budget) => rows.push({ what, value, floor, ratio, budget });

// 1. --help against an empty script: the floor of any Node CLI.
const empty = join(work, 'empty.mjs');
writeFileSync(empty, '');
timeRun([empty]); // warm the file cache
const [helpMs, emptyMs] = timePair([bin, '--help'], [empty]);
row('--help wall time', `${helpMs.toFixed(0)} ms`, `${emptyMs.toFixed(0)} ms (empty .mjs)`, helpMs / emptyMs, '<= 1.3');

// 2. list against the sandbox, against a bare script making the same two HTTPS requests.
const demo = spawn(process.execPath, [bin, 'demo', '--keep-running'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
let demoErr = '';
const envFile = await new Promise((resolve, reject) => {
  demo.stderr.on('data', (d) => {
    demoErr += d;
    const m = demoErr.match(/source (\S+demo\.env)/);
    if (m) resolve(m[1]);
  });
  demo.on('close', () => reject(new Error(`demo --keep-running stopped: ${demoErr}`)));
});
const demoEnv = Object.fromEntries(
  readFileSync(envFile, 'utf8').trim().split('\n').map((l) => {
    const m = l.match(/^export (\w+)='(.*)'$/);
    return [m[1], m[2]];
  }),
);
const env = { ...process.env, ...demoEnv };
const floorScript = join(work, 'floor.mjs');
writeFileSync(
  floorScript,
  `const d = process.env.AUTH0_DOMAIN;
const t = await fetch('https://' + d + '/oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: process.env.AUTH0_CLIENT_ID, client_secret: process.env.AUTH0_CLIENT_SECRET, audience: 'https://' + d + '/api/v2/' }) }).then((r) => r.json());
const r = await fetch('https://' + d + '/api/v2/connections?strategy=sms&take=100', { headers: { authorization: 'Bearer ' + t.access_token } });
process.stdout.write(String((await r.json()).connections.length));
`,
);
timeRun([floorScript], env);
const [listMs, floorMs] = timePair([bin, 'list', '--json'], [floorScript], env);
row('list wall time', `${listMs.toFixed(0)} ms`, `${floorMs.toFixed(0)} ms (2 fetch calls)`, listMs / floorMs, '<= 1.6');

// 3. Management API requests of configure (by id, then by name), counted from --verbose traces.
const count = (args) => {
  const r = spawnSync(process.execPath, [bin, ...args, '--verbose'], { env: { ...env, NO_COLOR: '1' }, encoding: 'utf8' });
  return (r.stderr.match(/^(GET|POST|PATCH) \S+ -> /gm) ?? []).length;
};
const id = JSON.parse(execFileSync(process.execPath, [bin, 'list', '--json'], { env }).toString())[0].id;
const byId = count(['configure', id, '--gateway-url', 'https://sms.example.com/bench', '--yes', '--no-backup']);
const byName = count(['configure', 'sms', '--gateway-url', 'https://sms.example.com/bench2', '--yes', '--no-backup']);
row('configure requests (by id / by name)', `${byId} / ${byName}`, 'token + read + re-read + PATCH', byId / 4, '<= 1 (4 by id, 5 by name)');
demo.kill('SIGINT');
await new Promise((resolve) => demo.on('close', resolve));

// 4. Footprint: packed tarball, installed size, packages pulled by `npm install <tarball>`.
execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: root, stdio: 'ignore' });
const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
const app = join(work, 'app');
execFileSync('mkdir', ['-p', app]);
writeFileSync(join(app, 'package.json'), '{"name":"bench","private":true}');
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(work, tarball)], { cwd: app, stdio: 'ignore' });
const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
const packages = Object.keys(lock.packages).filter((p) => p !== '').length;
const installed = dirSize(join(app, 'node_modules'));
row('packed tarball', `${(statSync(join(work, tarball)).size / 1024).toFixed(0)} kB`, '', NaN, '');
row('installed size', `${(installed / 1e6).toFixed(2)} MB`, '5 MB budget', installed / 5e6, '<= 1');
row('installed packages', String(packages), '10 budget', packages / 10, '<= 1');

// 5. demo wall time.
const demoMs = timeRun([bin, 'demo'], { ...process.env, NO_COLOR: '1' });
row('demo wall time', `${(demoMs / 1000).toFixed(2)} s`, '10 s budget', demoMs / 10000, '<= 1');

rmSync(work, { recursive: true, force: true });
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
console.log(`auth0-sms-gateway bench (commit ${commit}, node ${process.version}, medians of ${RUNS} runs)\n`);
const w = (s, n) => String(s).padEnd(n);
console.log(`${w('measure', 38)}${w('value', 14)}${w('floor / budget', 34)}${w('ratio', 8)}target`);
for (const r of rows) console.log(`${w(r.what, 38)}${w(r.value, 14)}${w(r.floor, 34)}${w(Number.isNaN(r.ratio) ? '' : r.ratio.toFixed(2), 8)}${r.budget}`);
