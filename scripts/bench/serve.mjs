// Row 6: requests per second of `serve` (the built CLI's reference gateway: bearer JWT checked,
// payload checked, message printed) against a bare node:http JSON server, both child processes
// on 127.0.0.1, driven from this process by a keep-alive client loop with a bounded number of
// requests, alternating blocks, medians. Each request carries the same valid token (the
// verifier still checks the signature and claims every time) and the same body. See load()
// for why the client is not fetch.
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { GATEWAY, PAYLOAD, benchToken } from './verify.mjs';
import { alternate, bin, cleanEnv, median, root } from './util.mjs';

/**
 * Starts a server as a child process and waits for the URL it prints on stderr.
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<{ url: string, pid: number, stop: () => Promise<void> }>}
 */
export function startServerProcess(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let started = false;
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`node ${args.join(' ')} did not start listening in 20 s:\n${err}`));
    }, 20_000);
    child.stderr.on('data', (chunk) => {
      if (started) return;
      err = (err + chunk).slice(-8192);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m === null) return;
      started = true;
      clearTimeout(timer);
      const exited = new Promise((done) => child.once('close', done));
      resolve({
        url: /** @type {string} */ (m[1]),
        pid: /** @type {number} */ (child.pid),
        stop: async () => {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`node ${args.join(' ')} exited ${code} before listening:\n${err}`));
    });
  });
}

/**
 * POSTs `total` requests over `concurrency` keep-alive connections, one request at a time on
 * each (no pipelining, as Auth0 sends them); resolves to requests per second and the number of
 * answers other than 200. A minimal HTTP/1.1 client on node:net with the request bytes made
 * once: it costs this process far less per request than fetch (undici) or node:http's client,
 * so that on a two-core machine the servers, not the client, set the pace. It reads answers by
 * their content-length (both servers send one); a block that takes over a minute fails.
 * @param {string} url
 * @param {{ total: number, concurrency: number, headers: Record<string, string>, body: string }} options
 * @returns {Promise<{ perSecond: number, failures: number }>}
 */
export async function load(url, options) {
  const target = new URL(url);
  const body = Buffer.from(options.body);
  const extra = Object.entries(options.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const head = `POST ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n${extra}\r\n`;
  const requestBytes = Buffer.concat([Buffer.from(head, 'latin1'), body]);
  let sent = 0;
  let failures = 0;
  /** @type {import('node:net').Socket[]} */
  const sockets = [];
  /** @returns {Promise<void>} */
  const connection = () =>
    new Promise((resolve, reject) => {
      const socket = connect(Number(target.port), target.hostname);
      sockets.push(socket);
      socket.setNoDelay(true);
      let buffered = Buffer.alloc(0);
      const next = () => {
        if (sent >= options.total) {
          socket.end();
          resolve();
          return;
        }
        sent++;
        socket.write(requestBytes);
      };
      socket.on('connect', next);
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('the server closed a keep-alive connection')));
      socket.on('data', (chunk) => {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        for (;;) {
          const end = buffered.indexOf('\r\n\r\n');
          if (end === -1) return;
          const headers = buffered.toString('latin1', 0, end);
          const length = /\r\ncontent-length: *(\d+)/i.exec(headers);
          if (length === null) {
            reject(new Error(`an answer without content-length: ${headers.split('\r\n')[0]}`));
            socket.destroy();
            return;
          }
          const size = end + 4 + Number(length[1]);
          if (buffered.length < size) return;
          if (!headers.startsWith('HTTP/1.1 200 ')) failures++;
          buffered = buffered.subarray(size);
          next();
        }
      });
    });
  const start = performance.now();
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  try {
    await Promise.race([
      Promise.all(Array.from({ length: options.concurrency }, connection)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${options.total} requests to ${url} took over 60 s`)), 60_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    for (const socket of sockets) socket.destroy();
  }
  return { perSecond: options.total / ((performance.now() - start) / 1000), failures };
}

/**
 * Pins the servers to the last CPU and this process (the client) to the first, with taskset
 * (Linux, two or more CPUs). Unpinned, the scheduler puts a server and the client on one CPU
 * or on two as it likes, and keeps a process's placement: the same bare server measured 27 to
 * 52 µs of CPU a request from one process to the next, so one pair of processes gave a ratio
 * anywhere from 0.48x to 0.61x. Returns a note, and a function that undoes this process's pin.
 * @param {number[]} serverPids
 * @returns {{ note: string, undo: () => void }}
 */
export function pinProcesses(serverPids) {
  const cpus = availableParallelism();
  const taskset = (/** @type {string[]} */ args) => spawnSync('taskset', args, { stdio: 'ignore' }).status === 0;
  if (process.platform !== 'linux' || cpus < 2 || !taskset(['-a', '-p', '-c', '0', String(process.pid)])) {
    return { note: 'not pinned (needs Linux, taskset and 2 CPUs): expect more noise', undo: () => undefined };
  }
  const last = String(cpus - 1);
  const pinned = serverPids.every((pid) => taskset(['-a', '-p', '-c', last, String(pid)]));
  return {
    note: pinned ? `servers pinned to CPU ${last}, the client to CPU 0 (taskset)` : 'not pinned (taskset failed for a server): expect more noise',
    undo: () => void taskset(['-a', '-p', '-c', `0-${last}`, String(process.pid)]),
  };
}

/**
 * @param {import('./util.mjs').Table} table
 * @param {{ runs: number, work: string, total?: number }} options
 */
export async function serveRow(table, { runs, work, total = 5000 }) {
  const token = await benchToken();
  const serve = await startServerProcess([bin, 'serve', '--port', '0', '--auth', 'bearer', '--audience', GATEWAY.audience, '--subject', GATEWAY.subject, '--secret-env', 'BENCH_GW_SECRET'], cleanEnv(work, { BENCH_GW_SECRET: GATEWAY.secret }));
  const bare = await startServerProcess([join(root, 'scripts', 'bench', 'bare-server.mjs')], cleanEnv(work));
  const pinning = pinProcesses([serve.pid, bare.pid]);
  try {
    const concurrency = 8;
    const shot = (/** @type {string} */ url) => () => load(`${url}/sms`, { total, concurrency, headers: { authorization: `Bearer ${token}` }, body: PAYLOAD });
    // Warm both servers (JIT) before measuring: their first blocks are much slower.
    for (let i = 0; i < 3; i++) {
      await shot(serve.url)();
      await shot(bare.url)();
    }
    const [s, b] = await alternate(runs, shot(serve.url), shot(bare.url));
    const failures = s.reduce((n, r) => n + r.failures, 0) + b.reduce((n, r) => n + r.failures, 0);
    const served = median(s.map((r) => r.perSecond));
    const floor = median(b.map((r) => r.perSecond));
    const ratio = served / floor;
    table.add({
      id: '6',
      what: '`serve` requests/s',
      now: `${served.toFixed(0)} req/s`,
      floor: `${floor.toFixed(0)} req/s (bare node:http JSON)`,
      ratio,
      goal: '>= 0.6x',
      meets: ratio >= 0.6,
      note: `${runs} alternating blocks of ${total} POSTs each, ${concurrency} keep-alive connections, a minimal HTTP/1.1 client on node:net (fetch would be the bottleneck); ${pinning.note}${failures === 0 ? '' : `; ${failures} answers were not 200`}`,
    });
  } finally {
    pinning.undo();
    await Promise.all([serve.stop(), bare.stop()]);
  }
}
