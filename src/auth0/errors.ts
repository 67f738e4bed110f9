import { CliError, ExitCode, remoteError } from '../core/errors.js';
import { networkErrorCode, networkFailure, type NetworkFailure } from '../core/network.js';
import { redactText } from '../core/redact.js';
import { untrusted } from '../core/untrusted.js';

/** What the tool was doing when the Management API failed; shapes the message and hint. */
export interface CallContext {
  operation: 'list' | 'read' | 'create' | 'update' | 'delete' | 'deploy' | 'test';
  /** What was asked for, for messages. */
  resource: 'connection' | 'tenant settings' | 'phone provider' | 'Action' | 'trigger bindings';
  /** The connection (or other object) as the user named it. */
  target?: string | undefined;
  domain: string;
}

const SCOPE_HINT = (scope: string | undefined) =>
  `grant ${scope === undefined ? 'the scope this call needs (README, "Set up a Machine-to-Machine application", lists them)' : `the "${scope}" scope`} to your Machine-to-Machine app: Dashboard > Applications > APIs > Auth0 Management API > Machine to Machine Applications (a --token must be issued with it too)`;

/** The code of a request whose answer was a redirect, which the client does not follow. */
export const REDIRECT_NOT_FOLLOWED = 'ERR_REDIRECT_NOT_FOLLOWED';

/** Set by the client on the failure of a token request that the SDK passes on as it is. */
export const TOKEN_REQUEST_FAILED = 'auth0SmsGatewayTokenRequestFailed';

const NETWORK_EXPLANATIONS: Record<NetworkFailure, [string, string]> = {
  'dns-not-found': ['cannot resolve the tenant domain', 'check --domain / AUTH0_DOMAIN (e.g. acme.eu.auth0.com) and your DNS'],
  'dns-temporary': ['DNS lookup of the tenant domain failed', 'check your network connection and DNS, then retry'],
  refused: ['the connection to the tenant was refused', 'check --domain / AUTH0_DOMAIN and any proxy or firewall'],
  reset: ['the connection to the tenant was reset', 'retry; if it persists, check your proxy or firewall'],
  'connect-timeout': ['the connection to the tenant timed out', 'check your network connection, then retry'],
  'answer-timeout': ['the tenant did not answer in time', 'check your network connection, then retry'],
  unreachable: ['there is no route to the tenant', 'check your network connection and --domain, then retry'],
  'not-https': ['the tenant domain does not speak HTTPS', 'check --domain / AUTH0_DOMAIN and any proxy'],
  'tls-untrusted': ['the TLS certificate of the tenant is not trusted', 'behind a TLS-inspecting proxy, point NODE_EXTRA_CA_CERTS at its CA certificate'],
};

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
  const described = describeFailure(error, context);
  if (!answerMayBeLost(error)) return described;
  return new CliError(described.exitCode, described.message, { hint: described.hint, cause: described.cause, missingScope: described.missingScope, answerLost: true });
}

/**
 * Whether a failed request may have been carried out: no answer seen (timeout, network error),
 * or an answer that does not say it was not (5xx, 408, 429). A failed token request sent no
 * Management API request at all.
 */
function answerMayBeLost(error: unknown): boolean {
  const message = String((error as { message?: unknown })?.message ?? '');
  if (message.startsWith('ManagementClient: token request')) return false;
  if ((error as Record<string, unknown> | null)?.[TOKEN_REQUEST_FAILED] === true) return false;
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode !== 'number') return true;
  return statusCode >= 500 || statusCode === 408 || statusCode === 429;
}

