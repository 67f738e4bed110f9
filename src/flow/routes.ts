import type { ManagementApi } from '../auth0/client.js';
import { CliError } from '../core/errors.js';
import { smsSummary, type Connection, type SmsSummary } from '../core/options.js';
import { connectionLabel } from '../core/untrusted.js';
import { routeOf, unifiedPhoneOf, usesPhoneProvider, type Route, type UnifiedPhone } from '../core/route.js';
import type { Output } from '../ui/output.js';

/** One row of `list --json` and of `status`'s connections; a connection that came without options has null settings. */
export type ConnectionItem = (SmsSummary | { [K in keyof SmsSummary]: K extends 'id' | 'name' ? string : null }) & { route: Route };

export function connectionItem(connection: Connection, unifiedPhone: UnifiedPhone): ConnectionItem {
  return { ...smsSummary(connection), route: routeOf(connection.options, unifiedPhone) };
}

/**
 * The rows of a listing. One connection that came without options (an odd one among others)
 * gets a row that claims nothing (route `unknown`, no settings) and a warning; when every one
 * came without, the token lacks read:connections_options, and that error is the answer.
 */
export function connectionItems(connections: readonly Connection[], unifiedPhone: UnifiedPhone, output: Output): ConnectionItem[] {
  // listSmsConnections refuses a listing where none came with options (the scope error).
  const without = connections.filter((connection) => connection.options === undefined || connection.options === null);
  if (without.length > 0) {
    output.warn(`Auth0 returned ${without.map((connection) => connectionLabel(connection)).join(', ')} without options: shown with the route "unknown"`);
  }
  return connections.map((connection) =>
    connection.options === undefined || connection.options === null
      ? { id: connection.id, name: connection.name, provider: null, gateway_url: null, authentication: null, forward_req_info: null, from: null, route: 'unknown' }
      : connectionItem(connection, unifiedPhone),
  );
}

/**
 * The warning for a tenant setting that could not be read, or undefined when the failure is not
 * one to go on from. The setting only informs (routes, what a write means for delivery): a
 * missing scope, or a read Auth0 failed to answer (a 5xx, 408 or 429 after the retries, a
 * timeout, a dropped connection: `answerLost`), leaves it unknown, and nothing the command
 * would write depends on it. Anything else (a rejected token, a failed token request) would
 * fail the next request too, and stops here. The one rule for every command that reads it.
 */
export function unreadSettingWarning(error: unknown): string | undefined {
  if (!(error instanceof CliError)) return undefined;
  const consequence = 'routes that depend on the tenant setting show as "unknown", and a gateway route is no promise of delivery';
  if (error.missingScope !== undefined) return `the token lacks ${error.missingScope}: ${consequence}`;
  if (error.answerLost) return `could not read the tenant setting phone_consolidated_experience (${error.message}): ${consequence}`;
  return undefined;
}

/**
 * The tenant's `phone_consolidated_experience`, or null with one warning saying why it could
 * not be read (unreadSettingWarning): routes the options decide are still given, the rest are
 * "unknown", and nothing fails because of it.
 */
export async function readUnifiedPhone(api: ManagementApi, output: Output): Promise<UnifiedPhone> {
  try {
    return unifiedPhoneOf(await api.getTenantSettings());
  } catch (error) {
    const warning = unreadSettingWarning(error);
    if (warning === undefined) throw error;
    output.warnOnce(warning);
    return null;
  }
}

/**
 * The tenant setting for what is said about these connections (show, configure, apply,
 * test-gateway, the wizard): read even when the options decide the route, since on a Unified
 * Phone Experience tenant a gateway route is no promise of delivery (describeRoute says why),
 * and saying "sends codes through" there would claim what was not observed. Connections with
 * use_phone_provider on need no read: theirs is said without it.
 */
export async function unifiedPhoneForClaims(api: ManagementApi, output: Output, connections: readonly Connection[]): Promise<UnifiedPhone> {
  const decided = connections.every((connection) => connection.options !== undefined && connection.options !== null && usesPhoneProvider(connection.options.use_phone_provider));
  return decided ? null : readUnifiedPhone(api, output);
}

/**
 * The tenant setting for a listing, when, and only when, some connection's route depends on it:
 * a connection whose options carry use_phone_provider or an older-generation key is decided by
 * them alone, and a listing claims no delivery, so most runs spend no request (and no
 * rate-limit token) on the setting.
 */
export async function unifiedPhoneFor(api: ManagementApi, output: Output, connections: readonly Connection[]): Promise<UnifiedPhone> {
  const undecided = connections.some((connection) => routeOf(connection.options, null) === 'unknown' && connection.options !== undefined && connection.options !== null);
  return undecided ? readUnifiedPhone(api, output) : null;
}
