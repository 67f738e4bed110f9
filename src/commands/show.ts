import { requireSmsConnection, smsSummary } from '../core/options.js';
import { redactDeep } from '../core/redact.js';
import type { CommandContext } from './context.js';

export async function runShow(ctx: CommandContext, ref: string): Promise<void> {
  const api = await ctx.auth0();
  const connection = await api.getConnection(ref);
  requireSmsConnection(connection);
  // Auth0 returns twilio_token and gateway_authentication.secret in clear text (reference §2.4).
  const safe = redactDeep(connection);
  if (ctx.output.json) {
    ctx.output.printJson(safe);
    return;
  }
  const summary = smsSummary(connection);
  const { style } = ctx.output;
  const lines = [
    `${style.bold(connection.name)} ${style.dim(connection.id)}`,
    `display name      ${connection.display_name ?? '-'}`,
    `provider          ${summary.provider}`,
    `gateway url       ${summary.gateway_url ?? '-'}`,
    `authentication    ${summary.authentication}`,
    `forward req info  ${summary.forward_req_info ? 'yes' : 'no'}`,
    `from              ${summary.from ?? '-'}`,
    '',
    style.bold('options'),
    JSON.stringify(safe.options, null, 2),
  ];
  ctx.output.data(lines.join('\n'));
}
