import { Buffer } from 'node:buffer';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CliError, ExitCode, inputError } from '../core/errors.js';
import { GatewayConfigurationError } from './errors.js';
import { answerGatewayRequest, createGatewayCore, type GatewayAnswer, type GatewayCore, type GatewayRequestMeta } from './handler.js';
import type { GatewayPayload } from './payload.js';

// The CLI's reference gateway (`serve`, `demo`) on node:http. It answers through the same
// function as the library's createGatewayHandler (src/gateway/handler.ts), so both give the
// same status, headers and body for every request. This module is the CLI's: it reports bad
// options as CliError (exit 2), which the library entry never imports.

export interface GatewayServerVerifyOptions {
  secret: string;
  secretBase64Encoded?: boolean | undefined;
  audience: string;
  subject?: string | undefined;
  clockToleranceSeconds?: number | undefined;
}

/** What onMessage is told besides the payload: set by the server, never taken from the request body. */
export interface GatewayMessageMeta extends GatewayRequestMeta {
  remoteAddress: string | undefined;
}

export interface GatewayRejectionMeta {
  /**
   * A GatewayVerificationError code, or `method_not_allowed`, `payload_too_large`,
   * `handler_failed`, `internal_error`; `request_timeout` and `bad_request` when the
   * connection is closed before a request could be read.
   */
  code: string;
  method: string;
  path: string;
  remoteAddress: string | undefined;
}

export interface GatewayServerOptions {
  /** Defaults to 127.0.0.1: a development gateway should not listen on every interface by accident. */
  host?: string | undefined;
  /** 0 (the default) picks a free port. */
  port?: number | undefined;
  /** The connection's gateway_authentication; null accepts requests without a token. */
  verify: GatewayServerVerifyOptions | null;
  /** Serve HTTPS with this key and certificate (PEM), as Auth0 requires of a real gateway URL. */
  tls?: { key: string; cert: string } | undefined;
  /** Bigger bodies get 413; defaults to 64 KiB (an SMS payload is a few hundred bytes). */
  maxBodyBytes?: number | undefined;
  /** A client must send the request headers within this time; defaults to 10 s. */
  headersTimeoutMs?: number | undefined;
  /** A client must send the whole request, body included, within this time; defaults to 30 s. */
  requestTimeoutMs?: number | undefined;
  /** Called for each accepted message before the 200; a throw or rejection answers 500. */
  onMessage?: ((payload: GatewayPayload, meta: GatewayMessageMeta) => void | Promise<void>) | undefined;
  /** Called for each refused request with the status sent and a reason that never holds the token. */
  onRejected?: ((status: number, reason: string, meta: GatewayRejectionMeta) => void) | undefined;
}

export interface GatewayServer {
  url: string;
  port: number;
  /** Stops listening and drops every connection, keep-alive ones included. */
  close(): Promise<void>;
}

const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

function positiveMs(name: string, value: number | undefined, fallback: number): number {
  const ms = value ?? fallback;
  if (!Number.isInteger(ms) || ms <= 0) throw inputError(`${name} must be a positive whole number of milliseconds, not ${String(ms)}`);
  return ms;
}

function coreFor(options: GatewayServerOptions): GatewayCore {
  const { verify, maxBodyBytes } = options;
  try {
    return createGatewayCore(verify === null ? { allowUnauthenticated: true, maxBodyBytes } : { ...verify, maxBodyBytes });
  } catch (error) {
    if (!(error instanceof GatewayConfigurationError)) throw error;
    // Fail at start, not on the first request, and as bad input (exit 2).
    throw error.code === 'empty_audience' ? inputError('the gateway audience is empty', 'pass --audience') : inputError(error.message);
  }
}

/**
 * The two headers the gateway reads, from the raw list. node:http's `req.headers` keeps the
 * first of a repeated Authorization and drops the rest, where a Fetch API `Headers` joins them
 * (which createGatewayHandler then refuses): a repeated one is passed on as the list it is, and
 * refused here too. Reading the raw list also spares building `req.headers` for every request.
 * Node's parser refuses a request that repeats Content-Length at all.
 */
function requestHeaders(raw: readonly string[]): { authorization: string | string[] | undefined; contentLength: string | undefined } {
  let authorization: string | string[] | undefined;
  let contentLength: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const value = raw[i + 1] ?? '';
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      authorization = authorization === undefined ? value : [...[authorization].flat(), value];
    } else if (name.length === 14 && contentLength === undefined && name.toLowerCase() === 'content-length') {
      contentLength = value;
    }
  }
  return { authorization, contentLength };
}

const requestPath = (req: IncomingMessage): string => {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
};

/**
 * A reference SMS gateway: checks each POST the way Auth0's contract allows a gateway to
 * (bearer JWT, then payload) and answers 200 `{ ok: true }`, the only status Auth0 counts as
 * delivered (https://auth0.com/docs/authenticate/passwordless/authentication-methods/use-sms-gateway-passwordless).
 */
