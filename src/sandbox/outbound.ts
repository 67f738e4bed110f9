/**
 * `fetch` for the sandbox's own outbound calls: the legacy SMS gateway call and an Action's
 * global `fetch`. Built on node:http/https rather than the global fetch so that it can trust the
 * sandbox's certificate (and any `outboundCa`) besides the system CAs without NODE_EXTRA_CA_CERTS,
 * which Node reads only at start: `demo` serves its gateway with the sandbox's certificate from
 * the very process that runs the sandbox. It answers with a real `Response`.
 *
 * Limits, on purpose: redirects are not followed (the answer is the 3xx itself, as with
 * `redirect: 'manual'`), bodies are strings, bytes, URLSearchParams or Blobs (no streams or
 * FormData), and the response is read whole before it is returned.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';

export type OutboundFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export function createOutboundFetch(extraCa: readonly string[]): OutboundFetch {
  const ca = [...rootCertificates, ...extraCa];
  return async (input, init = {}) => {
    const source = input instanceof Request ? input : undefined;
    const url = new URL(source?.url ?? String(input));
    const method = (init.method ?? source?.method ?? 'GET').toUpperCase();
    const headers = new Headers(source?.headers);
    for (const [name, value] of new Headers(init.headers)) headers.set(name, value);
    const signal = init.signal ?? source?.signal ?? undefined;
    let body = await bodyBytes(init.body ?? undefined, headers);
    if (body === undefined && source !== undefined && source.body !== null) body = Buffer.from(await source.arrayBuffer());
    if (body !== undefined) headers.set('content-length', String(body.length));
    if (!headers.has('accept')) headers.set('accept', '*/*');
    if (!headers.has('user-agent')) headers.set('user-agent', 'auth0-sms-gateway-sandbox');
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) });
    signal?.throwIfAborted();

    return new Promise<Response>((resolve, reject) => {
      const options = {
        method,
        headers: Object.fromEntries(headers),
        ...(url.protocol === 'https:' ? { ca, ...(isIP(url.hostname.replace(/^\[|\]$/g, '')) === 0 ? { servername: url.hostname } : {}) } : {}),
      };
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, options, (res) => {
        collect(res).then(
          (buffer) => resolve(toResponse(res, buffer)),
          (error: unknown) => reject(new TypeError('fetch failed', { cause: error })),
        );
      });
      const abort = () => {
        req.destroy();
        reject(signal?.reason ?? new DOMException('This operation was aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', abort, { once: true });
      req.on('close', () => signal?.removeEventListener('abort', abort));
      req.on('error', (error) => reject(signal?.aborted === true ? signal.reason : new TypeError('fetch failed', { cause: error })));
      req.end(body);
    });
  };
}

async function bodyBytes(body: RequestInit['body'], headers: Headers): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    return Buffer.from(body, 'utf8');
  }
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    return Buffer.from(body.toString(), 'utf8');
  }
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Blob) {
    if (!headers.has('content-type') && body.type !== '') headers.set('content-type', body.type);
    return Buffer.from(await body.arrayBuffer());
  }
  throw new TypeError('the sandbox fetch sends string, byte, URLSearchParams or Blob bodies only');
}

async function collect(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function toResponse(res: IncomingMessage, buffer: Buffer): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
  const status = res.statusCode ?? 502;
  return new Response(NULL_BODY.has(status) ? null : buffer, { status, statusText: res.statusMessage ?? '', headers });
}
