import { CliError, ExitCode, remoteError } from '../core/errors.js';
import { redactText } from '../core/redact.js';

/** What the tool was doing when the Management API failed; shapes the message and hint. */
export interface CallContext {
  operation: 'list' | 'read' | 'update';
  /** The connection as the user named it. */
  target?: string | undefined;
  domain: string;
}

const SCOPE_HINT = (scope: string) =>
  `grant the "${scope}" scope to your Machine-to-Machine app: Dashboard > Applications > APIs > Auth0 Management API > Machine to Machine Applications (a --token must be issued with it too)`;

const NETWORK_EXPLANATIONS: Record<string, [string, string]> = {
  ENOTFOUND: ['cannot resolve the tenant domain', 'check --domain / AUTH0_DOMAIN (e.g. acme.eu.auth0.com) and your DNS'],
  EAI_AGAIN: ['DNS lookup of the tenant domain failed', 'check your network connection and DNS, then retry'],
  ECONNREFUSED: ['the connection to the tenant was refused', 'check --domain / AUTH0_DOMAIN and any proxy or firewall'],
  ECONNRESET: ['the connection to the tenant was reset', 'retry; if it persists, check your proxy or firewall'],
  ETIMEDOUT: ['the connection to the tenant timed out', 'check your network connection, then retry'],
  UND_ERR_SOCKET: ['the connection to the tenant closed unexpectedly', 'retry; if it persists, check your proxy or firewall'],
  UND_ERR_CONNECT_TIMEOUT: ['the connection to the tenant timed out', 'check your network connection, then retry'],
};

const TLS_CODES = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL|ERR_OSSL|HOSTNAME_MISMATCH)/;

/** The innermost error code of a failed fetch (undici wraps the socket error in `cause`). */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

interface ErrorBody {
  error?: unknown;
  error_description?: unknown;
  message?: unknown;
  errorCode?: unknown;
}

function bodyOf(error: unknown): ErrorBody {
  const body = (error as { body?: unknown }).body;
  if (body !== null && typeof body === 'object') return body as ErrorBody;
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed !== null && typeof parsed === 'object') return parsed as ErrorBody;
    } catch {
      // not JSON: a proxy page or similar; never printed raw
    }
  }
  return {};
}

/**
 * Turns anything the SDK throws into one `CliError` with a hint. The SDK's own messages embed
 * response bodies, so they are never printed; only Auth0's `message` field, redacted, is.
 */
export function toCliError(error: unknown, context: CallContext): CliError {
  if (error instanceof CliError) return error;
  const name = (error as { name?: unknown })?.name;
  const message = String((error as { message?: unknown })?.message ?? '');
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  const body = bodyOf(error);
  const apiMessage = typeof body.message === 'string' ? redactText(body.message) : undefined;
  const what = context.target === undefined ? '' : ` "${context.target}"`;

  if (name === 'ManagementTimeoutError' || (message.includes('token request timed out'))) {
    return remoteError(`the Management API did not answer in time (${context.domain})`, 'retry; check your network and https://status.auth0.com', error);
  }

  if (message.startsWith('ManagementClient: token request failed') || message.startsWith('ManagementClient: token request')) {
    const description = typeof body.error_description === 'string' ? body.error_description : '';
    if (statusCode === 403 || /not authorized to access/i.test(description)) {
      return remoteError(
        'the application is not authorised for the Auth0 Management API',
        'Dashboard > Applications > APIs > Auth0 Management API > Machine to Machine Applications: authorise the app and grant read:connections, update:connections, read:connections_options, update:connections_options',
        error,
      );
    }
    if (statusCode === 401 || statusCode === 400) {
      return remoteError(
        `Auth0 rejected the client credentials (${statusCode}${typeof body.error === 'string' ? ` ${body.error}` : ''})`,
        'check AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET (or the signing key) of a Machine-to-Machine app in this tenant',
        error,
      );
    }
    if (statusCode === 429) return remoteError('Auth0 rate-limited the token request', 'wait a minute and retry', error);
    return remoteError(`the token request failed (HTTP ${String(statusCode ?? '?')})`, 'retry; check https://status.auth0.com', error);
  }

  if (typeof statusCode === 'number') {
    switch (statusCode) {
      case 401:
        return remoteError('the Management API rejected the access token (401 Invalid token)', 'the token is expired, malformed or for another tenant: get a new one, or use client credentials', error);
      case 403: {
        const scope = apiMessage?.match(/(?:expected any of:\s*|requires the "?)((?:read|update):[a-z_]+)/)?.[1]
          ?? (context.operation === 'update' ? 'update:connections' : 'read:connections');
        return remoteError(`missing scope ${scope}: ${apiMessage ?? 'Forbidden'}`, SCOPE_HINT(scope), error);
      }
      case 404:
        return new CliError(ExitCode.input, `connection${what} not found in ${context.domain}`, {
          hint: 'run `auth0-sms-gateway list` to see the SMS connections and their ids',
          cause: error,
        });
      case 409:
        return remoteError(`Auth0 refused the change (409 Conflict): ${apiMessage ?? ''}`.trim(), 'someone else may be changing this connection; re-run to see the current state', error);
      case 429:
        return remoteError('rate limited by the Management API after several retries (429)', 'wait for the rate limit to reset (a minute at most) and retry; other tools on this tenant share the limit', error);
      default:
        if (statusCode >= 500) {
          return remoteError(`the Management API failed (HTTP ${statusCode})`, 'a problem on Auth0\'s side: retry in a moment; see https://status.auth0.com', error);
        }
        return remoteError(`the Management API refused the request (HTTP ${statusCode})${apiMessage ? `: ${apiMessage}` : ''}`, 'run with --verbose to see the calls', error);
    }
  }

  const code = networkCode(error);
  if (code !== undefined) {
    const known = NETWORK_EXPLANATIONS[code];
    if (known) return remoteError(`${known[0]} (${context.domain}, ${code})`, known[1], error);
    if (TLS_CODES.test(code)) {
      return remoteError(
        `the TLS certificate of ${context.domain} is not trusted (${code})`,
        'behind a TLS-inspecting proxy, point NODE_EXTRA_CA_CERTS at its CA certificate',
        error,
      );
    }
    return remoteError(`network error talking to ${context.domain} (${code})`, 'check your network connection and --domain, then retry', error);
  }
  if (message === 'fetch failed' || name === 'TypeError') {
    return remoteError(`cannot reach ${context.domain}`, 'check your network connection and --domain, then retry', error);
  }
  return remoteError(`unexpected error talking to the Management API: ${redactText(message).split('\n')[0] ?? ''}`, 'run with --verbose for details', error);
}
