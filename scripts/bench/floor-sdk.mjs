// The auth0 SDK floor of the CLI's connection requests (rows 4c and 9c): floor-client.mjs's plan
// carried out through the SDK's ConnectionsClient instead of bare fetch, set up as
// src/auth0/client.ts sets it up (createManagementAuth with client credentials, retries off), and
// nothing else: no schema, no pacer, no output. The bench bundles it with esbuild the way
// scripts/build.mjs bundles the CLI, so that both load the same SDK code from one minified file:
//   node floor-sdk.bundle.mjs plan.json
// with the CLI's environment. Prints how many requests it made. Only the steps the bench's
// connection plans hold are known: GET /api/v2/connections?…, GET and PATCH
// /api/v2/connections/{id}, 'pages' of /api/v2/connections, and GET /api/v2/tenants/settings?…
// (apply reads the tenant setting for what it says of routes).
import { readFileSync } from 'node:fs';
import { ConnectionsClient } from 'auth0/connections';
import { createManagementAuth } from 'auth0/management';
import { SettingsClient } from 'auth0/tenants/settings';

/** @typedef {import('./floor-client.mjs').Step} Step */

const domain = process.env.AUTH0_DOMAIN ?? '';
/** @type {{ steps: Step[] }} */
const plan = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
let count = 0;
/** @type {typeof fetch} */
const counting = (input, init) => {
  count++;
  return fetch(input, init);
};
const auth = createManagementAuth({ domain, clientId: process.env.AUTH0_CLIENT_ID ?? '', clientSecret: process.env.AUTH0_CLIENT_SECRET ?? '', fetch: counting, maxRetries: 0 });
const api = new ConnectionsClient({ ...auth.clientOptions, fetch: counting, maxRetries: 0 });
const settings = new SettingsClient({ ...auth.clientOptions, fetch: counting, maxRetries: 0 });
const ONE = /^\/api\/v2\/connections\/([^/]+)$/;

/**
 * The list query as the SDK takes it.
 * @param {URLSearchParams} query
 * @returns {import('auth0').Management.ListConnectionsQueryParameters}
 */
function listQuery(query) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, value] of query) {
    if (key === 'strategy') out.strategy = [...(/** @type {string[]} */ (out.strategy ?? [])), value];
    else if (key === 'take') out.take = Number(value);
    else if (key === 'include_fields' || key === 'include_totals') out[key] = value === 'true';
    else out[key] = value;
  }
  return /** @type {never} */ (out);
}

/** @param {Step} step @returns {Promise<void>} */
async function run(step) {
  if (step.kind === 'together') {
    await Promise.all(step.steps.map(run));
    return;
  }
  const url = new URL(step.path, `https://${domain}`);
  if (step.kind === 'pages') {
    for (let page = await api.list(listQuery(url.searchParams)); page.hasNextPage(); ) page = await page.getNextPage();
    return;
  }
  const one = ONE.exec(url.pathname);
  const query = url.searchParams;
  if (step.method === 'GET' && url.pathname === '/api/v2/tenants/settings') await settings.get({ fields: query.get('fields') ?? undefined, include_fields: query.get('include_fields') === 'true' });
  else if (step.method === 'GET' && url.pathname === '/api/v2/connections') await api.list(listQuery(query));
  else if (step.method === 'GET' && one !== null) await api.get(decodeURIComponent(one[1] ?? ''));
  else if (step.method === 'PATCH' && one !== null) await api.update(decodeURIComponent(one[1] ?? ''), /** @type {never} */ (step.body));
  else throw new Error(`floor-sdk.mjs has no SDK call for ${step.method} ${step.path}`);
}

for (const step of plan.steps) await run(step);
process.stdout.write(`${count}\n`);
