import { smsSummary } from '../core/options.js';
import { renderTable } from '../ui/output.js';
import type { CommandContext } from './context.js';

export async function runList(ctx: CommandContext): Promise<void> {
  const api = await ctx.auth0();
  const rows = (await api.listSmsConnections()).map(smsSummary);
  if (ctx.output.json) {
    ctx.output.printJson(rows);
    return;
  }
  if (rows.length === 0) {
    ctx.output.info(`No SMS connections in ${api.domain}. Create one under Authentication > Passwordless > SMS.`);
    return;
  }
  ctx.output.data(
    renderTable(
      ['NAME', 'ID', 'PROVIDER', 'GATEWAY URL', 'AUTH', 'FORWARD REQ INFO', 'FROM'],
      rows.map((r) => [r.name, r.id, r.provider, r.gateway_url ?? '-', r.authentication, r.forward_req_info ? 'yes' : 'no', r.from ?? '-']),
      ctx.output.style,
    ),
  );
  ctx.output.info(`${rows.length} SMS connection${rows.length === 1 ? '' : 's'} in ${api.domain}`);
}
