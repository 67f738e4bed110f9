import type { ManagementApi } from '../auth0/client.js';
import { CliError } from '../core/errors.js';
import { smsSummary, type Connection, type SmsSummary } from '../core/options.js';
import { routeOf, unifiedPhoneOf, type Route, type UnifiedPhone } from '../core/route.js';
import type { Output } from '../ui/output.js';

/** One row of `list --json` and of `status`'s connections. */
export type ConnectionItem = SmsSummary & { route: Route };

export function connectionItem(connection: Connection, unifiedPhone: UnifiedPhone): ConnectionItem {
  return { ...smsSummary(connection), route: routeOf(connection.options, unifiedPhone) };
}

/**
 * The tenant's `phone_consolidated_experience`, or null with one warning naming the scope when
 * the token may not read it: routes the options decide are still given, the rest are
 * "unknown", and nothing fails because of it.
 */
export async function readUnifiedPhone(api: ManagementApi, output: Output): Promise<UnifiedPhone> {
  try {
    return unifiedPhoneOf(await api.getTenantSettings());
  } catch (error) {
    if (error instanceof CliError && error.missingScope !== undefined) {
      output.warn(`the token lacks ${error.missingScope}: routes that depend on the tenant setting show as "unknown"`);
      return null;
    }
    throw error;
  }
}

/**
 * The tenant setting when, and only when, some connection's route depends on it: a connection
 * whose options carry use_phone_provider or an older-generation key is decided by them alone,
 * so most runs spend no request (and no rate-limit token) on the setting.
 */
export async function unifiedPhoneFor(api: ManagementApi, output: Output, connections: readonly Connection[]): Promise<UnifiedPhone> {
  const undecided = connections.some((connection) => routeOf(connection.options, null) === 'unknown' && connection.options !== undefined && connection.options !== null);
  return undecided ? readUnifiedPhone(api, output) : null;
}
