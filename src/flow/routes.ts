import type { ManagementApi } from '../auth0/client.js';
import { CliError } from '../core/errors.js';
import { smsSummary, type Connection, type SmsSummary } from '../core/options.js';
import { connectionLabel } from '../core/untrusted.js';
import { routeOf, unifiedPhoneOf, usesPhoneProvider, type Route, type UnifiedPhone } from '../core/route.js';
import type { Output } from '../ui/output.js';

/** One row of `list --json` and of `status`'s connections; a connection that came without options has null settings. */
export type ConnectionItem = (SmsSummary | { [K in keyof SmsSummary]: K extends 'id' | 'name' ? string : null }) & { route: Route };

/** A connection's row; one that came without options gets a row that claims nothing (route `unknown`, no settings). */
function connectionItem(connection: Connection, unifiedPhone: UnifiedPhone): ConnectionItem {
  return connection.options === undefined || connection.options === null
    ? { id: connection.id, name: connection.name, provider: null, gateway_url: null, authentication: null, forward_req_info: null, from: null, route: 'unknown' }
    : { ...smsSummary(connection), route: routeOf(connection.options, unifiedPhone) };
}

/**
 * One connection that came without options (an odd one among others) is shown with a warning;
 * when every one came without, the token lacks read:connections_options, and
 * listSmsConnections refuses the listing with that error instead. Such a row is the one whose
 * settings are null (a summary always names a provider).
 */
function warnWithoutOptions(rows: readonly ConnectionItem[], output: Output): void {
  const without = rows.filter((row) => row.provider === null);
  if (without.length > 0) {
    output.warn(`Auth0 returned ${without.map((row) => connectionLabel(row)).join(', ')} without options: shown with the route "unknown"`);
  }
}

/** The rows of a listing, for a tenant setting already read (`status`). */
export function connectionItems(connections: readonly Connection[], unifiedPhone: UnifiedPhone, output: Output): ConnectionItem[] {
  const rows = connections.map((connection) => connectionItem(connection, unifiedPhone));
  warnWithoutOptions(rows, output);
  return rows;
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
  return connections.some(claimNeedsSetting) ? readUnifiedPhone(api, output) : null;
}

/** Whether what is said about this connection needs the tenant setting (unifiedPhoneForClaims). */
function claimNeedsSetting(connection: Connection): boolean {
  return connection.options === undefined || connection.options === null || !usesPhoneProvider(connection.options.use_phone_provider);
}

/**
 * Sends the tenant setting's read as soon as a connection shows that unifiedPhoneForClaims will
 * need it, while other reads are still on their way: a round trip less. The client reads the
 * setting once per run, so unifiedPhoneForClaims later takes this same answer, and says what
 * a failed read means there (a failure is not reported here).
 */
export function readSettingEarlyFor(api: ManagementApi, connection: Connection): void {
  if (claimNeedsSetting(connection)) api.getTenantSettings().catch(() => undefined);
}

/**
 * `list`'s rows, made as the pages arrive (the listing reads ahead, so that work overlaps the
 * wait for the next page), and the tenant setting read when, and only when, some connection's
 * route depends on it: one whose options carry use_phone_provider or an older-generation key is
 * decided by them alone, and a listing claims no delivery, so most runs spend no request (and
 * no rate-limit token) on the setting. A row that waits on it keeps the two routes it can take,
 * not its connection. By id: a listing that hands the same connection twice lists its last
 * copy, and only that copy counts.
 */
export async function listConnectionItems(api: ManagementApi, output: Output): Promise<ConnectionItem[]> {
  const waiting = new Map<string, { unified: Route; notUnified: Route }>();
  const rows = await api.listSmsConnections((connection) => {
    const row = connectionItem(connection, null);
    const { options } = connection;
    // Only a route unknown without the setting can wait on it, and only if the setting would
    // decide it (a provider this tool does not know stays unknown either way).
    const routes = row.route === 'unknown' && options !== undefined && options !== null ? { unified: routeOf(options, true), notUnified: routeOf(options, false) } : undefined;
    if (routes !== undefined && routes.unified !== routes.notUnified) waiting.set(connection.id, routes);
    else waiting.delete(connection.id);
    return row;
  });
  const unifiedPhone = waiting.size === 0 ? null : await readUnifiedPhone(api, output);
  warnWithoutOptions(rows, output);
  if (unifiedPhone === null) return rows;
  return rows.map((row) => {
    const routes = waiting.get(row.id);
    return routes === undefined ? row : { ...row, route: unifiedPhone ? routes.unified : routes.notUnified };
  });
}
