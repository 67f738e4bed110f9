import { GatewayConfigurationError, GatewayVerificationError } from './errors.js';
import { parseGatewayPayload, type GatewayPayload } from './payload.js';
import { createTokenVerifier, type GatewayTokenClaims, type TokenVerifier, type VerifyGatewayRequestOptions } from './verify.js';
import { shownValue } from './type-name.js';

// One answer to one gateway request, whatever carries it: createGatewayHandler (Fetch API
// Request/Response) and startGatewayServer (node:http) both call answerGatewayRequest, so they
// answer every case with the same status, headers and JSON body.
//
// Auth0 counts only HTTP 200 as delivered
// (https://auth0.com/docs/authenticate/passwordless/authentication-methods/use-sms-gateway-passwordless);
// every other answer says why in `{ ok: false, error, message }`, which never holds the token
// or the secret.

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** What a gateway is told about an accepted message, apart from the payload itself. */
export interface GatewayRequestMeta {
  /** The request method (always POST for an accepted message). */
  method: string;
  /** The request path, without the query string. */
  path: string;
  /** When the request was accepted. */
  receivedAt: Date;
  /** Claims of the verified token; null when the gateway runs without authentication. */
  claims: GatewayTokenClaims | null;
}

/** Verification as for verifyGatewayRequest, and the body limit. */
export interface GatewayHandlerVerifyOptions extends VerifyGatewayRequestOptions {
  allowUnauthenticated?: false | undefined;
  /** Bigger bodies get 413 without being read further; defaults to 64 KiB (an SMS payload is a few hundred bytes). */
  maxBodyBytes?: number | undefined;
}

/**
 * No token check at all, like a connection without gateway_authentication. Must be asked for
 * explicitly: options without a secret are an error, never an open gateway.
 */
export interface GatewayHandlerUnauthenticatedOptions {
  allowUnauthenticated: true;
  /** Bigger bodies get 413 without being read further; defaults to 64 KiB. */
  maxBodyBytes?: number | undefined;
}

export type GatewayHandlerOptions = GatewayHandlerVerifyOptions | GatewayHandlerUnauthenticatedOptions;

/** What every answer's `error` may be: a GatewayVerificationError code, or one of the gateway's own. */
export type GatewayRejectionCode =
  | GatewayVerificationError['code']
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'handler_failed'
  | 'internal_error';

/** @internal An answer, before a transport writes it. */
export interface GatewayAnswer {
  status: 200 | 400 | 401 | 405 | 413 | 500;
  /** `ok` for 200. */
  code: GatewayRejectionCode | 'ok';
  /** Why, for a rejection ('' for 200); never holds the token or the secret. */
  message: string;
  /** The JSON body. */
  body: string;
  /** Header names in lower case; content-type and content-length included. Shared: never modify. */
  headers: Readonly<Record<string, string>>;
  /** 413: the rest of the body was not read, so the connection cannot carry another request. */
  closeConnection: boolean;
}

/** @internal One request as a transport sees it. */
export interface GatewayExchange {
  method: string;
  /** The raw Authorization header value. */
  authorization: unknown;
  /** Content-Length when the request declares one. */
  declaredLength: number | undefined;
  /** Reads the whole body, or stops after `limit` bytes and resolves to null. */
  readBody(limit: number): Promise<Uint8Array | null>;
  /** Hands the verified payload over; the answer is 500 when it throws or rejects. */
  deliver(payload: GatewayPayload, claims: GatewayTokenClaims | null): unknown;
}

/** @internal Options checked once: a verifier (or none), and the body limit. */
export interface GatewayCore {
  verifier: TokenVerifier | null;
  maxBodyBytes: number;
  /** Texts that must never appear in an answer: the secret. */
  secrets: readonly string[];
}

