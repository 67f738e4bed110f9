/**
 * GET /api/v2/connections, GET and PATCH /api/v2/connections/{id}, with the Management API's
 * rules (https://auth0.com/docs/api/management/v2/connections/get-connections,
 * …/get-connections-by-id, …/patch-connections-by-id). The caller has already authenticated
 * the token.
 */
import { apiError, isPlainObject, payloadError, queryError, ReplyError, routeNotFound, type Reply } from './replies.js';
import { CONNECTION_ID, type ConnectionStore } from './state.js';
import type { SandboxConnection } from './types.js';
import {
  checkInteger,
  checkNoExtraKeys,
  checkQuery,
  checkRequired,
  checkString,
  checkStringArray,
  checkType,
  pathParam,
  readBoolean,
  readFields,
  readInteger,
  readObjectBody,
  requireScope,
  selectFields,
  type ApiRequest,
  type FieldSelection,
  type QueryType,
} from './validation.js';

export type { ApiRequest } from './validation.js';

export interface ApiResult extends Reply {
  /** Connections a successful GET returned (concurrent-write faults count these reads). */
  readIds?: string[];
}

const READ_OPTIONS = 'read:connections_options';

/** Offset paging stops at 1,000 records: "Checkpoint pagination must be used if you need to retrieve more than 1000 connections" (get-connections). */
const OFFSET_LIMIT = 1000;

/** `fields` accepts these names (the `fields` pattern of get-connections). */
const FIELD_NAMES = [
  'name', 'display_name', 'strategy', 'options', 'id', 'provisioning_ticket_url', 'metadata', 'show_as_button', 'clients',
  'authentication', 'connected_accounts', 'cross_app_access_requesting_app', 'cross_app_access_resource_app', 'enabled_clients',
];

const LIST_QUERY: Record<string, QueryType> = {
  per_page: 'integer', page: 'integer', include_totals: 'boolean', from: 'string', take: 'integer',
  strategy: 'array', name: 'string', fields: 'string', include_fields: 'boolean',
};
const GET_QUERY: Record<string, QueryType> = { fields: 'string', include_fields: 'boolean' };

/** Top-level keys UpdateConnectionRequestContent allows (`additionalProperties: false`, patch-connections-by-id). */
const PATCH_KEYS: Record<string, (value: unknown, property: string) => void> = {
  display_name: (value, property) => checkString(value, property, 0, 128),
  options: (value, property) => checkType(value, property, 'object'),
  enabled_clients: (value, property) => checkStringArray(value, property),
  is_domain_connection: (value, property) => checkType(value, property, 'boolean'),
  show_as_button: (value, property) => checkType(value, property, 'boolean'),
  realms: (value, property) => checkStringArray(value, property),
  metadata: (value, property) => {
    checkType(value, property, 'object');
    for (const [key, entry] of Object.entries(value as object)) checkString(entry, `${property}.${key}`, 0, 255);
  },
  authentication: (value, property) => checkActiveFlag(value, property),
  connected_accounts: (value, property) => checkActiveFlag(value, property),
};

export function handleConnections(store: ConnectionStore, request: ApiRequest): ApiResult {
  try {
    if (request.path === '/api/v2/connections') {
      return request.method === 'GET' ? listConnections(store, request) : routeNotFound();
    }
    const match = /^\/api\/v2\/connections\/([^/]+)$/.exec(request.path);
    if (match?.[1] !== undefined) {
      if (request.method === 'GET') return getConnection(store, request, match[1]);
      if (request.method === 'PATCH') return updateConnection(store, request, match[1]);
    }
    return routeNotFound();
  } catch (error) {
    if (error instanceof ReplyError) return error.reply;
    throw error;
  }
}

