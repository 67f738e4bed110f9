/**
 * The Management API validates requests with JSON Schema (z-schema, behind Hapi) and words its
 * 400s accordingly: "Payload validation error: 'Expected type string but found type integer' on
 * property display_name." with `errorCode: invalid_body`, and "Query validation error: …" with
 * `invalid_query_string`. These helpers reproduce those messages for every sandbox endpoint; see
 * the error shapes at https://auth0.com/docs/api/management/v2#!/Connections/patch_connections_by_id
 * and real ones in https://github.com/auth0/go-auth0/tree/v1.45.0/test/data/recordings.
 */
import { apiError, insufficientScope, isPlainObject, jsonType, payloadError, queryError, ReplyError } from './replies.js';

export type QueryType = 'integer' | 'boolean' | 'string' | 'array';

/** What every handler receives once the token is authenticated. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body; undefined when the request had none. */
  body: unknown;
  scopes: ReadonlySet<string>;
}

export function requireScope(request: ApiRequest, scope: string): void {
  if (!request.scopes.has(scope)) throw new ReplyError(insufficientScope(scope));
}

export function checkQuery(query: URLSearchParams, allowed: Record<string, QueryType>): void {
  const keys = [...new Set(query.keys())];
  const unknown = keys.filter((key) => !(key in allowed));
  if (unknown.length > 0) {
    throw new ReplyError(apiError(400, `Query validation error: 'Additional properties not allowed: ${unknown.join(',')}'.`, 'invalid_query_string'));
  }
  for (const key of keys) {
    if (allowed[key] !== 'array' && query.getAll(key).length > 1) {
      throw new ReplyError(queryError(key, `Expected type ${allowed[key] ?? 'string'} but found type array`));
    }
  }
}

export function readInteger(query: URLSearchParams, name: string, min: number, max?: number): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new ReplyError(queryError(name, `Expected type integer but found type string`));
  const value = Number(raw);
  if (value < min) throw new ReplyError(queryError(name, `Value ${value} is less than minimum ${min}`));
  if (max !== undefined && value > max) throw new ReplyError(queryError(name, `Value ${value} is greater than maximum ${max}`));
  return value;
}

export function readBoolean(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (raw !== 'true' && raw !== 'false') throw new ReplyError(queryError(name, `Expected type boolean but found type string`));
  return raw === 'true';
}

export interface FieldSelection {
  names: ReadonlySet<string>;
  include: boolean;
}

/** `fields` + `include_fields` (default true), with `fields` limited to `allowed` like Auth0's pattern. */
export function readFields(query: URLSearchParams, allowed: readonly string[]): FieldSelection | undefined {
  const include = readBoolean(query, 'include_fields') ?? true;
  const raw = query.get('fields');
  if (raw === null) return undefined;
  const names = raw.split(',');
  if (names.some((name) => !allowed.includes(name))) {
    throw new ReplyError(queryError('fields', `String does not match pattern ^(${allowed.join('|')})(,(${allowed.join('|')}))*$: ${raw}`));
  }
  return { names: new Set(names), include };
}

export function selectFields(record: Record<string, unknown>, fields: FieldSelection | undefined): Record<string, unknown> {
  if (fields === undefined) return record;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (fields.names.has(key) === fields.include) out[key] = value;
  return out;
}

/** The body as an object with only `allowed` keys (`additionalProperties: false`), optionally `minProperties: 1`. */
export function readObjectBody(body: unknown, allowed: readonly string[] | undefined, minProperties = 0): Record<string, unknown> {
  if (!isPlainObject(body)) throw new ReplyError(payloadError(`Expected type object but found type ${jsonType(body ?? null)}`));
  const keys = Object.keys(body);
  if (keys.length < minProperties) throw new ReplyError(payloadError(`Too few properties defined (${keys.length}), minimum ${minProperties}`));
  if (allowed !== undefined) checkNoExtraKeys(body, allowed, undefined);
  return body;
}

export function checkNoExtraKeys(value: Record<string, unknown>, allowed: readonly string[], property: string | undefined): void {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw new ReplyError(payloadError(`Additional properties not allowed: ${extra.join(',')}`, property));
}

export function checkRequired(value: Record<string, unknown>, required: readonly string[], property: string | undefined): void {
  for (const key of required) {
    if (!(key in value)) throw new ReplyError(payloadError(`Missing required property: ${key}`, property));
  }
}

export function checkType(value: unknown, property: string, type: 'object' | 'boolean' | 'string' | 'array'): void {
  const actual = jsonType(value);
  if (actual !== type) throw new ReplyError(payloadError(`Expected type ${type} but found type ${actual}`, property));
}

export function checkString(value: unknown, property: string, min: number, max: number): void {
  checkType(value, property, 'string');
  const { length } = value as string;
  if (length < min) throw new ReplyError(payloadError(`String is too short (${length} chars), minimum ${min}`, property));
  if (length > max) throw new ReplyError(payloadError(`String is too long (${length} chars), maximum ${max}`, property));
}

export function checkInteger(value: unknown, property: string, min: number, max?: number): void {
  if (jsonType(value) !== 'integer') throw new ReplyError(payloadError(`Expected type integer but found type ${jsonType(value)}`, property));
  const number = value as number;
  if (number < min) throw new ReplyError(payloadError(`Value ${number} is less than minimum ${min}`, property));
  if (max !== undefined && number > max) throw new ReplyError(payloadError(`Value ${number} is greater than maximum ${max}`, property));
}

export function checkStringArray(value: unknown, property: string): void {
  checkType(value, property, 'array');
  (value as unknown[]).forEach((item, index) => checkType(item, `${property}[${index}]`, 'string'));
}

export function checkEnum(value: unknown, property: string, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new ReplyError(payloadError(`No enum match for: ${JSON.stringify(value)}`, property));
  }
}

/** A decoded path segment (`%20` and friends), or the raw text when it does not decode. */
export function pathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