/** @internal Checks the options once; throws GatewayConfigurationError. */
export function createGatewayCore(options: GatewayHandlerOptions): GatewayCore {
  if (typeof options !== 'object' || options === null) {
    throw new GatewayConfigurationError('invalid_handler_options', 'pass { secret, audience, subject?, secretBase64Encoded? } from the connection\'s gateway_authentication, or { allowUnauthenticated: true }');
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (typeof maxBodyBytes !== 'number' || !Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new GatewayConfigurationError('invalid_max_body_bytes', `maxBodyBytes must be a positive whole number, not ${shownValue(maxBodyBytes)}`);
  }
  if (options.allowUnauthenticated === true) {
    if ('secret' in options && options.secret !== undefined) {
      throw new GatewayConfigurationError('invalid_handler_options', 'allowUnauthenticated is true but a secret is given: leave out the secret to accept requests without a token, or allowUnauthenticated to verify them');
    }
    return { verifier: null, maxBodyBytes, secrets: [] };
  }
  // Throws for a missing secret or audience: the handler is never open by omission.
  const verifier = createTokenVerifier(options);
  return { verifier, maxBodyBytes, secrets: [options.secret] };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const OK_BODY = JSON.stringify({ ok: true });
const REDACTED = '[redacted]';

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

function rejection(status: GatewayAnswer['status'], code: GatewayRejectionCode, message: string, extraHeaders?: Record<string, string>): GatewayAnswer {
  const body = JSON.stringify({ ok: false, error: code, message });
  return {
    status,
    code,
    message,
    body,
    headers: { 'content-type': JSON_TYPE, 'content-length': String(utf8Length(body)), ...extraHeaders },
    closeConnection: status === 413,
  };
}

// The one answer every delivered message gets: made once.
const OK: GatewayAnswer = Object.freeze({
  status: 200,
  code: 'ok',
  message: '',
  body: OK_BODY,
  headers: Object.freeze({ 'content-type': JSON_TYPE, 'content-length': String(OK_BODY.length) }),
  closeConnection: false,
});

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as { then?: unknown } | null)?.then === 'function';

const tooLarge = (limit: number): GatewayAnswer =>
  rejection(413, 'payload_too_large', `payload too large: the body exceeds ${limit} bytes; an Auth0 SMS payload is a few hundred bytes`);

/** A handler's error message, cut short and without the secret or the request's token. */
function scrub(error: unknown, secrets: readonly string[]): string {
  let text = error instanceof Error ? error.message : String(error);
  for (const secret of secrets) {
    if (!text.includes(secret)) continue;
    // A secret of a few characters is not replaced inside words (it would hide half the
    // message and point at the secret's letters): the whole message is withheld instead.
    if (secret.length < 4) return 'its message is withheld because it contains the secret';
    text = text.split(secret).join(REDACTED);
  }
  // Anything shaped like a compact JWS (the bearer token, echoed by a provider or a log line).
  // A match starts only where a run of such characters starts: a message of one long run (a
  // provider quoting a 60 KB recipient) costs one pass, not one per character of it.
  text = text.replace(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, REDACTED);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/**
 * @internal The one place that decides an answer: method, body size, token, payload, then
 * delivery. The body is read before the token is checked so that the connection stays usable
 * (HTTP/1.1 keep-alive) whatever the verdict; it is never read past the limit.
 */
export async function answerGatewayRequest(core: GatewayCore, exchange: GatewayExchange): Promise<GatewayAnswer> {
  try {
    const { method } = exchange;
    if (method !== 'POST') {
      // RFC 9110 §15.5.6: a 405 lists the allowed methods.
      return rejection(405, 'method_not_allowed', `method not allowed: Auth0 sends ${method === '' ? 'requests' : `POST, not ${method}`}`, { allow: 'POST' });
    }
    const limit = core.maxBodyBytes;
    if (exchange.declaredLength !== undefined && exchange.declaredLength > limit) return tooLarge(limit);
    const raw = await exchange.readBody(limit);
    if (raw === null) return tooLarge(limit);

    let claims: GatewayTokenClaims | null = null;
    let payload: GatewayPayload;
    try {
      if (core.verifier !== null) {
        // Synchronous but for the very first call (which loads node:crypto): no await, no extra tick.
        const verified = core.verifier.verify(exchange.authorization);
        claims = isThenable(verified) ? await verified : verified;
      }
      payload = parseGatewayPayload(raw);
    } catch (error) {
      if (!(error instanceof GatewayVerificationError)) throw error;
      // RFC 6750 §3 and §3.1: a 401 for a bearer-protected resource names the scheme, and the
      // error (invalid_token) only when the request carried a bearer credential at all.
      return error.status === 401
        ? rejection(401, error.code, error.message, { 'www-authenticate': error.code === 'missing_bearer' ? 'Bearer' : 'Bearer error="invalid_token"' })
        : rejection(400, error.code, error.message);
    }
    try {
      const delivered = exchange.deliver(payload, claims);
      if (isThenable(delivered)) await delivered;
    } catch (error) {
      return rejection(500, 'handler_failed', `the message handler failed: ${scrub(error, core.secrets)}`);
    }
    return OK;
  } catch {
    return rejection(500, 'internal_error', 'the gateway failed to handle the request');
  }
}

/**
 * The Fetch API's Request and Response as the consumer's own types have them (lib "dom", or
 * @types/node), named through `globalThis`: the declarations then type-check in a project that
 * has neither (one that only verifies requests), where a plain `Request` would be an unknown
 * name. Such a project has no Request to pass, so the handler's types there are `never`.
 */
export type FetchRequest = typeof globalThis extends { Request: { prototype: infer R } } ? R : never;
/** See FetchRequest. */
export type FetchResponse = typeof globalThis extends { Response: { prototype: infer R } } ? R : never;

/** What `send` gets besides the payload in createGatewayHandler. */
export interface GatewayHandlerMeta extends GatewayRequestMeta {
  /** The request, for anything else the gateway wants from it (other headers, the client address a platform adds). Its body has been read. */
  request: FetchRequest;
}

/** Delivers one verified message (calls the SMS provider); a throw or rejection answers 500. */
export type GatewaySendFunction<Meta extends GatewayRequestMeta = GatewayHandlerMeta> = (payload: GatewayPayload, meta: Meta) => unknown;

/** Reads a Fetch API body chunk by chunk, never holding more than `limit` bytes. */
async function readRequestBody(request: Request, limit: number): Promise<Uint8Array | null> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Stop the upload: nothing past the limit is read or kept.
      reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? '/';
  }
}