function listConnections(store: ConnectionStore, request: ApiRequest): ApiResult {
  requireScope(request, 'read:connections');
  const { query } = request;
  checkQuery(query, LIST_QUERY);
  const strategies = query.getAll('strategy');
  for (const strategy of strategies) {
    if (!/^[a-z0-9-]+$/i.test(strategy)) throw new ReplyError(queryError('strategy', `No enum match for: "${strategy}"`));
  }
  const name = query.get('name');
  const fields = readFields(query, FIELD_NAMES);
  const matching = store
    .all()
    .filter((c) => (strategies.length === 0 || strategies.includes(c.strategy)) && (name === null || c.name === name));
  const present = (connection: SandboxConnection) => presentConnection(connection, request.scopes, fields);

  if (query.has('take') || query.has('from')) {
    // Checkpoint paging; include_totals is ignored here ("Not returned when using checkpoint pagination", get-connections).
    const take = readInteger(query, 'take', 1, 100) ?? 50;
    const start = checkpointStart(store, matching, query.get('from'));
    const page = matching.slice(start, start + take);
    const last = page.at(-1);
    const body: { connections: unknown[]; next?: string } = { connections: page.map(present) };
    // "When `next` is no longer included in the response, no pages are remaining" (get-connections).
    if (last !== undefined && start + take < matching.length) body.next = Buffer.from(last.id).toString('base64url');
    return { status: 200, body, readIds: page.map((c) => c.id) };
  }

  const perPage = readInteger(query, 'per_page', 1, 100) ?? 100;
  const pageIndex = readInteger(query, 'page', 0) ?? 0;
  // Auth0 refuses an offset page when page * per_page + per_page > 1000, whatever the total
  // (support article "Unable to paginate more than 1000 records").
  if (pageIndex * perPage + perPage > OFFSET_LIMIT) {
    throw new ReplyError(
      apiError(
        400,
        `Requesting page ${pageIndex} exceeds the allowed maximum of ${OFFSET_LIMIT} records. To fetch results beyond ${OFFSET_LIMIT}, use the checkpoint pagination method.`,
        'invalid_query_string',
      ),
    );
  }
  const startIndex = pageIndex * perPage;
  const page = matching.slice(startIndex, startIndex + perPage);
  const connections = page.map(present);
  const body = readBoolean(query, 'include_totals') === true ? { start: startIndex, limit: perPage, total: matching.length, connections } : connections;
  return { status: 200, body, readIds: page.map((c) => c.id) };
}

function getConnection(store: ConnectionStore, request: ApiRequest, rawId: string): ApiResult {
  requireScope(request, 'read:connections');
  const id = readId(rawId, 'retrieve');
  checkQuery(request.query, GET_QUERY);
  const fields = readFields(request.query, FIELD_NAMES);
  const connection = store.get(id);
  if (connection === undefined) throw new ReplyError(inexistent());
  return { status: 200, body: presentConnection(connection, request.scopes, fields), readIds: [id] };
}

function updateConnection(store: ConnectionStore, request: ApiRequest, rawId: string): ApiResult {
  requireScope(request, 'update:connections');
  const id = readId(rawId, 'update');
  checkQuery(request.query, {});
  const patch = readPatch(request.body);
  if ('options' in patch && !request.scopes.has('update:connections_options')) {
    // "Requests to Update a Connection fail if the request body contains the options field" without the scope
    // (https://auth0.com/docs/troubleshoot/product-lifecycle/deprecations-and-migrations/migrate-connection-options-scope).
    throw new ReplyError(
      apiError(403, 'Updating the "options" property requires the "update:connections_options" scope', 'insufficient_scope'),
    );
  }
  const current = store.get(id);
  if (current === undefined) throw new ReplyError(inexistent());
  if (current.strategy === 'sms' && isPlainObject(patch.options)) checkSmsOptions(patch.options);

  const next: SandboxConnection = { ...structuredClone(current), ...(structuredClone(patch) as Partial<SandboxConnection>) };
  // "If the options parameter is used, the entire options object is overridden" (patch-connections-by-id): the
  // spread above replaces it whole, no merge.
  // "If display_name is not included in the request, the field will be overwritten with the name value" (patch-connections-by-id).
  if (!('display_name' in patch)) next.display_name = current.name;
  // "If the array is empty ..., the connection name will be added as realm" (patch-connections-by-id).
  if (Array.isArray(patch.realms) && patch.realms.length === 0) next.realms = [current.name];
  store.replace(next);
  return { status: 200, body: presentConnection(next, request.scopes, undefined) };
}

const inexistent = (): Reply => apiError(404, 'The connection does not exist', 'inexistent_connection');

function readId(raw: string, verb: string): string {
  const id = pathParam(raw);
  if (!CONNECTION_ID.test(id)) {
    throw new ReplyError(
      apiError(
        400,
        `Path validation error: 'String does not match pattern ${CONNECTION_ID.source}: ${id}' on property id (The id of the connection to ${verb}).`,
        'invalid_uri',
      ),
    );
  }
  return id;
}

