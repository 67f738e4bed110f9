import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CliError, ExitCode, inputError } from '../core/errors.js';
import { GatewayVerificationError } from './errors.js';
import { secretKeyBytes } from './jwt.js';
import { parseGatewayPayload, type GatewayPayload } from './payload.js';
import { verifyGatewayToken, type GatewayTokenClaims } from './verify.js';

export interface GatewayServerVerifyOptions {
  secret: string;
  secretBase64Encoded?: boolean | undefined;
  audience: string;
  subject?: string | undefined;
  clockToleranceSeconds?: number | undefined;
}

export interface GatewayMessageMeta {
  method: string;
  path: string;
  remoteAddress: string | undefined;
  receivedAt: Date;
  /** Claims of the verified token; null when the server runs without authentication. */
  claims: GatewayTokenClaims | null;
}

export interface GatewayRejectionMeta {
  /** A GatewayVerificationError code, or `method_not_allowed`, `payload_too_large`, `handler_failed`. */
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

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

class RequestRejection extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A reference SMS gateway: checks each POST the way Auth0's contract allows a gateway to
 * (bearer JWT, then payload; verifyGatewayRequest) and answers 200 `{ ok: true }`, which is the
 * only status Auth0 counts as delivered (auth0-doc-custom-sms-gateway.md, "Error handling").
 */
export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) throw inputError(`maxBodyBytes must be a positive whole number, not ${String(maxBodyBytes)}`);
  const verify = options.verify;
  if (verify !== null) {
    // Fail at start, not on the first request, when the secret cannot be a key.
    secretKeyBytes(verify.secret, verify.secretBase64Encoded ?? false);
    if (verify.audience.length === 0) throw inputError('the gateway audience is empty', 'pass --audience');
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? '';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const remoteAddress = req.socket.remoteAddress;
    try {
      if (method !== 'POST') {
        res.setHeader('allow', 'POST');
        throw new RequestRejection(405, 'method_not_allowed', `method not allowed: Auth0 sends ${method === '' ? 'requests' : `POST, not ${method}`}`);
      }
      const raw = await readBody(req, res, maxBodyBytes);
      let claims: GatewayTokenClaims | null = null;
      if (verify !== null) claims = await verifyGatewayToken(req.headers.authorization, verify);
      const payload = parseGatewayPayload(raw);
      if (options.onMessage) {
        try {
          await options.onMessage(payload, { method, path, remoteAddress, receivedAt: new Date(), claims });
        } catch (error) {
          throw new RequestRejection(500, 'handler_failed', `the message handler failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      sendJson(res, 200, { ok: true });
    } catch (error) {
      let rejection: RequestRejection;
      if (error instanceof RequestRejection) rejection = error;
      else if (error instanceof GatewayVerificationError) rejection = new RequestRejection(error.status, error.code, error.message);
      else rejection = new RequestRejection(500, 'internal_error', 'the gateway failed to handle the request');
      if (rejection.status === 401) {
        // RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
        res.setHeader('www-authenticate', `Bearer error="invalid_token"`);
      }
      sendJson(res, rejection.status, { ok: false, error: rejection.code, message: rejection.message });
      options.onRejected?.(rejection.status, rejection.message, { code: rejection.code, method, path, remoteAddress });
    }
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res);
  };
  const server = options.tls === undefined ? createServer(handler) : createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler);
  // A stalled client should not hold a development gateway (or a test) open for Node's 5-minute default.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? inputError(`cannot listen on ${host}:${options.port ?? 0}: the port is in use`, 'pass another --port')
          : error.code === 'EACCES'
            ? inputError(`cannot listen on ${host}:${options.port ?? 0}: permission denied`, 'pass a port above 1023')
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

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Reads the body up to `limit` bytes. Past it, stops reading and answers 413 on a connection
 * that then closes, so a client cannot make the gateway buffer an unbounded body.
 */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer> {
  const tooLarge = (): RequestRejection => {
    stopReading(req, res);
    return new RequestRejection(413, 'payload_too_large', `payload too large: the body exceeds ${limit} bytes; an Auth0 SMS payload is a few hundred bytes`);
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/** The rest of the body is never read: pause, answer with `connection: close`, then drop the socket. */
function stopReading(req: IncomingMessage, res: ServerResponse): void {
  req.pause();
  res.setHeader('connection', 'close');
  res.once('finish', () => {
    // A moment for the 413 to reach the client before the socket goes away.
    setTimeout(() => req.socket.destroy(), 50).unref();
  });
}
