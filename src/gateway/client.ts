import { randomInt } from 'node:crypto';
import type { BearerSettings } from '../core/bearer.js';
import { inputError } from '../core/errors.js';
import { gatewayUrlProblem } from '../core/gateway-url.js';
import { networkErrorCode, networkFailure } from '../core/network.js';
import { REDACTED, redactText } from '../core/redact.js';
import { signGatewayTokenForCli } from './jwt.js';
import { renderSmsBody, toSmsTemplateSyntax } from './template.js';

/** The connection options that decide the request Auth0 sends to the gateway. */
export interface GatewayClientSettings {
  gatewayUrl: string;
  /** null: Auth0 sends no Authorization header. */
  authentication: BearerSettings | null;
  forwardReqInfo: boolean;
  from?: string | undefined;
  template?: string | undefined;
  syntax?: string | undefined;
}

export interface SendTestMessageOptions {
  /** Phone number the gateway should text. */
  to: string;
  /** One-time code put into the template; a random 6-digit code by default. */
  code?: string | undefined;
  /** `req.ip` when forward_req_info is on. */
  ip?: string | undefined;
  /** `req["user-agent"]` when forward_req_info is on. */
  userAgent?: string | undefined;
  /** Give up after this many milliseconds; defaults to the caller's limit (`waitLimit`). */
  timeoutMs?: number | undefined;
  /**
   * How long the caller of the gateway waits, and who it is: Auth0 waits 30 s for a
   * connection's gateway (the default), the tool's phone-provider Action 15 s. An answer after
   * it is a timeout to that caller, whatever its status.
   */
  waitLimit?: WaitLimit | undefined;
  /** Build the request and return it without sending. */
  dryRun?: boolean | undefined;
  /** Clock for the JWT's iat/exp. */
  now?: Date | undefined;
  fetchImpl?: typeof fetch | undefined;
}

export interface GatewayRequestBody {
  recipient: string;
  body: string;
  /** The connection's `from`; left out when it has none. */
  sender?: string;
  req?: { ip: string; 'user-agent': string };
}

/** The request as sent, safe to print: the bearer token is replaced by `[redacted]`. */
export interface GatewayRequestRecord {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: GatewayRequestBody;
}

export interface TestMessageResult {
  url: string;
  /** HTTP status, or null when nothing was received (dry run, timeout, network error). */
  status: number | null;
  /** Milliseconds until the response headers arrived (or the failure); 0 for a dry run. */
  ms: number;
  /** Auth0 succeeds on HTTP 200 only. */
  ok: boolean;
  /** What Auth0 would report (its `error_description`), or an explanation of a network failure; null on 200 and dry run. */
  auth0Error: string | null;
  /** One line on the likely fix, or null. */
  hint: string | null;
  /** The start of the gateway's answer (redacted, at most 500 characters); Auth0 ignores it, people need it. */
  responseBody: string | null;
  dryRun: boolean;
  request: GatewayRequestRecord;
}

/** Auth0 gives up on the gateway after 30 s (docs/auth0-facts.md#what-auth0-sends-the-gateway). */
export const AUTH0_GATEWAY_TIMEOUT_MS = 30_000;

/** Who calls the gateway and how long it waits for the answer. */
export interface WaitLimit {
  ms: number;
  who: string;
}

export const AUTH0_WAIT: WaitLimit = { ms: AUTH0_GATEWAY_TIMEOUT_MS, who: 'Auth0' };
/** The tool's custom-phone-provider Action gives up after 15 s (GATEWAY_TIMEOUT_MS in src/action/custom-phone-provider.js). */
export const ACTION_WAIT: WaitLimit = { ms: 15_000, who: "the phone provider's Action" };
// RFC 5737 documentation address and a recognisable agent, so a gateway's logs show a test.
const DEFAULT_IP = '203.0.113.10';
const DEFAULT_USER_AGENT = 'Mozilla/5.0 (compatible; auth0-sms-gateway test-gateway)';
const RESPONSE_BODY_LIMIT = 500;

/**
 * Sends the gateway the request Auth0 sends for a passwordless SMS
 * (docs/auth0-facts.md#what-auth0-sends-the-gateway): POST, JSON `{ recipient, body, sender }`, `req` only with
 * forward_req_info, and a bearer JWT when gateway_authentication is set; then judges the answer
 * the way Auth0 does.
 */
