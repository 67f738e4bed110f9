// Row 10: redaction with 10,000 distinct secrets registered, over one large --json document.
//
// Measured in-process on built code: src/core/redact.ts and src/ui/output.ts built by
// scripts/build.mjs with the settings the CLI ships with, into the bench's work folder, and
// imported. A CLI run cannot register 10,000 secrets without a tenant
// that holds them, and its wall time would bury the redaction under start-up and requests.
// Three numbers, each against JSON.stringify(document, null, 2), the floor of printing it:
//   a. Output.printJson(document): what a --json run does (redaction by key and by shape);
//   b. redactText(the document's text) with the secrets in it: what every line for people,
//      trace and error message goes through (redaction by value), the matcher rebuilt first
//      (one new secret registered) as after a run's reads;
//   c. as b, but the 10,000 secrets share their first characters, as keys of one vendor do
//      (`sk_live_…`, `whsec_…`, the sandbox's `sbx-client-secret-…`).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCli } from '../build.mjs';
import { alternate, formatMs, median } from './util.mjs';

/**
 * src/core/redact.ts and src/ui/output.ts, built into `dir` by scripts/build.mjs with the
 * settings the CLI ships with (minified, split), and imported.
 * @param {string} dir
 * @returns {Promise<{ registerSecret: (value: string) => void, redactText: (text: string) => string, Output: any }>}
 */
export async function builtRedaction(dir) {
  await buildCli({ outdir: dir, entryPoints: { redact: 'src/core/redact.ts', output: 'src/ui/output.ts' } });
  const redact = await import(pathToFileURL(join(dir, 'redact.js')).href);
  const output = await import(pathToFileURL(join(dir, 'output.js')).href);
  return { registerSecret: redact.registerSecret, redactText: redact.redactText, Output: output.Output };
}

/**
 * An apply --json report of `count` connections, shaped as src/commands/apply.ts prints it.
 * `secretAt(i)`, when given, puts a raw secret in the i-th result (for the by-value text).
 * @param {number} count
 * @param {(i: number) => string} [secretAt]
 */
function applyReport(count, secretAt) {
  return {
    dryRun: false,
    changesPending: false,
    results: Array.from({ length: count }, (_, i) => {
      const name = `sms-${String(i + 1).padStart(5, '0')}`;
      return {
        connection: { id: `con_Generated${String(i + 1).padStart(7, '0')}`, name },
        changed: true,
        diff: [
          { path: 'options.provider', kind: 'added', before: null, after: 'sms_gateway' },
          { path: 'options.gateway_url', kind: 'added', before: null, after: `https://sms.example.com/v1/messages?tenant=${name}` },
          { path: 'options.gateway_authentication.method', kind: 'added', before: null, after: 'bearer' },
          { path: 'options.gateway_authentication.audience', kind: 'added', before: null, after: 'urn:bench-gateway' },
          { path: 'options.gateway_authentication.secret', kind: 'added', before: null, after: secretAt === undefined ? '[redacted]' : secretAt(i) },
          { path: 'options.twilio_sid', kind: 'removed', before: 'AC5f3e9a1c7b2d8e4f6a0c3b9d1e7f2a5c', after: null },
          { path: 'options.twilio_token', kind: 'removed', before: '[redacted]', after: null },
        ],
        backup: `/home/someone/.local/state/auth0-sms-gateway/backups/acme.eu.auth0.com_con_Generated${String(i + 1).padStart(7, '0')}_2026-01-01T00-00-00-000Z.json`,
        warnings: [],
        error: null,
      };
    }),
    phoneProvider: null,
  };
}

/** @param {import('./util.mjs').Table} table @param {{ runs: number, work: string, secrets?: number, connections?: number }} options */
export async function redactionRows(table, { runs, work, secrets = 10_000, connections = 200 }) {
  const { registerSecret, redactText, Output } = await builtRedaction(join(work, 'redaction-build'));
  const random = Array.from({ length: secrets }, () => randomBytes(24).toString('base64url'));
  const shared = Array.from({ length: secrets }, (_, i) => `sk_live_${String(i).padStart(5, '0')}${randomBytes(12).toString('base64url')}`);
  const doc = applyReport(connections);
  /** @param {string[]} list */
  const textWith = (list) => JSON.stringify(applyReport(connections, (i) => /** @type {string} */ (list[(i * 3) % list.length])), null, 2);
  const randomText = textWith(random);
  const sharedText = textWith(shared);
  let written = 0;
  const io = { stdout: { write: (/** @type {string} */ t) => (written += t.length) }, stderr: { write: () => true }, stdin: process.stdin, env: {} };

  const floor = async () => {
    const start = performance.now();
    written += JSON.stringify(doc, null, 2).length;
    return performance.now() - start;
  };
  const printJson = async () => {
    const start = performance.now();
    new Output(io, { color: false, json: true, verbose: false }).printJson(doc);
    return performance.now() - start;
  };
  let fresh = 0;
  /** @param {string} text @param {string} probe a secret the text holds */
  const byValue = (text, probe) => async () => {
    registerSecret(`bench-fresh-secret-${fresh++}-${randomBytes(8).toString('hex')}`);
    const start = performance.now();
    const out = redactText(text);
    const ms = performance.now() - start;
    if (!text.includes(probe) || out.includes(probe)) throw new Error('redactText left a registered secret in the text');
    return ms;
  };

  for (const s of random) registerSecret(s);
  await printJson();
  await floor();
  const [a, fa] = await alternate(runs, printJson, floor);
  const [b, fb] = await alternate(runs, byValue(randomText, /** @type {string} */ (random[0])), floor);
  for (const s of shared) registerSecret(s);
  const [c, fc] = await alternate(runs, byValue(sharedText, /** @type {string} */ (shared[0])), floor);

  const kB = (/** @type {number} */ n) => `${(n / 1000).toFixed(0)} kB`;
  for (const [id, what, values, floors, note] of /** @type {const} */ ([
    ['10a', `printJson, ${secrets.toLocaleString('en')} secrets registered`, a, fa, `an apply --json report of ${connections.toLocaleString('en')} connections (${kB(JSON.stringify(doc, null, 2).length)}), by key and by shape`],
    ['10b', `redactText of that document, ${secrets.toLocaleString('en')} secrets`, b, fb, `the by-value path (messages, traces), ${connections.toLocaleString('en')} secrets in the text, matcher rebuilt each time`],
    ['10c', `as 10b, secrets sharing a prefix (sk_live_…)`, c, fc, `${(2 * secrets).toLocaleString('en')} secrets registered, ${secrets.toLocaleString('en')} of them starting sk_live_`],
  ])) {
    const ms = median(values);
    const f = median(floors);
    table.add({ id, what, now: formatMs(ms), floor: `${formatMs(f)} (JSON.stringify of it)`, ratio: ms / f, goal: '< 50 ms', meets: ms < 50, note });
  }
}