/**
 * Connections as returned to this token: without `options` unless it has `read:connections_options`
 * (https://auth0.com/docs/troubleshoot/product-lifecycle/deprecations-and-migrations/migrate-connection-options-scope).
 */
function presentConnection(connection: SandboxConnection, scopes: ReadonlySet<string>, fields: FieldSelection | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(connection) as unknown as Record<string, unknown>;
  if (!scopes.has(READ_OPTIONS)) delete out.options;
  return selectFields(out, fields);
}

function checkpointStart(store: ConnectionStore, matching: readonly SandboxConnection[], from: string | null): number {
  if (from === null || from === '') return 0;
  const afterId = Buffer.from(from, 'base64url').toString('utf8');
  const order = new Map(store.all().map((c, index) => [c.id, index]));
  const after = order.get(afterId);
  if (after === undefined) throw new ReplyError(queryError('from', `Invalid checkpoint: ${from}`));
  const start = matching.findIndex((c) => (order.get(c.id) ?? -1) > after);
  return start === -1 ? matching.length : start;
}

function readPatch(body: unknown): Record<string, unknown> {
  // "minProperties: 1" (UpdateConnectionRequestContent). Sending a GET result back fails: "Additional
  // properties not allowed: strategy,name" (https://github.com/alexkappa/terraform-provider-auth0/issues/24).
  const patch = readObjectBody(body, Object.keys(PATCH_KEYS), 1);
  for (const key of Object.keys(patch)) PATCH_KEYS[key]?.(patch[key], key);
  return patch;
}

/**
 * The constraints of `ConnectionOptionsSMS` that are certain (the Management API's schema, see
 * patch-connections-by-id); everything else is `additionalProperties: true`. `forward_req_info` is
 * not type-checked: Auth0's own example sends the string "true"
 * (https://auth0.com/docs/authenticate/passwordless/authentication-methods/use-sms-gateway-passwordless).
 */
function checkSmsOptions(options: Record<string, unknown>): void {
  if (options.provider !== undefined && options.provider !== 'sms_gateway' && options.provider !== 'twilio') {
    throw new ReplyError(payloadError(`No enum match for: ${JSON.stringify(options.provider)}`, 'options.provider'));
  }
  if (options.gateway_url !== undefined) {
    checkString(options.gateway_url, 'options.gateway_url', 8, 255);
    if (!/^https:\/\//.test(options.gateway_url as string)) {
      throw new ReplyError(payloadError(`String does not match pattern ^https://.*: ${String(options.gateway_url)}`, 'options.gateway_url'));
    }
  }
  const auth = options.gateway_authentication;
  if (auth !== undefined && auth !== null) {
    checkType(auth, 'options.gateway_authentication', 'object');
    const fields = auth as Record<string, unknown>;
    checkRequired(fields, ['audience', 'method', 'secret'], 'options.gateway_authentication');
    checkString(fields.method, 'options.gateway_authentication.method', 1, 20);
    checkString(fields.audience, 'options.gateway_authentication.audience', 1, 128);
    checkString(fields.secret, 'options.gateway_authentication.secret', 1, 5120);
    if (fields.subject !== undefined) checkString(fields.subject, 'options.gateway_authentication.subject', 1, 64);
    if (fields.secret_base64_encoded !== undefined) checkType(fields.secret_base64_encoded, 'options.gateway_authentication.secret_base64_encoded', 'boolean');
  }
  if (options.totp !== undefined) {
    checkType(options.totp, 'options.totp', 'object');
    const totp = options.totp as Record<string, unknown>;
    checkNoExtraKeys(totp, ['time_step', 'length'], 'options.totp');
    if (totp.time_step !== undefined) checkInteger(totp.time_step, 'options.totp.time_step', 60);
    if (totp.length !== undefined) checkInteger(totp.length, 'options.totp.length', 4, 40);
  }
}

function checkActiveFlag(value: unknown, property: string): void {
  checkType(value, property, 'object');
  const flag = value as Record<string, unknown>;
  checkRequired(flag, ['active'], property);
  checkType(flag.active, `${property}.active`, 'boolean');
}
