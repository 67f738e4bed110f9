/*
 * The gateway URL: the one rule for what may be stored or called, what Auth0 cannot reach,
 * and how a URL is shown without the credentials it may carry. Pure and zod-free; the zod
 * schema in validate.ts and test-gateway's client both call it.
 */

export const GATEWAY_URL_MIN = 8;
export const GATEWAY_URL_MAX = 255;

export interface GatewayUrlRule {
  /**
   * test-gateway and the Action's settings block: http:// is fine for a gateway on the
   * developer's machine, and Auth0's stored-URL limits do not apply to a URL that is only called.
   */
  allowHttp?: boolean;
}

/** C0 and C1 control characters, DEL, and the bidi controls that reorder what a terminal shows. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The first problem with a gateway URL, or undefined. Never repeats the URL: it may carry a credential. */
export function gatewayUrlProblem(value: string, rule: GatewayUrlRule = {}): string | undefined {
  if (value === '') return 'gateway URL is empty: pass the https:// address of your SMS gateway';
  if (CONTROL_CHARACTERS.test(value)) return 'gateway URL contains control characters or line breaks: pass the address alone';
  if (rule.allowHttp === true) {
    if (!/^https?:\/\//i.test(value)) return 'gateway URL is not a valid URL: it must start with http:// or https://';
  }
  if (/\s/.test(value)) return 'gateway URL contains spaces: pass the address alone, percent-encode anything else';
  // A URL copied from the tool's own output: written as it is, it would replace the credential.
  if (value.includes(REDACTED_URL_PART)) return `gateway URL holds ${REDACTED_URL_PART}, which this tool prints in place of a credential: put the real value in`;
  if (rule.allowHttp !== true) {
    if (value.length > GATEWAY_URL_MAX) return `gateway URL has ${value.length} characters; Auth0 accepts at most ${GATEWAY_URL_MAX}: use a shorter address`;
    if (value.length < GATEWAY_URL_MIN) return `gateway URL is shorter than ${GATEWAY_URL_MIN} characters: pass a full address such as https://sms.example.com/send`;
    // The Management API's pattern for gateway_url is `^https://`, case-sensitive, so
    // `HTTPS://` fails too (https://auth0.com/docs/api/management/v2/connections/patch-connections-by-id).
    if (!value.startsWith('https://')) {
      return /^http:\/\//i.test(value)
        ? 'gateway URL must use https://, not http://: Auth0 only calls gateways over HTTPS (put TLS in front of it)'
        : 'gateway URL must start with https://: Auth0 only calls gateways over HTTPS';
    }
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'gateway URL is not a valid URL: use the form https://sms.example.com/send';
  }
  if (url.hostname === '') return 'gateway URL has no host: use the form https://sms.example.com/send';
  if (url.username !== '' || url.password !== '') {
    return 'gateway URL must not hold a user name or password (user:password@): it would be stored and shown as plain text; use bearer authentication instead';
  }
  return undefined;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** What kind of address Auth0 cannot reach this IPv4 address is, if any. */
function privateIpv4(host: string): string | undefined {
  const match = IPV4.exec(host);
  if (match === null) return undefined;
  const [a, b] = [Number(match[1]), Number(match[2])];
  if (a === 127) return 'a loopback address';
  if (a === 0) return 'an unspecified address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private network address';
  if (a === 169 && b === 254) return 'a link-local address';
  return undefined;
}

function privateIpv6(bracketed: string): string | undefined {
  const host = bracketed.slice(1, -1);
  if (host === '::1') return 'a loopback address';
  if (host === '::') return 'an unspecified address';
  // IPv4-mapped addresses; the URL parser writes them in hex (::ffff:7f00:1).
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped !== null) {
    const high = parseInt(mapped[1] ?? '0', 16);
    const low = parseInt(mapped[2] ?? '0', 16);
    return privateIpv4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  if (/^f[cd][0-9a-f]{2}:/.test(host)) return 'a private network address';
  if (/^fe[89ab][0-9a-f]:/.test(host)) return 'a link-local address';
  return undefined;
}

/** `host` as the URL parser normalises it: lower case, IPv4 dotted, IPv6 in brackets. */
function unreachableReason(host: string): string | undefined {
  if (host === 'localhost' || host.endsWith('.localhost')) return 'this machine';
  if (host.startsWith('[')) return privateIpv6(host);
  if (IPV4.test(host)) return privateIpv4(host);
  if (host.endsWith('.local')) return 'a local-network (mDNS) name';
  if (host.endsWith('.internal') || host.endsWith('.home.arpa')) return 'an internal name';
  // Single-label names only resolve inside a private network.
  if (!host.includes('.')) return 'a name without a domain';
  return undefined;
}

/**
 * Warnings, not errors: a host Auth0 cannot reach (it calls the gateway from its own servers
 * on the internet; the name may still resolve publicly, or a tunnel may come later), and a
 * credential in the query string (it is stored in the tenant in clear text and shown to
 * everyone who can read the connection). An invalid URL gives none: gatewayUrlProblem says why.
 */
export function gatewayUrlWarnings(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  const warnings: string[] = [];
  const host = url.hostname.toLowerCase();
  const reason = unreachableReason(host);
  if (reason !== undefined) {
    warnings.push(`gateway URL host ${host} is ${reason}: Auth0 calls the gateway from the internet and cannot reach it; use a public https:// address (a tunnel works for testing)`);
  }
  const secretNames = [...url.searchParams.keys()].filter(isSecretQueryName);
  if (secretNames.length > 0) {
    warnings.push(
      `gateway URL carries a credential in its query (${[...new Set(secretNames)].join(', ')}): Auth0 stores it in clear text and shows it to anyone who can read the connection; prefer bearer authentication (the tool shows it redacted)`,
    );
  }
  return warnings;
}

export const REDACTED_URL_PART = '[redacted]';

/** Words that make a query parameter a credential when its name ends with one. */
const SECRET_QUERY_WORDS = new Set([
  'token', 'key', 'apikey', 'apitoken', 'secret', 'password', 'passwd', 'pwd', 'pass', 'passphrase',
  'sig', 'signature', 'auth', 'authorization', 'credential', 'credentials', 'jwt', 'bearer',
]);
/** Endings that make one even written as a single word (`apitoken`, `clientsecret`). */
const SECRET_QUERY_ENDING = /(?:token|secret|password|apikey|signature|jwt)$/;

/**
 * Whether a query parameter carries a credential: `token`, `api_key`, `X-Api-Key`,
 * `accessToken`, `sessionToken`, `apitoken`, `sig`, `jwt`, `pass`, … The name is cut into
 * words at separators and camelCase humps, and its last word decides (`key_id`, `token_type`
 * and `auth_mode` name something about a credential, not one).
 */
export function isSecretQueryName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words.at(-1);
  return (last !== undefined && SECRET_QUERY_WORDS.has(last)) || SECRET_QUERY_ENDING.test(name.toLowerCase());
}

/**
 * The URL as written, with a `user:password@` part and the values of secret-named query
 * parameters replaced by `[redacted]`. By position in the text, never by looking the values
 * up elsewhere, so nothing else is hidden and the rest stays byte for byte what is stored.
 * Strings that are not http(s) URLs come back unchanged.
 */
export function redactUrl(value: string): string {
  return replaceUrlCredentials(value, () => REDACTED_URL_PART);
}

/**
 * The credentials in a URL (the password of a `user:password` part, or a `token@` part whole;
 * the values of secret-named query parameters), to be hidden wherever they turn up: a gateway
 * may echo its own URL in an answer, where no URL shape surrounds them. Only values of at least
 * 12 characters: shorter ones (a user name like "sms-gateway", `?key=gateway`) would hide
 * ordinary words everywhere, and a real credential is longer.
 */
export function urlCredentials(value: string): string[] {
  const found: string[] = [];
  replaceUrlCredentials(value, (credential, part) => {
    const colon = credential.indexOf(':');
    const secret = part === 'userinfo' && colon !== -1 ? credential.slice(colon + 1) : credential;
    if (secret.length >= 12) found.push(secret);
    return credential;
  });
  return found;
}

/** `value` with each credential part (see redactUrl) replaced by what `replace` returns for it. */
function replaceUrlCredentials(value: string, replace: (credential: string, part: 'userinfo' | 'query') => string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value);
  if (scheme === null || !/^https?:/i.test(scheme[0])) return value;
  const start = scheme[0].length;
  const authorityEnd = firstIndexOf(value, ['/', '?', '#'], start);
  const authority = value.slice(start, authorityEnd);
  const at = authority.lastIndexOf('@');
  let out = value.slice(0, start) + (at === -1 ? authority : `${replace(authority.slice(0, at), 'userinfo')}@${authority.slice(at + 1)}`);
  const rest = value.slice(authorityEnd);
  const queryStart = rest.indexOf('?');
  if (queryStart === -1) return out + rest;
  const fragmentStart = rest.indexOf('#', queryStart);
  const queryEnd = fragmentStart === -1 ? rest.length : fragmentStart;
  const query = rest
    .slice(queryStart + 1, queryEnd)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      let name = pair.slice(0, equals);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // an undecodable name is compared as written
      }
      return isSecretQueryName(name) ? `${pair.slice(0, equals)}=${replace(pair.slice(equals + 1), 'query')}` : pair;
    })
    .join('&');
  out += `${rest.slice(0, queryStart)}?${query}${rest.slice(queryEnd)}`;
  return out;
}

function firstIndexOf(text: string, needles: string[], from: number): number {
  let best = text.length;
  for (const needle of needles) {
    const index = text.indexOf(needle, from);
    if (index !== -1 && index < best) best = index;
  }
  return best;
}
