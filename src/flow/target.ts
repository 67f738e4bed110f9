import type { ManagementApi } from '../auth0/client.js';
import { inputError } from '../core/errors.js';
import { requireSmsConnection, requireSmsOptions, smsSummary, type Connection } from '../core/options.js';
import type { CommandContext } from './context.js';
import { connectionLabel, untrusted } from '../core/untrusted.js';

/**
 * The connection a command acts on: the one named, else the tenant's only SMS connection, else
 * a picker when a person is there, else exit 2 listing the candidates.
 */
export async function resolveSmsConnection(ctx: CommandContext, api: ManagementApi, connectionRef: string | undefined): Promise<Connection> {
  if (connectionRef !== undefined) {
    return requireSmsConnection(await api.getConnection(connectionRef));
  }
  const all = await api.listSmsConnections();
  if (all.length === 0) {
    throw inputError(`there is no SMS connection in ${api.domain}`, 'create one under Authentication > Passwordless > SMS in the Auth0 Dashboard');
  }
  // A connection without options can be named here (listSmsConnections refuses only a listing
  // where none has them): nothing may be said of, or built from, options that were not read.
  if (all.length === 1) return withOptions(all[0] as Connection);
  const label = (c: Connection) => {
    if (c.options === undefined || c.options === null) return `${untrusted(c.name)} (${untrusted(c.id)}, options not returned)`;
    const s = smsSummary(c);
    return `${untrusted(c.name)} (${untrusted(c.id)}, ${untrusted(s.provider)}${s.gateway_url === null ? '' : ` ${untrusted(s.gateway_url)}`})`;
  };
  if (!ctx.interactive) {
    throw inputError(`${api.domain} has ${all.length} SMS connections: ${all.map(connectionLabel).join(', ')}`, 'name one: pass its name or id as the argument');
  }
  const prompter = await ctx.prompter();
  return withOptions(await prompter.select({ message: 'Which SMS connection?', choices: all.map((c) => ({ name: label(c), value: c })) }));
}

/** The connection, or the scope error when Auth0 returned it without its options. */
function withOptions(connection: Connection): Connection {
  requireSmsOptions(connection);
  return connection;
}
