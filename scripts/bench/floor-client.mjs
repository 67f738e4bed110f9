// The bare-fetch floor of the CLI's Management API work, run as a child process like the CLI:
//   node floor-client.mjs plan.json
// with AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET and NODE_EXTRA_CA_CERTS set as for the
// CLI. It gets a token, then carries out the plan's steps in order with global fetch, reading
// and JSON-parsing every answer: no SDK, no schema, no pacing. Prints how many requests it made.
//
// A plan is { steps: Step[] }:
//   { kind: 'request', method, path, body? }  one request (path with its query)
//   { kind: 'pages', path, key }              checkpoint paging: path, then path&from=<next>, … until
//                                             an answer has no `next`; `key` names the list in the body
//   { kind: 'together', steps: Step[] }       these requests in flight at once
import { readFileSync } from 'node:fs';

/**
 * @typedef {{ kind: 'request', method: string, path: string, body?: unknown }
 *   | { kind: 'pages', path: string, key: string }
 *   | { kind: 'together', steps: Step[] }} Step
 */

const domain = process.env.AUTH0_DOMAIN ?? '';
const base = `https://${domain}`;
/** @type {{ steps: Step[] }} */
const plan = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
let count = 0;

const token = /** @type {{ access_token: string }} */ (
  await fetch(`${base}/oauth/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: process.env.AUTH0_CLIENT_ID ?? '',
    client_secret: process.env.AUTH0_CLIENT_SECRET ?? '',
    audience: `${base}/api/v2/`,
  }),
  }).then((r) => r.json())
);
count++;
const authorization = `Bearer ${token.access_token}`;

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
async function call(method, path, body) {
  count++;
  const response = await fetch(
    `${base}${path}`,
    body === undefined ? { method, headers: { authorization } } : { method, headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  const parsed = await response.json();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

/** @param {Step} step @returns {Promise<void>} */
async function run(step) {
  if (step.kind === 'request') {
    await call(step.method, step.path, step.body);
  } else if (step.kind === 'pages') {
    let page = await call('GET', step.path);
    while (typeof page.next === 'string' && Array.isArray(page[step.key])) page = await call('GET', `${step.path}&from=${encodeURIComponent(page.next)}`);
  } else {
    await Promise.all(step.steps.map(run));
  }
}

for (const step of plan.steps) await run(step);
process.stdout.write(`${count}\n`);
