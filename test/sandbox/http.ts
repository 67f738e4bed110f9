/** Plain-fetch helpers for the sandbox tests: no SDK in between, so the wire format is what is asserted. */
import { expect } from 'vitest';
import { SEED_CLIENTS, type Sandbox } from '../../src/sandbox/index.js';

export const ALL_SCOPES = ['read:connections', 'update:connections', 'read:connections_options', 'update:connections_options'];

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  init: { token?: string | undefined; body?: unknown; rawBody?: string; contentType?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  const payload = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  if (payload !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const response = await fetch(`${sandbox.url}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** GET/PATCH under /api/v2 with a token carrying `scopes` (default: all four connection scopes). */
export const api = (sandbox: Sandbox, method: string, path: string, body?: unknown, scopes: string[] = ALL_SCOPES): Promise<ApiResponse> =>
  call(sandbox, method, `/api/v2${path}`, { token: sandbox.issueToken(scopes), body });

/** POST /oauth/token as the SDK does: form-urlencoded. */
export async function requestToken(sandbox: Sandbox, params: Record<string, string>): Promise<ApiResponse> {
  const response = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

export interface ClientCredentials {
  grant_type: string;
  client_id: string;
  client_secret: string;
  audience: string;
  [param: string]: string;
}

export const clientCredentials = (sandbox: Sandbox, client: { clientId: string; clientSecret: string }): ClientCredentials => ({
  grant_type: 'client_credentials',
  client_id: client.clientId,
  client_secret: client.clientSecret,
  audience: `https://${sandbox.domain}/api/v2/`,
});

/** Any /api/v2 call with a token carrying every scope (default) or `scopes`. */
export const full = (sandbox: Sandbox, method: string, path: string, body?: unknown, scopes: readonly string[] = SEED_CLIENTS.full.scopes): Promise<ApiResponse> =>
  call(sandbox, method, `/api/v2${path}`, { token: sandbox.issueToken([...scopes]), body });

/**
 * Each call, made with every scope of `family` but the one it names, is refused as Auth0 refuses
 * it: 403 insufficient_scope naming that scope.
 */
export async function expectEachScopeNeeded(sandbox: Sandbox, family: readonly string[], calls: readonly (readonly [string, string, unknown, string])[]): Promise<void> {
  for (const [method, path, body, scope] of calls) {
    const response = await full(sandbox, method, path, body, family.filter((s) => s !== scope));
    expect({ method, path, status: response.status, body: response.body }).toEqual({
      method,
      path,
      status: 403,
      body: { statusCode: 403, error: 'Forbidden', message: `Insufficient scope, expected any of: ${scope}`, errorCode: 'insufficient_scope' },
    });
  }
}

/** POST /passwordless/start as a browser app would: no token, JSON (or a form, with `form: true`). */
export async function passwordlessStart(
  sandbox: Sandbox,
  params: Record<string, string>,
  init: { form?: boolean; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const response = await fetch(`${sandbox.url}/passwordless/start`, {
    method: 'POST',
    headers: { 'content-type': init.form === true ? 'application/x-www-form-urlencoded' : 'application/json', ...init.headers },
    body: init.form === true ? new URLSearchParams(params).toString() : JSON.stringify(params),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