export async function sendTestMessage(settings: GatewayClientSettings, options: SendTestMessageOptions): Promise<TestMessageResult> {
  const url = parseGatewayUrl(settings.gatewayUrl);
  if (typeof options.to !== 'string' || options.to.trim() === '') throw inputError('the recipient phone number is empty', 'pass --to <phone>');
  const limit = options.waitLimit ?? AUTH0_WAIT;
  const timeoutMs = options.timeoutMs ?? limit.ms;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw inputError(`timeout must be a positive number of milliseconds, not ${String(timeoutMs)}`, 'pass --timeout <ms>');

  const code = options.code ?? String(randomInt(0, 1_000_000)).padStart(6, '0');
  const body: GatewayRequestBody = {
    recipient: options.to,
    body: renderSmsBody(settings.template, code, toSmsTemplateSyntax(settings.syntax)),
  };
  // Without `from` there is no sender to send: left out, as the phone provider's Action leaves
  // it out (docs/auth0-facts.md#what-auth0-sends-the-gateway), the case a gateway must accept.
  if (typeof settings.from === 'string') body.sender = settings.from;
  if (settings.forwardReqInfo) body.req = { ip: options.ip ?? DEFAULT_IP, 'user-agent': options.userAgent ?? DEFAULT_USER_AGENT };

  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const shownHeaders: Record<string, string> = { ...headers };
  // Values that must not reach the result even if the gateway echoes them back.
  const secrets: string[] = [];
  if (settings.authentication !== null) {
    const { secret, secretBase64Encoded, subject, audience } = settings.authentication;
    const token = await signGatewayTokenForCli({ secret, secretBase64Encoded, subject, audience }, { now: options.now });
    headers.authorization = `Bearer ${token}`;
    shownHeaders.authorization = `Bearer ${REDACTED}`;
    secrets.push(token, secret);
  }
  const scrub = (text: string): string => redactText(secrets.reduce((out, secret) => (secret.length >= 4 ? out.split(secret).join(REDACTED) : out), text));
  const request: GatewayRequestRecord = { method: 'POST', url: url.toString(), headers: shownHeaders, body };
  const base = { url: request.url, request };

  if (options.dryRun === true) {
    return { ...base, status: null, ms: 0, ok: false, auth0Error: null, hint: null, responseBody: null, dryRun: true };
  }

  const fetchImpl = options.fetchImpl ?? fetch;
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      // Auth0 judges the gateway's own status code; a redirect is reported, not followed.
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    const ms = Math.round(performance.now() - started);
    const failure = isTimeout(error, signal) ? timeoutFailure(timeoutMs, limit) : explainNetworkError(error, url);
    const auth0Error = failure.message === null ? null : scrub(failure.message);
    return { ...base, status: null, ms, ok: false, auth0Error, hint: failure.hint, responseBody: null, dryRun: false };
  }
  const ms = Math.round(performance.now() - started);
  // Read past the limit by more than any secret is long, hide the secrets, then cut: a secret
  // that starts before the cut is hidden whole, never shown in part.
  const start = await readResponseStart(response, RESPONSE_BODY_LIMIT + Math.max(4096, ...secrets.map((secret) => secret.length)));
  const responseBody = start === null ? null : cut(scrub(start), RESPONSE_BODY_LIMIT);
  const verdict = judgeStatus(response.status, settings.authentication !== null);
  // A 200 that took longer than the caller waits is a timeout to it (possible with a --timeout above the limit).
  if (ms > limit.ms) {
    return { ...base, status: response.status, ms, ok: false, auth0Error: 'Timeout while calling the SMS gateway', hint: `the gateway answered after ${ms} ms; ${limit.who} gives up after ${limit.ms} ms`, responseBody, dryRun: false };
  }
  return { ...base, status: response.status, ms, ok: response.status === 200, auth0Error: verdict.message, hint: verdict.hint, responseBody, dryRun: false };
}

/** The one gateway URL rule, test-gateway's variant: http:// allowed for a local gateway. */
function parseGatewayUrl(raw: string): URL {
  const problem = gatewayUrlProblem(raw, { allowHttp: true });
  if (problem !== undefined) throw inputError(problem, 'pass --gateway-url https://host/path');
  return new URL(raw);
}

interface Failure {
  message: string | null;
  hint: string | null;
}

