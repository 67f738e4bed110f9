/**
 * The sandbox tenant: an HTTPS server on 127.0.0.1 that answers /oauth/token, /passwordless/start
 * and the Management API endpoints of connections, tenant settings, the phone provider and
 * Actions as Auth0 does, sends phone messages the way Auth0 would (delivery.ts), records every
 * request, and misbehaves on demand (faults, rate limit, latency).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ActionCache } from './action-runtime.js';
import { ActionStore } from './actions.js';
import { createCertificate } from './certificate.js';
import { handleConnections, type ApiResult } from './connections.js';
import { PhoneDelivery } from './delivery.js';
import { FaultQueue, type FailureFault } from './faults.js';
import { issueClientCredentialsToken, type TokenEndpoint } from './oauth.js';
import { createOutboundFetch } from './outbound.js';
import { PhoneProviderStore } from './phone-provider.js';
import { TokenBucket } from './rate-limit.js';
import { apiError, invalidJson, invalidToken, isPlainObject, oauthError, ReplyError, routeNotFound, tooManyRequests, type Reply } from './replies.js';
import { seedClients, seedConnections } from './seed.js';
import { ConnectionStore } from './state.js';
import { handleTenantSettings, TenantSettingsStore } from './tenant.js';
import { TokenAuthority } from './tokens.js';
import type { Fault, RequestLogEntry, Sandbox, SandboxOptions } from './types.js';
import type { ApiRequest } from './validation.js';

/** Hapi's default payload limit, which the Management API keeps. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Never logged: the client's credentials at /oauth/token. */
const SECRET_TOKEN_PARAMS = ['client_secret', 'client_assertion'];
/** Authentication API endpoints: OAuth-style errors, and form-urlencoded or JSON bodies. */
const AUTHENTICATION_PATHS = new Set(['/oauth/token', '/passwordless/start']);

type ParsedBody = { value: unknown; error?: undefined } | { value?: undefined; error: Reply };