export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const host = options.host ?? '127.0.0.1';
  const core = coreFor(options);
  const headersTimeout = positiveMs('headersTimeoutMs', options.headersTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS);
  const requestTimeout = positiveMs('requestTimeoutMs', options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS);
  if (headersTimeout > requestTimeout) throw inputError(`headersTimeoutMs (${headersTimeout}) must not exceed requestTimeoutMs (${requestTimeout})`);
  const { onMessage, onRejected } = options;
  // The latest response on each socket, so that a timeout never writes into a started answer.
  const answering = new WeakMap<Duplex, ServerResponse>();

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? '';
    const socket = req.socket;
    answering.set(socket, res);
    const { authorization, contentLength } = requestHeaders(req.rawHeaders);
    void answerGatewayRequest(core, {
      method,
      authorization,
      declaredLength: contentLength === undefined ? undefined : Number(contentLength),
      readBody: (limit) => readBody(req, limit),
      deliver: (payload, claims) => onMessage?.(payload, { method, path: requestPath(req), remoteAddress: socket.remoteAddress, receivedAt: new Date(), claims }),
    }).then((answer) => {
      // The client left (or a timeout closed the socket): nobody to answer, nothing to report.
      if (socket.destroyed) return;
      writeAnswer(req, res, answer);
      if (answer.status !== 200) onRejected?.(answer.status, answer.message, { code: answer.code, method, path: requestPath(req), remoteAddress: socket.remoteAddress });
    });
  };

  // Node checks the header and request timeouts only every connectionsCheckingInterval (30 s by
  // default), so a 10 s headers timeout could hold a slow client for 40 s. Checking at a tenth
  // of the shorter timeout (at most every second) closes such a client close to the time set.
  const connectionsCheckingInterval = Math.max(10, Math.min(1000, Math.floor(headersTimeout / 10)));
  const serverOptions = { headersTimeout, requestTimeout, connectionsCheckingInterval };
  const server =
    options.tls === undefined ? createServer(serverOptions, handler) : createTlsServer({ ...serverOptions, key: options.tls.key, cert: options.tls.cert }, handler);

  // Replaces Node's default answer to a request that could not be read (a timeout, a parse
  // error) with the gateway's JSON one, and reports it like any other refusal.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const remoteAddress = (socket as Socket).remoteAddress;
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const status = timedOut ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const code = timedOut ? 'request_timeout' : 'bad_request';
    const message = timedOut
      ? `request timeout: the request did not arrive in time (headers within ${headersTimeout} ms, the whole request within ${requestTimeout} ms)`
      : 'bad request: not an HTTP/1.1 request this gateway can read';
    // Not into an answer being written; a finished one belongs to an earlier request.
    const current = answering.get(socket);
    if (current === undefined || !current.headersSent || current.writableFinished) {
      const body = JSON.stringify({ ok: false, error: code, message });
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
    onRejected?.(status, message, { code, method: '', path: '', remoteAddress });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? inputError(`cannot listen on ${host}:${options.port ?? 0}: the port is in use`, 'pass another --port')
          : error.code === 'EACCES'
            ? inputError(`cannot listen on ${host}:${options.port ?? 0}: permission denied`, 'pass a port above 1023')
            : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
              ? inputError(
                  `cannot listen on ${host}: ${error.code === 'ENOTFOUND' ? 'no such host' : 'not an address of this machine'}`,
                  'pass an address of this machine as --host (127.0.0.1, ::1, or 0.0.0.0 for every interface)',
                )
              : new CliError(ExitCode.remote, `cannot listen on ${host}:${options.port ?? 0}: ${error.message}`, { cause: error }),
      );
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${urlHost}:${port}`,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // server.close() waits for keep-alive sockets to go idle; drop them now.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function writeAnswer(req: IncomingMessage, res: ServerResponse, answer: GatewayAnswer): void {
  if (res.headersSent) return;
  if (!answer.closeConnection) {
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
    return;
  }
  // The rest of the body is never read: answer on a connection that then closes, so that a
  // client cannot make the gateway buffer an unbounded body.
  req.pause();
  res.once('finish', () => {
    // A moment for the answer to reach the client before the socket goes away.
    setTimeout(() => req.socket.destroy(), 50).unref();
  });
  res.writeHead(answer.status, { ...answer.headers, connection: 'close' });
  res.end(answer.body);
}

/**
 * Reads the body up to `limit` bytes; past it, stops reading and resolves to null. Rejects when
 * the client goes away first.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  return new Promise<Uint8Array | null>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        done();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      done();
      reject(error);
    };
    const onClose = (): void => {
      done();
      reject(new Error('the client closed the connection before the body ended'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
