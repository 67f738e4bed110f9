/**
 * Answers in Auth0's shapes. Management API errors are `{ statusCode, error, message, errorCode? }`
 * (https://auth0.com/docs/api/management/v2, and the recordings of real traffic in
 * https://github.com/auth0/go-auth0/tree/v1.45.0/test/data/recordings); Authentication API errors
 * (/oauth/token, /passwordless/start) are OAuth's `{ error, error_description }`
 * (https://auth0.com/docs/api/authentication).
 */
import { STATUS_CODES } from 'node:http';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function apiError(status: number, message: string, errorCode?: string): Reply {
  const body: Record<string, unknown> = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
  if (errorCode !== undefined) body.errorCode = errorCode;
  return { status, body };
}

export const oauthError = (status: number, error: string, description: string): Reply => ({
  status,
  body: { error, error_description: description },
});

/** The body Auth0 sends for a missing, malformed, expired or foreign token (401; https://github.com/auth0-community/auth0-drupal/issues/130). */
export const invalidToken = (): Reply => ({
  status: 401,
  body: { statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } },
  headers: { 'www-authenticate': 'Bearer realm="Management API", error="invalid_token"' },
});

export const insufficientScope = (scope: string): Reply =>
  apiError(403, `Insufficient scope, expected any of: ${scope}`, 'insufficient_scope');

export const tooManyRequests = (): Reply => apiError(429, 'Global limit has been reached', 'too_many_requests');

export const queryError = (property: string, detail: string): Reply =>
  apiError(400, `Query validation error: '${detail}' on property ${property}.`, 'invalid_query_string');

export const payloadError = (detail: string, property?: string): Reply =>
  apiError(400, `Payload validation error: '${detail}'${property === undefined ? '' : ` on property ${property}.`}`, 'invalid_body');

/** Hapi's answer to a body that is not JSON (the Management API runs on Hapi). */
export const invalidJson = (): Reply => apiError(400, 'Invalid request payload JSON format');

export const routeNotFound = (): Reply => apiError(404, 'Not Found');

/** The JSON type name z-schema puts in its messages ("Expected type string but found type number"). */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Thrown by validators to end a request with `reply`. */
export class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(typeof reply.body === 'object' && reply.body !== null && 'message' in reply.body ? String(reply.body.message) : `HTTP ${reply.status}`);
    this.name = 'ReplyError';
  }
}