function declaredLength(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/**
 * A gateway endpoint for Fetch API runtimes (Node 20+, Deno, Bun, Cloudflare Workers with
 * `nodejs_compat`, Next.js route handlers): verifies each request as Auth0 sends it, calls
 * `send(payload, meta)`, and answers 200 `{ ok: true }` once it resolves; 400 for a malformed
 * payload, 401 (with `WWW-Authenticate: Bearer`) for a missing or bad token, 405 (with
 * `Allow: POST`) for another method, 413 past `maxBodyBytes` (read incrementally, never
 * buffered further), 500 when `send` throws. Options are checked here: a missing secret or
 * audience throws GatewayConfigurationError unless `{ allowUnauthenticated: true }` is passed.
 *
 * @example
 * export const POST = createGatewayHandler(
 *   { secret: process.env.GATEWAY_SECRET!, audience: 'urn:my-sms-gateway', subject: 'urn:Auth0' },
 *   async ({ recipient, body }) => { await sms.send(recipient, body); },
 * );
 */
export function createGatewayHandler(options: GatewayHandlerOptions, send: GatewaySendFunction): (request: FetchRequest) => Promise<FetchResponse> {
  if (typeof send !== 'function') {
    throw new GatewayConfigurationError('invalid_handler_options', 'createGatewayHandler needs a send(payload, meta) function that delivers the message');
  }
  const core = createGatewayCore(options);
  return async (request: Request): Promise<Response> => {
    const answer = await answerGatewayRequest(core, {
      method: request.method,
      authorization: request.headers.get('authorization'),
      declaredLength: declaredLength(request.headers.get('content-length')),
      readBody: (limit) => readRequestBody(request, limit),
      deliver: (payload, claims) => send(payload, { method: request.method, path: pathOf(request.url), receivedAt: new Date(), claims, request }),
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}
