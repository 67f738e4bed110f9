// What the auth0 SDK itself costs per Management API request, the part of row 4's excess no
// change in this tool can remove while it goes through the SDK. The bench bundles it as the CLI
// is bundled (the SDK's async functions native: scripts/native-await.mjs) and runs it as a
// child, like the CLI:
//   node sdk-cost.bundle.mjs bare|sdk N
// with the environment the CLI gets. Both modes read the first page of SMS connections, warm up
// on 10 connections, then time N rounds of GET one connection + PATCH its options back (the
// requests apply sends per connection), in process, one at a time. Prints {"ms": …}.
// `bare` is global fetch and JSON; `sdk` is the SDK's ConnectionsClient with its own client
// credentials, retries off, as src/auth0/client.ts sets it up.
import { ConnectionsClient } from 'auth0/connections';
import { createManagementAuth } from 'auth0/management';

const [mode = 'sdk', nArg = '100'] = process.argv.slice(2);
const n = Number(nArg);
const domain = process.env.AUTH0_DOMAIN ?? '';
const clientId = process.env.AUTH0_CLIENT_ID ?? '';
const clientSecret = process.env.AUTH0_CLIENT_SECRET ?? '';
const base = `https://${domain}`;

/** @type {(id: string) => Promise<void>} */
let round;
/** @type {string[]} */
let ids;
if (mode === 'bare') {
  const token = /** @type {{ access_token: string }} */ (
    await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: `${base}/api/v2/` }),
    }).then((r) => r.json())
  );
  const authorization = `Bearer ${token.access_token}`;
  const page = /** @type {{ connections: { id: string }[] }} */ (await fetch(`${base}/api/v2/connections?strategy=sms&take=100`, { headers: { authorization } }).then((r) => r.json()));
  ids = page.connections.map((c) => c.id);
  round = async (id) => {
    const got = /** @type {{ options: unknown }} */ (await fetch(`${base}/api/v2/connections/${id}`, { headers: { authorization } }).then((r) => r.json()));
    await fetch(`${base}/api/v2/connections/${id}`, { method: 'PATCH', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ options: got.options }) }).then((r) => r.json());
  };
} else {
  const auth = createManagementAuth({ domain, clientId, clientSecret, maxRetries: 0 });
  const api = new ConnectionsClient({ ...auth.clientOptions, maxRetries: 0 });
  const page = await api.list({ strategy: ['sms'], take: 100 });
  ids = page.data.map((c) => String(c.id));
  round = async (id) => {
    const got = await api.get(id);
    await api.update(id, /** @type {never} */ ({ options: got.options }));
  };
}
const at = (/** @type {number} */ i) => ids[i % ids.length] ?? '';
for (let i = 0; i < 10; i++) await round(at(i));
const start = performance.now();
for (let i = 0; i < n; i++) await round(at(i));
process.stdout.write(`${JSON.stringify({ ms: performance.now() - start })}\n`);