function describeFailure(error: unknown, context: CallContext): CliError {
  const name = (error as { name?: unknown })?.name;
  const message = String((error as { message?: unknown })?.message ?? '');
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  const body = bodyOf(error);
  // Auth0's own words, redacted and rendered safe: the message can quote what was sent.
  const apiMessage = typeof body.message === 'string' ? untrusted(redactText(body.message)) : undefined;
  const errorCode = typeof body.errorCode === 'string' ? body.errorCode : undefined;
  const what = context.target === undefined ? '' : ` "${untrusted(context.target)}"`;

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
        `Auth0 rejected the client credentials (${statusCode}${typeof body.error === 'string' ? ` ${untrusted(body.error)}` : ''})`,
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
      case 400:
      case 422:
        // Payload and path validation name the property: the input is at fault, not the network
        // (docs/auth0-facts.md#errors).
        if (errorCode === 'invalid_body' || errorCode === 'invalid_uri' || errorCode === 'invalid_query_string') {
          // "… on property options.from." : the sentence's full stop is not part of the name.
          const property = apiMessage?.match(/on property ([A-Za-z0-9_.[\]-]+)/)?.[1]?.replace(/\.$/, '');
          return new CliError(ExitCode.input, `Auth0 refused the ${context.resource}${property === undefined ? '' : ` (${property})`}: ${apiMessage ?? errorCode}`, {
            hint: property === undefined ? 'fix the value Auth0 names, then run again' : `fix ${property}, then run again`,
            cause: error,
          });
        }
        return remoteError(`Auth0 refused the request (HTTP ${statusCode}${errorCode === undefined ? '' : `, ${errorCode}`})${apiMessage ? `: ${apiMessage}` : ''}`, '--verbose shows each call and its status', error);
      case 403: {
        // A 403 is a missing scope only when Auth0 says so; others (a deprecated feature, a
        // tenant setting) carry their own message.
        const scopeNamed = apiMessage?.match(/(?:expected any of:\s*|requires the "?)((?:read|create|update|delete):[a-z_]+)/)?.[1];
        if (errorCode === 'insufficient_scope' || scopeNamed !== undefined || /insufficient scope/i.test(apiMessage ?? '')) {
          const missing = scopeNamed === undefined ? `missing scope (Auth0 did not name it; the call: ${context.operation} ${context.resource})` : `missing scope ${scopeNamed}`;
          return new CliError(ExitCode.remote, `${missing}: ${apiMessage ?? 'Forbidden'}`, { hint: SCOPE_HINT(scopeNamed), cause: error, missingScope: scopeNamed });
        }
        return remoteError(`Auth0 refused the request (403${errorCode === undefined ? '' : `, ${errorCode}`}): ${apiMessage ?? 'Forbidden'}`, 'the message above says why; it is not a missing scope', error);
      }
      case 404:
        if (context.resource === 'connection') {
          return new CliError(ExitCode.input, `connection${what} not found in ${context.domain}`, {
            hint: 'run `auth0-sms-gateway list` to see the SMS connections and their ids',
            cause: error,
          });
        }
        return remoteError(`the ${context.resource}${what} was not found in ${context.domain}${apiMessage ? `: ${apiMessage}` : ''}`, 'someone may have removed it meanwhile: run `auth0-sms-gateway status` to see the current state', error);
      case 409:
        return remoteError(
          `Auth0 refused the ${context.resource} (409 Conflict): ${apiMessage ?? 'conflict'}`,
          context.resource === 'connection'
            ? 'a naming conflict (another connection has this name for one of its applications), not a concurrent edit: rename one of them'
            : 'Auth0 allows only one of these per tenant: run `auth0-sms-gateway status` to see the one there',
          error,
        );
      case 429:
        return remoteError('rate limited by the Management API after several retries (429)', 'wait for the rate limit to reset (a minute at most) and retry; other tools on this tenant share the limit', error);
      default:
        if (statusCode >= 500) {
          return remoteError(`the Management API failed (HTTP ${statusCode})`, 'a problem on Auth0\'s side: retry in a moment; see https://status.auth0.com', error);
        }
        return remoteError(`the Management API refused the request (HTTP ${statusCode}${errorCode === undefined ? '' : `, ${errorCode}`})${apiMessage ? `: ${apiMessage}` : ''}`, '--verbose shows each call and its status', error);
    }
  }

  const code = networkErrorCode(error);
  if (code === REDIRECT_NOT_FOLLOWED) {
    return remoteError(
      `${context.domain} answered with a redirect, which is not followed (it could carry credentials or a write's body to another address)`,
      'AUTH0_DOMAIN / --domain must name the tenant itself (e.g. acme.eu.auth0.com), not a proxy or a login page',
      error,
    );
  }
  if (code !== undefined) {
    const failure = networkFailure(code);
    if (failure === 'tls-untrusted') {
      return remoteError(`the TLS certificate of ${context.domain} is not trusted (${code})`, NETWORK_EXPLANATIONS[failure][1], error);
    }
    if (failure !== undefined) return remoteError(`${NETWORK_EXPLANATIONS[failure][0]} (${context.domain}, ${code})`, NETWORK_EXPLANATIONS[failure][1], error);
    return remoteError(`network error talking to ${context.domain} (${code})`, 'check your network connection and --domain, then retry', error);
  }
  if (message === 'fetch failed' || name === 'TypeError') {
    return remoteError(`cannot reach ${context.domain}`, 'check your network connection and --domain, then retry', error);
  }
  return remoteError(`unexpected error talking to the Management API: ${untrusted(redactText(message).split('\n')[0] ?? '')}`, '--verbose shows the details', error);
}
