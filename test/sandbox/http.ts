/** Plain-fetch helpers for the sandbox tests: no SDK in between, so the wire format is what is asserted. */
import type { Sandbox } from '../../src/sandbox/index.js';

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

/** Every scope of the seed `full` client: connections, tenant settings, phone providers, Actions. */
export const FULL_SCOPES = [
  ...ALL_SCOPES,
  'read:tenant_settings',
  'update:tenant_settings',
  'read:phone_providers',
  'create:phone_providers',
  'update:phone_providers',
  'delete:phone_providers',
  'read:actions',
  'create:actions',
  'update:actions',
  'delete:actions',
];

/** Any /api/v2 call with a token carrying every scope (default) or `scopes`. */
export const full = (sandbox: Sandbox, method: string, path: string, body?: unknown, scopes: string[] = FULL_SCOPES): Promise<ApiResponse> =>
  call(sandbox, method, `/api/v2${path}`, { token: sandbox.issueToken(scopes), body });

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