/** Auth0's verdicts (docs/auth0-facts.md#what-auth0-sends-the-gateway, "Error handling"): only 200 counts. */
export function judgeStatus(status: number, authenticated: boolean): Failure {
  if (status === 200) return { message: null, hint: null };
  if (status === 401) {
    return {
      message: 'Authentication failed while calling the SMS gateway: 401',
      hint: authenticated
        ? 'the gateway refused the JWT: its secret, secret_base64_encoded, audience and subject must match those it was signed with (the connection\'s gateway_authentication, or the phone provider\'s settings)'
        : 'the gateway wants a token but the connection sends none: configure gateway authentication (--auth bearer)',
    };
  }
  const message = `Unexpected response while calling the SMS gateway: ${status}`;
  if (status >= 200 && status < 300) return { message, hint: `Auth0 accepts HTTP 200 only; make the gateway answer 200 instead of ${status}` };
  if (status >= 300 && status < 400) return { message, hint: 'the gateway redirects; set gateway_url to the final URL (this test does not follow redirects)' };
  return { message, hint: 'the gateway refused or failed the request; see its logs and the response body' };
}

function timeoutFailure(timeoutMs: number, limit: WaitLimit): Failure {
  return {
    message: 'Timeout while calling the SMS gateway',
    hint: `no answer within ${timeoutMs} ms; the gateway must answer within the ${limit.ms / 1000} s ${limit.who} waits, so send the SMS asynchronously or speed it up`,
  };
}

function isTimeout(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'));
}

/** Turns a fetch failure into a sentence a person can act on. */
export function explainNetworkError(error: unknown, url: URL): Failure {
  const code = networkErrorCode(error);
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  const where = `${url.hostname}:${port}`;
  const say = (what: string, hint: string): Failure => ({ message: `Could not call the SMS gateway: ${what}${code === undefined ? '' : ` (${code})`}`, hint });

  switch (networkFailure(code)) {
    case 'dns-not-found':
      return say(`DNS lookup found no host named ${url.hostname}`, 'check the host name in gateway_url; Auth0 resolves it in public DNS');
    case 'dns-temporary':
      return say(`DNS lookup of ${url.hostname} failed temporarily`, 'check this machine\'s DNS, then retry');
    case 'refused':
      return say(`connection refused by ${where}: nothing is listening there`, 'start the gateway, or fix the port in gateway_url');
    case 'reset':
      return say(`the connection to ${where} was reset before the gateway answered`, 'see the gateway\'s logs; an https:// URL on a plain-HTTP port, or a proxy, can also reset it');
    case 'connect-timeout':
      return say(`connecting to ${where} timed out; Auth0 would report "Timeout while calling the SMS gateway"`, 'check that the host is up and that a firewall lets the port through');
    case 'answer-timeout':
      return say('the gateway did not answer in time; Auth0 would report "Timeout while calling the SMS gateway"', 'make the gateway answer within 30 s');
    case 'unreachable':
      return say(`no route to ${where}`, 'check the address in gateway_url and this machine\'s network');
    case 'not-https':
      return say(`TLS handshake with ${where} failed: the port does not speak HTTPS`, 'use http:// for a plain-HTTP local gateway, or fix the port');
    case 'tls-untrusted':
      return say(
        `TLS certificate problem with ${where}`,
        'Auth0 only calls gateways with a certificate from a public CA that is valid for the host name and served with its full chain',
      );
    case undefined:
      break;
  }
  const detail = error instanceof Error ? redactText(innermostMessage(error)) : 'unknown error';
  return say(`the request to ${where} failed: ${detail}`, 'check gateway_url and that the gateway is reachable from here');
}

function innermostMessage(error: Error): string {
  let current: Error = error;
  for (let depth = 0; depth < 5 && current.cause instanceof Error; depth += 1) current = current.cause;
  return current.message;
}

const cut = (text: string, limit: number): string => (text.length > limit ? `${text.slice(0, limit)}...` : text);

/** The first characters of the answer, `limit` or a few more; stops reading (and cancels) past the limit, and on any error. */
async function readResponseStart(response: Response, limit: number): Promise<string | null> {
  if (response.body === null) return null;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.length > limit) break;
    }
  } catch {
    // A reset or the timeout while reading the body: the status is what matters.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return text === '' ? null : text;
}
