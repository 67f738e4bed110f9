import { defineCommand, NO_FLAGS } from '../flow/command.js';
import { listConnectionItems } from '../flow/routes.js';
import { renderTable } from '../ui/output.js';

/** Every SMS connection (all pages) with where its codes go: its route, from its options and the tenant setting. */
export const command = defineCommand(NO_FLAGS, async (ctx) => {
  const { output } = ctx;
  const api = await ctx.auth0();
  const rows = await listConnectionItems(api, output);
  if (output.json) {
    output.printJson(rows);
    return;
  }
  if (rows.length === 0) {
    output.info(`No SMS connections in ${api.domain}. Create one under Authentication > Passwordless > SMS.`);
    return;
  }
  output.data(
    renderTable(
      ['NAME', 'ID', 'ROUTE', 'PROVIDER', 'GATEWAY URL', 'AUTH', 'FORWARD REQ INFO', 'FROM'],
      rows.map((r) => [r.name, r.id, r.route, r.provider ?? '-', r.gateway_url ?? '-', r.authentication ?? '-', r.forward_req_info === null ? '-' : r.forward_req_info ? 'yes' : 'no', r.from ?? '-']),
      output.style,
    ),
  );
  output.info(`${rows.length} SMS connection${rows.length === 1 ? '' : 's'} in ${api.domain}`);
});
