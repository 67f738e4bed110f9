/*
 * What a failed request's error says about the network, in one place for both the calls to
 * Auth0 and the calls to a gateway. Each caller words the message for its own audience.
 */

/**
 * The error code of a failed fetch, the outermost one that has a code. undici wraps the socket error in `cause`, and
 * when a host has several addresses it tries each (happy eyeballs) and throws an
 * AggregateError whose `errors` hold the codes.
 */
export function networkErrorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || error === null || typeof error !== 'object') return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested)) {
    for (const inner of nested) {
      const innerCode = networkErrorCode(inner, depth + 1);
      if (innerCode !== undefined) return innerCode;
    }
  }
  return networkErrorCode((error as { cause?: unknown }).cause, depth + 1);
}

export type NetworkFailure =
  | 'dns-not-found'
  | 'dns-temporary'
  | 'refused'
  | 'reset'
  | 'connect-timeout'
  | 'answer-timeout'
  | 'unreachable'
  | 'not-https'
  | 'tls-untrusted';

const KINDS: Record<string, NetworkFailure> = {
  ENOTFOUND: 'dns-not-found',
  EAI_AGAIN: 'dns-temporary',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  ETIMEDOUT: 'connect-timeout',
  UND_ERR_CONNECT_TIMEOUT: 'connect-timeout',
  UND_ERR_HEADERS_TIMEOUT: 'answer-timeout',
  UND_ERR_BODY_TIMEOUT: 'answer-timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ERR_SSL_WRONG_VERSION_NUMBER: 'not-https',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'not-https',
};

const TLS_CODE = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(GET|VERIFY)|ERR_TLS_|ERR_SSL_|ERR_OSSL|HOSTNAME_MISMATCH$|EPROTO$)/;

/** What kind of network failure a code is, or undefined for a code this tool does not know. */
export function networkFailure(code: string | undefined): NetworkFailure | undefined {
  if (code === undefined) return undefined;
  return KINDS[code] ?? (TLS_CODE.test(code) ? 'tls-untrusted' : undefined);
}