interface Incoming {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: ParsedBody;
  failure: FailureFault | undefined;
  remoteAddress: string;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const tls = options.tls ?? (await createCertificate());
  for (const [name, value] of [
    ['actionTimeoutMs', options.actionTimeoutMs],
    ['gatewayTimeoutMs', options.gatewayTimeoutMs],
    ['actionTimeScale', options.actionTimeScale],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be > 0, got ${value}`);
  }

  /** What idle() waits for: requests in progress, Action builds, phone messages sent in the background. */
  const inflight = new Set<Promise<void>>();
  const track = (work: Promise<unknown>): void => {
    const settled: Promise<void> = work.then(
      () => undefined,
      () => undefined,
    ).finally(() => inflight.delete(settled));
    inflight.add(settled);
  };
  const closing = new AbortController();

  const store = new ConnectionStore(options.connections ?? seedConnections());
  const tenant = new TenantSettingsStore(options.tenant);
  const actions = new ActionStore(options.actions ?? [], options.bindings ?? {}, { buildMs: options.actionBuildMs ?? 60, buildFailure: options.actionBuildFailure, track });
  const provider = new PhoneProviderStore(options.phoneProvider);
  const cache = new ActionCache();
  const host = options.host ?? '127.0.0.1';
  let domain = '';
  const delivery = new PhoneDelivery({
    connections: store,
    tenant,
    provider,
    actions,
    cache,
    fetch: createOutboundFetch([tls.cert, ...(options.outboundCa ?? [])]),
    actionTimeoutMs: options.actionTimeoutMs ?? 20_000,
    actionTimeScale: options.actionTimeScale ?? 1,
    gatewayTimeoutMs: options.gatewayTimeoutMs ?? 30_000,
    domain: () => domain,
    closed: closing.signal,
    track,
  });
  const tokenEndpoint: TokenEndpoint = {
    clients: new Map((options.clients ?? seedClients()).map((client) => [client.clientId, structuredClone(client)])),
    authority: new TokenAuthority(),
    usedAssertionIds: new Set(),
  };
  const faults = new FaultQueue();
  const bucket = new TokenBucket(options.rateLimit);
  const requests: RequestLogEntry[] = [];

  /** The names a request may use for the tenant: ours, and the Host it connected to (like a custom domain). */
  const domainsFor = (headers: IncomingHttpHeaders): string[] =>
    headers.host === undefined || headers.host === domain ? [domain] : [domain, headers.host];

  function applyConcurrentWrite(write: Extract<Fault, { kind: 'concurrentWrite' }>): void {
    const current = store.get(write.id);
    if (current === undefined) throw new RangeError(`concurrentWrite: no connection ${write.id}`);
    const next = structuredClone(current);
    write.mutate(next);
    store.replace({ ...next, id: write.id });
  }

  function route(request: ApiRequest): ApiResult {
    const { path } = request;
    if (path === '/api/v2/connections' || path.startsWith('/api/v2/connections/')) return handleConnections(store, request);
    if (path === '/api/v2/tenants/settings') return handleTenantSettings(tenant, request);
    if (path === '/api/v2/branding/phone/providers' || path.startsWith('/api/v2/branding/phone/providers/')) {
      return provider.handle(request, {
        actions,
        tenant: () => domain,
        sendTest: (test) => delivery.sendTest(test.to, test.deliveryMethod),
      });
    }
    if (path.startsWith('/api/v2/actions/')) return actions.handle(request);
    return routeNotFound();
  }

  function handleApi(incoming: Incoming): ApiResult {
    const { method, url, headers, body, failure } = incoming;
    if (failure?.kind === 'status') return faultReply(failure);
    const token = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
    const scopes = token === undefined ? undefined : tokenEndpoint.authority.verify(token, domainsFor(headers).map((d) => `https://${d}/api/v2/`));
    if (scopes === undefined) return invalidToken();
    if (body.error !== undefined) return body.error;
    const result = route({ method, path: url.pathname, query: url.searchParams, body: body.value, scopes });
    if (result.status === 200 && result.readIds !== undefined) {
      for (const write of faults.noteReads(result.readIds)) applyConcurrentWrite(write);
    }
    return result;
  }

  async function respond(incoming: Incoming): Promise<Reply> {
    const { method, url, headers, body, failure } = incoming;
    const path = url.pathname;
    if (path === '/api/v2' || path.startsWith('/api/v2/')) {
      // Every Management API response carries the rate-limit headers (see rate-limit.ts).
      const rate = bucket.take();
      const reply = rate.allowed ? handleApi(incoming) : tooManyRequests();
      const rateHeaders = reply.status === 429 && rate.allowed ? { ...rate.headers, 'x-ratelimit-remaining': '0' } : rate.headers;
      return { ...reply, headers: { ...rateHeaders, ...reply.headers } };
    }
    if (failure?.kind === 'status') return faultReply(failure);
    if (path === '/oauth/token' && method === 'POST') {
      if (body.error !== undefined) return body.error;
      return issueClientCredentialsToken(tokenEndpoint, isPlainObject(body.value) ? body.value : {}, domainsFor(headers));
    }
    if (path === '/passwordless/start' && method === 'POST') {
      if (body.error !== undefined) return body.error;
      return delivery.passwordlessStart({
        params: isPlainObject(body.value) ? body.value : {},
        ip: incoming.remoteAddress,
        ...(typeof headers['user-agent'] === 'string' ? { userAgent: headers['user-agent'] } : {}),
        ...(typeof headers['accept-language'] === 'string' ? { language: headers['accept-language'] } : {}),
      });
    }
    return routeNotFound();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'https://sandbox.invalid');
    const entry: RequestLogEntry = { method, path: url.pathname, query: queryRecord(url.searchParams), status: 0, at: Date.now() };
    requests.push(entry);
    // A client that leaves before the answer (a timeout, an abort) does not stop the work, as on a real server.
    let closedByServer = false;
    res.on('close', () => {
      if (!res.writableFinished && !closedByServer) entry.abandoned = true;
    });
    const hangUp = () => {
      closedByServer = true;
      entry.dropped = true;
      req.socket.destroy();
    };
    try {
      const body = parseBody(url.pathname, req.headers['content-type'], await readBody(req));
      const logged = loggedBody(url.pathname, body);
      if (logged !== undefined) entry.body = logged;

      const latency = (options.latencyMs ?? 0) + faults.takeLatency(method, url.pathname);
      if (latency > 0) await delay(latency);
      const failure = faults.takeFailure(method, url.pathname);
      if (failure?.kind === 'drop' && failure.afterApply !== true) {
        hangUp();
        return;
      }
      if (failure?.kind === 'delayedApply') await delay(failure.ms);
      const reply = await respond({ method, url, headers: req.headers, body, failure, remoteAddress: clientAddress(req) });
      entry.status = reply.status;
      if (failure?.kind === 'drop' || failure?.kind === 'delayedApply') {
        // The request took effect; its answer is lost.
        hangUp();
        return;
      }
      if (res.destroyed) return;
      if (failure?.kind === 'unreadableAnswer') {
        const real = reply.body === undefined ? '' : JSON.stringify(reply.body);
        const text = failure.body ?? real.slice(0, Math.floor(real.length / 2));
        res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...reply.headers });
        res.end(text);
        return;
      }
      send(res, reply);
    } catch (error) {
      const reply = error instanceof ReplyError ? error.reply : apiError(500, 'Internal Server Error');
      entry.status = reply.status;
      if (!res.headersSent && !res.destroyed) send(res, reply);
    }
  }

  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => track(handle(req, res)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  domain = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<void> | undefined;

  return {
    url: `https://${domain}`,
    domain,
    certPem: tls.cert,
    requests,
    phoneMessages: delivery.messages,
    connections: () => structuredClone([...store.all()]),
    connection: (idOrName) => {
      const found = store.find(idOrName);
      return found === undefined ? undefined : structuredClone(found);
    },
    issueToken: (scopes) =>
      tokenEndpoint.authority.issue({ issuer: `https://${domain}/`, audience: `https://${domain}/api/v2/`, clientId: 'SbxIssuedToken', scopes }),
    inject: (fault) => {
      if (fault.kind === 'concurrentWrite' && store.get(fault.id) === undefined) throw new RangeError(`concurrentWrite: no connection ${fault.id}`);
      const due = faults.add(fault);
      if (due !== undefined) applyConcurrentWrite(due);
    },
    setRateLimit: (limit) => bucket.set(limit),
    tenantSettings: () => structuredClone(tenant.get()) as Record<string, unknown>,
    phoneProvider: () => {
      const current = provider.get();
      return current === undefined ? undefined : structuredClone(current);
    },
    actions: () => structuredClone([...actions.all()]),
    bindings: (triggerId) => structuredClone([...actions.bindings(triggerId)]),
    deliver: (input) => {
      const work = delivery.deliver(input);
      track(work);
      return work;
    },
    idle: async () => {
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
    reset: () => {
      store.reset();
      tenant.reset();
      provider.reset();
      actions.reset();
      cache.clear();
      delivery.reset();
      requests.length = 0;
      faults.clear();
      bucket.set(options.rateLimit);
    },
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort(new Error('the sandbox is closing'));
        actions.cancelBuilds();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Keep-alive sockets (undici keeps them) would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function faultReply(fault: Extract<FailureFault, { kind: 'status' }>): Reply {
  const reply = fault.body !== undefined ? { status: fault.status, body: fault.body } : fault.status === 429 ? tooManyRequests() : apiError(fault.status, STATUS_CODES[fault.status] ?? 'Error');
  return fault.headers === undefined ? reply : { ...reply, headers: { ...reply.headers, ...fault.headers } };
}

/** The caller's IP as Auth0 would forward it (`::ffff:127.0.0.1` → `127.0.0.1`). */
function clientAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ReplyError(apiError(413, `Payload content length greater than maximum allowed: ${MAX_BODY_BYTES}`));
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * JSON for the Management API; form-urlencoded or JSON for the Authentication API
 * (https://auth0.com/docs/api/authentication).
 */
function parseBody(path: string, contentType: string | undefined, raw: Buffer): ParsedBody {
  if (raw.length === 0) return { value: undefined };
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = raw.toString('utf8');
  if (AUTHENTICATION_PATHS.has(path)) {
    if (type === 'application/x-www-form-urlencoded') return { value: Object.fromEntries(new URLSearchParams(text)) };
    if (type !== 'application/json') return { error: oauthError(400, 'invalid_request', `Unsupported content type: ${type || 'none'}`) };
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return { error: oauthError(400, 'invalid_request', 'Invalid JSON body') };
    }
  }
  if (type !== 'application/json') return { error: apiError(415, 'Unsupported Media Type') };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { error: invalidJson() };
  }
}

function loggedBody(path: string, body: ParsedBody): unknown {
  if (body.value === undefined || path !== '/oauth/token' || !isPlainObject(body.value)) return body.value;
  const safe = { ...body.value };
  for (const key of SECRET_TOKEN_PARAMS) delete safe[key];
  return safe;
}

function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return out;
}

function send(res: ServerResponse, reply: Reply): void {
  const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...reply.headers,
  });
  res.end(payload);
}
