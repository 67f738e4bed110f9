// The only module that talks to the `auth0` SDK. It returns the project's own types, checked
// (connections by core/options.ts, the phone side with zod), and turns every SDK failure into a
// CliError with a hint (./errors.ts).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type * as z from 'zod';
import { readConnection, requireSmsOptions, type Connection, type RawOptions } from '../core/options.js';
import type { Action, Binding, PhoneProvider } from '../core/phone-schemas.js';
import { CliError, ExitCode, inputError, remoteError } from '../core/errors.js';
import { registerSecretsIn } from '../core/redact.js';
import { untrusted } from '../core/untrusted.js';
import type { Credentials } from './credentials.js';
import { networkErrorCode } from '../core/network.js';
import { REDIRECT_NOT_FOLLOWED, TOKEN_REQUEST_FAILED, toCliError, type CallContext } from './errors.js';
import { Pacer, readRateLimitHeaders, systemClock, type PacerClock, type PacerGrant } from './pacer.js';

/** A value that is not a promise (see listSmsConnections). */
type Synchronous<T> = T extends PromiseLike<unknown> ? never : T;

export interface ManagementApi {
  readonly domain: string;
  /** Every connection with strategy `sms`, across all pages. */
  listSmsConnections(): Promise<Connection[]>;
  /**
   * The same listing, each connection handed to `each` as its page arrives, while the next page
   * is asked for, and only what `each` returns kept: a listing of thousands holds its rows, not
   * every connection's whole options. A connection listed twice is kept as its last copy, at the
   * place of its first. `each` is synchronous (a promise it returned would escape the walk's
   * error handling): returning one is a type error.
   */
  listSmsConnections<T>(each: (connection: Connection) => Synchronous<T>): Promise<T[]>;
  /**
   * The SMS connections these refs (ids or names) name, found by paging the `strategy=sms`
   * listing and stopping once every ref is found: for many refs, a page per 100 connections
   * instead of a read per ref. A ref found nowhere is absent from the map. `found` sees each
   * connection a ref names as its page arrives, before the next page is read.
   */
  findSmsConnections(connectionRefs: readonly string[], found?: (connection: Connection) => void): Promise<Map<string, Connection>>;
  /** One connection by id (`con_…`) or by name, options included. */
  getConnection(connectionRef: string): Promise<Connection>;
  /** PATCH `options` (whole) and `display_name` (Auth0 resets it to `name` when omitted). */
  updateConnection(id: string, body: { options: RawOptions; display_name?: string | undefined }): Promise<Connection>;
  /** `phone_consolidated_experience` (needs read:tenant_settings); undefined when the answer lacks the field. */
  getTenantSettings(): Promise<{ phone_consolidated_experience?: boolean | null | undefined }>;
  listPhoneProviders(): Promise<PhoneProvider[]>;
  createPhoneProvider(body: Record<string, unknown>): Promise<PhoneProvider>;
  updatePhoneProvider(id: string, body: Record<string, unknown>): Promise<PhoneProvider>;
  deletePhoneProvider(id: string): Promise<void>;
  /** Auth0's "Send Test Message": 202 means accepted for processing, not delivered. */
  testPhoneProvider(id: string, to: string): Promise<{ code?: number | undefined; message?: string | undefined }>;
  /** Every Action that supports this trigger, across all pages. */
  listTriggerActions(triggerId: string): Promise<Action[]>;
  getAction(id: string): Promise<Action>;
  createAction(body: Record<string, unknown>): Promise<Action>;
  updateAction(id: string, body: Record<string, unknown>): Promise<Action>;
  deployAction(id: string): Promise<void>;
  deleteAction(id: string): Promise<void>;
  listBindings(triggerId: string): Promise<Binding[]>;
  /** Replaces the trigger's whole binding list. */
  updateBindings(triggerId: string, bindings: { ref: { type: 'action_id'; value: string }; display_name: string }[]): Promise<Binding[]>;
  /** Management API requests made so far, the token request included. */
  requestCount(): number;
  /** How many of those were sent again: after a 429, a 5xx or network failure of a GET, a failed token request. */
  resendCount(): number;
  /** The scopes of the access token, once a request has shown them; null when unknown (an opaque token). */
  grantedScopes(): ReadonlySet<string> | null;
  /** How long this many more requests will take at the rate the tenant allows (for an ETA). */
  estimateMs(requests: number): number;
}

export interface Tracer {
  trace(line: string): void;
}

export interface ClientOptions {
  tracer?: Tracer | undefined;
  /** How many times one request is resent after a 429 (the pacer spaces them). */
  maxRetries?: number | undefined;
  /** The pacer's clock (tests). */
  clock?: PacerClock | undefined;
  timeoutSeconds?: number | undefined;
}

/** Auth0 connection ids: `con_` and 16 letters and digits; anything else is a 400 invalid_uri (docs/auth0-facts.md#errors). */
const CONNECTION_ID = /^con_[A-Za-z0-9]{16}$/;
/** Auth0 connection names: letters, digits and single dashes, at most 128 characters. */
const CONNECTION_NAME = /^[A-Za-z0-9](?:-?[A-Za-z0-9])*$/;

/** Checks a connection argument before any request: exit 2 for something that cannot exist. */
export function parseConnectionRef(ref: string): { kind: 'id' | 'name'; value: string } {
  const value = ref.trim();
  if (value.startsWith('con_')) {
    if (!CONNECTION_ID.test(value)) {
      throw inputError(`"${untrusted(ref)}" is not a connection id`, 'ids are con_ and 16 letters and digits; run `auth0-sms-gateway list` to see them');
    }
    return { kind: 'id', value };
  }
  if (value.length === 0 || value.length > 128 || !CONNECTION_NAME.test(value)) {
    throw inputError(`"${untrusted(ref)}" is neither a connection id nor a connection name`, 'pass an id (con_…) or a name as `auth0-sms-gateway list` shows them');
  }
  return { kind: 'name', value };
}

const PAGE_SIZE = 100;
/** GETs are safe to resend when the connection drops before an answer; PATCHes are not resent here. */
const GET_NETWORK_RETRIES = 2;
const TOKEN_RETRIES = 3;

/** The `scope` claim of a JWT access token, or null when the token is not a readable JWT. */
function scopesOfJwt(token: string): Set<string> | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scope?: unknown };
    return typeof claims.scope === 'string' ? new Set(claims.scope.split(' ').filter(Boolean)) : null;
  } catch {
    return null;
  }
}

const CONNECTIONS: ListKey = { key: 'connections', what: 'connections' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A page of an SDK listing, as far as the tool uses it. */
interface Pages<T> {
  /** The answer's body: the SDK takes `data` from it and reads a missing list as empty. */
  response: unknown;
  data: T[];
  hasNextPage(): boolean;
  getNextPage(): Promise<Pages<T>>;
}

/** Where a listing's answer holds its items (`key`), and what they are called in an error. */
interface ListKey {
  key: string;
  what: string;
}

/**
 * The page's items, once its answer is seen to hold them. The SDK reads an answer without the
 * list (a proxy's HTML page, another JSON object) as an empty page: believing it would report
 * "no connections" for a tenant that has some.
 */
function itemsOf<T>(page: Pages<T>, { key, what }: ListKey): T[] {
  const body = page.response;
  if (typeof body === 'object' && body !== null && Array.isArray((body as Record<string, unknown>)[key])) return page.data;
  const shape =
    typeof body === 'string'
      ? /^\s*</.test(body)
        ? 'an HTML page'
        : 'text'
      : Array.isArray(body)
        ? 'a JSON array'
        : typeof body === 'object' && body !== null
          ? `a JSON object without "${key}"`
          : `JSON ${body === null ? 'null' : typeof body}`;
  throw remoteError(
    `the listing of ${what} answered with ${shape}, not a list of them: nothing can be told from it`,
    'check that AUTH0_DOMAIN names the tenant itself (a proxy or a login page answers like this); --verbose shows the requests',
  );
}

/** Whether a walk asks for the next page before visiting this one: always, or as a page's raw items say. */
type ReadAhead = boolean | ((items: readonly unknown[]) => boolean);

/**
 * Hands every item of every page, from `first` on, to `visit`; stops when `visit` returns true.
 * With `readAhead`, for a walk that reads every page anyway (true), or for a page after which
 * the walk is certain to go on (a function of the page's raw items that says so), the next
 * page is asked for before this one's items are visited, so the work on them overlaps the
 * wait for it: the same requests, still one at a time. The SDK calls fetch only after a chain
 * of promise steps, so the walk lets one turn of the event loop pass before visiting: without
 * it, the request would leave after the page's items were visited, and nothing would overlap.
 */
async function eachItem<T>(
  first: Pages<T>,
  list: ListKey,
  visit: (item: T) => boolean | void,
  { readAhead = false }: { readAhead?: ReadAhead } = {},
): Promise<void> {
  for (let page = first; ; ) {
    // Both read before asking for the next page: the SDK's getNextPage rewrites the same page
    // object in place, so once the read ahead is answered, `page` holds the next page.
    const items = itemsOf(page, list);
    const more = page.hasNextPage();
    const next = more && (readAhead === true || (readAhead !== false && readAhead(items))) ? page.getNextPage() : undefined;
    // If visiting throws, the read ahead is dropped unanswered rather than left unhandled.
    next?.catch(() => undefined);
    if (next !== undefined) await nextTurn();
    for (const item of items) if (visit(item) === true) return;
    if (!more) return;
    page = await (next ?? page.getNextPage());
  }
}

/**
 * undici's rejection of an answer with a redirect under `redirect: 'error'` (it carries no code;
 * test/auth0/failures.test.ts pins the wording on the Node it runs on).
 */
function isRedirect(error: unknown): boolean {
  return error instanceof TypeError && (error.cause as { message?: unknown } | undefined)?.message === 'unexpected redirect';
}

/** x-ratelimit-reset (epoch seconds) when Auth0 sends it, else exponential backoff; at most 10 s. */
function retryDelayMs(response: Response, attempt: number): number {
  const reset = Number(response.headers.get('x-ratelimit-reset'));
  const untilReset = Number.isFinite(reset) && reset > 0 ? reset * 1000 - Date.now() : Number.NaN;
  const delay = Number.isFinite(untilReset) && untilReset > 0 ? untilReset : 500 * 2 ** attempt;
  return Math.min(10_000, Math.max(100, delay));
}

export async function connectToAuth0(credentials: Credentials, options: ClientOptions = {}): Promise<ManagementApi> {
  const { domain } = credentials;
  let requests = 0;
  let resends = 0;
  const tracer = options.tracer;
  // The scopes the token carries, once known: a command that writes checks them before its
  // first write, so a missing one is named before anything changed.
  let granted: Set<string> | null = credentials.kind === 'token' ? scopesOfJwt(credentials.token) : null;

  // One pacer for every Management API request of the run: it spaces requests by the
  // rate-limit headers so the bucket is not emptied, and after a 429 waits for one token
  // (docs/auth0-facts.md#rate-limits). The SDK's own retries are off, so no second wait stacks
  // on top of it.
  const pacer = new Pacer(options.clock ?? systemClock);
  const max429 = options.maxRetries ?? 6;

  const tracingFetch: typeof fetch = async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const url = new URL(input instanceof Request ? input.url : String(input));
    const path = `${url.pathname}${url.search}`;
    const paced = url.pathname.startsWith('/api/v2/');
    let refused = 0;
    for (let attempt = 0; ; attempt++) {
      let grant: PacerGrant | undefined;
      if (paced) {
        try {
          grant = await pacer.acquire(init?.signal ?? undefined);
        } catch {
          // The SDK's timeout fired while waiting for a token: nothing was sent.
          throw Object.assign(new Error(`${method} ${path} timed out`), { name: 'AbortError' });
        }
        if (grant.pacedMs > 0) tracer?.trace(`waited ${Math.round(grant.waitedMs)}ms for the rate limit before ${method} ${path}`);
      }
      requests++;
      if (attempt > 0) resends++;
      const started = performance.now();
      try {
        // A redirect is never followed: the Management API does not send one, and following it
        // (a 307/308 resends the body) could carry the client secret or a PATCH's options to
        // another address. `redirect: 'error'` also spares undici a copy of every request (it
        // copies a request it may have to send again to a redirect's target).
        const response = await fetch(input, { ...init, redirect: 'error' });
        const ms = Math.round(performance.now() - started);
        const remaining = response.headers.get('x-ratelimit-remaining');
        tracer?.trace(`${method} ${path} -> ${response.status} ${ms}ms${remaining === null ? '' : ` (rate limit remaining ${remaining})`}`);
        if (grant !== undefined) {
          const verdict = pacer.observe(grant, { status: response.status, ...readRateLimitHeaders(response.headers) });
          // A 429 was refused before it was carried out and took no token: resending it, a
          // PATCH included, is safe. The pacer's next acquire() waits for one token.
          if (response.status === 429 && refused < max429) {
            refused++;
            await response.body?.cancel().catch(() => undefined);
            tracer?.trace(`rate limited: retrying ${method} ${path} in ${Math.round(verdict.retryInMs ?? 0)}ms`);
            continue;
          }
          // A 5xx on a GET is safe to resend; a PATCH may have been applied, so its caller settles it.
          if (response.status >= 500 && method === 'GET' && attempt < GET_NETWORK_RETRIES) {
            await response.body?.cancel().catch(() => undefined);
            await sleep(retryDelayMs(response, attempt));
            continue;
          }
        }
        // The token request has its own bucket and is safe to repeat (the SDK never retries it).
        if (url.pathname === '/oauth/token' && (response.status === 429 || response.status >= 500) && attempt < TOKEN_RETRIES) {
          await sleep(retryDelayMs(response, attempt));
          continue;
        }
        if (url.pathname === '/oauth/token' && response.ok) {
          const body = (await response.clone().json().catch(() => undefined)) as { scope?: unknown } | undefined;
          if (typeof body?.scope === 'string') granted = new Set(body.scope.split(' ').filter(Boolean));
        }
        return response;
      } catch (error) {
        if (grant !== undefined) pacer.abandon(grant);
        const ms = Math.round(performance.now() - started);
        if (init?.signal?.aborted === true) {
          tracer?.trace(`${method} ${path} -> timed out ${ms}ms`);
          // The SDK aborts with the bare string "timeout" and recognises a timeout only by an
          // AbortError; hand it one so it reports ManagementTimeoutError.
          throw Object.assign(new Error(`${method} ${path} timed out`), { name: 'AbortError' });
        }
        // A failed token request sent no Management API request: what waited on it (a PATCH
        // too) was never sent, whatever the SDK makes of the failure (errors.ts answerMayBeLost).
        const token = url.pathname === '/oauth/token' ? { [TOKEN_REQUEST_FAILED]: true } : {};
        if (isRedirect(error)) {
          tracer?.trace(`${method} ${path} -> a redirect, not followed ${ms}ms`);
          throw Object.assign(new Error(`${method} ${path} was answered with a redirect`), { code: REDIRECT_NOT_FOLLOWED, ...token });
        }
        tracer?.trace(`${method} ${path} -> failed ${ms}ms (${networkErrorCode(error) ?? (error as Error).name})`);
        if (method !== 'GET' || attempt >= GET_NETWORK_RETRIES) throw error !== null && typeof error === 'object' ? Object.assign(error, token) : error;
      }
    }
  };

  // The SDK is loaded here, not at the top: importing it costs time that --help or an argument
  // error must not pay. Only the sub-clients this tool uses (./sdk.ts), not the whole
  // ManagementClient: the SDK documents createManagementAuth for this.
  const { createManagementAuth, ConnectionsClient, ActionsClient, BindingsClient, ProvidersClient, SettingsClient } = await import('./sdk.js');
  const common = {
    domain,
    // Also used for the token request (client credentials).
    fetch: tracingFetch,
    // The pacer above retries what may be retried; the SDK's retries would add a second wait.
    maxRetries: 0,
    timeoutInSeconds: options.timeoutSeconds ?? 30,
  };
  let auth: ReturnType<typeof createManagementAuth>;
  try {
    auth =
      credentials.kind === 'token'
        ? createManagementAuth({ ...common, token: credentials.token })
        : credentials.kind === 'client-secret'
          ? createManagementAuth({ ...common, clientId: credentials.clientId, clientSecret: credentials.clientSecret })
          : createManagementAuth({
              ...common,
              clientId: credentials.clientId,
              clientAssertionSigningKey: credentials.signingKey,
              clientAssertionSigningAlg: credentials.signingAlg,
            });
  } catch {
    // The SDK checks the domain too (normalizeDomain has already): its words are not shown.
    throw inputError(`cannot use domain "${domain}"`, 'pass the bare tenant domain, e.g. acme.eu.auth0.com');
  }
  const clientOptions = { ...auth.clientOptions, fetch: tracingFetch };
  const connectionsApi = new ConnectionsClient(clientOptions);
  const actionsApi = new ActionsClient(clientOptions);
  const bindingsApi = new BindingsClient(clientOptions);
  const providersApi = new ProvidersClient(clientOptions);
  const tenantSettings = new SettingsClient(clientOptions);

  let tenantSettingsRead: Promise<{ phone_consolidated_experience?: boolean }> | undefined;

  const call = async <T>(context: Omit<CallContext, 'domain'>, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toCliError(error, { ...context, domain });
    }
  };

  const parse = (raw: unknown, target: string): Connection => {
    const connection = readConnection(raw);
    if (connection === undefined) {
      throw remoteError(`Auth0 returned a connection this tool does not understand (${untrusted(target)})`, 'please report it with the output of --verbose');
    }
    registerSecretsIn(connection);
    return connection;
  };

  /** Any other answer, checked against the shape the tool relies on. */
  const parseAs = <S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> => {
    const result = schema.safeParse(raw);
    if (!result.success) throw remoteError(`Auth0 returned ${what} this tool does not understand`, 'please report it with the output of --verbose');
    return result.data;
  };
  const listOf = <S extends z.ZodType>(schema: S, raw: unknown, key: string, what: string): z.output<S>[] => {
    const items = Array.isArray(raw) ? raw : (raw as Record<string, unknown> | null)?.[key];
    if (!Array.isArray(items)) throw remoteError(`Auth0 returned ${what} this tool does not understand`, 'please report it with the output of --verbose');
    return items.map((item) => parseAs(schema, item, what));
  };
  /**
   * The answer to a write, read with `read`. Auth0 answered with a success status, so the write
   * was carried out; an answer that cannot be read (cut short, a proxy's page, a shape this tool
   * does not know, options left out) says nothing of what was stored. It fails as a lost answer,
   * which the writers settle by reading the resource again, never as "not written".
   */
  const answerOf = async <T>(written: Promise<unknown>, read: (raw: unknown) => T, what: string): Promise<T> => {
    const raw = await written;
    try {
      return read(raw);
    } catch (error) {
      const unreadable = error instanceof CliError ? error : remoteError(`Auth0 returned ${what} this tool does not understand`);
      throw new CliError(ExitCode.remote, `Auth0 answered the write of ${what} with success, but the answer could not be read (${unreadable.message})`, {
        hint: unreadable.hint,
        cause: unreadable,
        answerLost: true,
      });
    }
  };
  /**
   * Create and update for a resource whose answer is checked against `schema()` (`what` names
   * it in the error). The body is the one the planner built (core/), sent as given.
   */
  const writesOf = <S extends z.ZodType>(
    resource: CallContext['resource'],
    schema: () => Promise<S>,
    what: string,
    api: { create(body: never): Promise<unknown>; update(id: string, body: never): Promise<unknown> },
  ) => ({
    create: async (body: Record<string, unknown>): Promise<z.output<S>> => {
      const read = await schema();
      return call({ operation: 'create', resource }, async () => answerOf(api.create(body as never), (raw) => parseAs(read, raw, what), what));
    },
    update: async (id: string, body: Record<string, unknown>): Promise<z.output<S>> => {
      const read = await schema();
      return call({ operation: 'update', resource, target: id }, async () => answerOf(api.update(id, body as never), (raw) => parseAs(read, raw, what), what));
    },
  });
  // The phone side's schemas load with zod on first use: the commands that only read
  // connections (list, show) load neither. Always before call(): a module that fails to load
  // is no answer of Auth0's, and must never be taken for a write whose answer was lost.
  const phone = async () => (await import('../core/phone-schemas.js')).phoneSchemas();
  const providerWrites = writesOf('phone provider', async () => (await phone()).phoneProvider, 'a phone provider', providersApi);
  const actionWrites = writesOf('Action', async () => (await phone()).action, 'an Action', actionsApi);
  // Since 2025, GET omits `options` without read:connections_options (docs/auth0-facts.md#the-options-scopes); a PATCH
  // built from such a read would wipe the connection, so every read refuses it here.
  const requireOptions = (connection: Connection): Connection => {
    requireSmsOptions(connection);
    return connection;
  };

  /**
   * Every SMS connection, page after page (checkpoint paging: offset paging stops at 1,000
   * connections, docs/auth0-facts.md#paging), until `visit` returns true.
   */
  const eachSmsConnection = async (visit: (connection: Connection) => boolean | void, options: { readAhead?: ReadAhead } = {}): Promise<void> =>
    eachItem(
      await connectionsApi.list({ strategy: ['sms'], take: PAGE_SIZE }),
      CONNECTIONS,
      (raw) => {
        // A connection without options is passed on: a listing shows it as such (flow/routes.ts),
        // and anything that would rewrite it refuses it (requireSmsOptions).
        const connection = parse(raw, String((raw as { id?: unknown }).id ?? '?'));
        return connection.strategy === 'sms' ? visit(connection) : false;
      },
      options,
    );

  return {
    domain,
    requestCount: () => requests,
    resendCount: () => resends,
    grantedScopes: () => granted,
    estimateMs: (requestsLeft) => pacer.estimateMs(requestsLeft),

    async listSmsConnections<T>(each?: (connection: Connection) => T): Promise<(T | Connection)[]> {
      // What `each` throws is the caller's own failure, no answer of Auth0's: it stops the walk
      // and is thrown as it is, never described as a failed request.
      let failed: { error: unknown } | undefined;
      const listed = await call({ operation: 'list', resource: 'connection' }, async () => {
        const seen = new Map<string, T | Connection>();
        let first: Connection | undefined;
        let withOptions = 0;
        await eachSmsConnection(
          (connection) => {
            // The first id's last copy: the one the listing keeps.
            if (first === undefined || connection.id === first.id) first = connection;
            try {
              seen.set(connection.id, each === undefined ? connection : each(connection));
            } catch (error) {
              failed = { error };
              return true;
            }
            if (connection.options !== undefined && connection.options !== null) withOptions++;
            // A whole page without options: the token lacks read:connections_options; no need to read on.
            else if (withOptions === 0 && seen.size >= PAGE_SIZE) requireOptions(connection);
            return false;
          },
          { readAhead: true },
        );
        // None came with options (fewer than a page): the same scope error.
        if (failed === undefined && first !== undefined && withOptions === 0) requireOptions(first);
        return [...seen.values()];
      });
      if (failed !== undefined) throw failed.error;
      return listed;
    },

    async findSmsConnections(connectionRefs, onFound) {
      return call({ operation: 'list', resource: 'connection' }, async () => {
        const wanted = new Set(connectionRefs);
        const found = new Map<string, Connection>();
        // The most refs a page can still settle, counted on its raw items before they are
        // parsed (a connection keeps its id and name): when even that leaves one unfound, the
        // next page is certain to be read, and is asked for before this one is visited. Never a
        // page the walk would not read.
        const leavesOneUnfound = (items: readonly unknown[]): boolean => {
          const settled = new Set<string>();
          for (const raw of items) {
            const { id, name } = (raw ?? {}) as { id?: unknown; name?: unknown };
            for (const ref of [id, name]) if (typeof ref === 'string' && wanted.has(ref) && !found.has(ref)) settled.add(ref);
          }
          return found.size + settled.size < wanted.size;
        };
        await eachSmsConnection(
          (connection) => {
            let named = false;
            for (const ref of [connection.id, connection.name]) {
              if (!wanted.has(ref)) continue;
              found.set(ref, connection);
              named = true;
            }
            if (named) onFound?.(connection);
            return found.size === wanted.size;
          },
          { readAhead: leavesOneUnfound },
        );
        return found;
      });
    },

    async getConnection(connectionRef) {
      const ref = parseConnectionRef(connectionRef);
      return call({ operation: 'read', resource: 'connection', target: connectionRef }, async () => {
        if (ref.kind === 'id') {
          return requireOptions(parse(await connectionsApi.get(ref.value), ref.value));
        }
        const page = await connectionsApi.list({ name: ref.value, take: PAGE_SIZE });
        const match = itemsOf(page, CONNECTIONS).find((c) => c.name === ref.value);
        if (match === undefined) {
          throw inputError(`no connection named "${ref.value}" in ${domain}`, 'run `auth0-sms-gateway list` to see the SMS connections');
        }
        return requireOptions(parse(match, ref.value));
      });
    },

    async updateConnection(id, body) {
      return call({ operation: 'update', resource: 'connection', target: id }, async () => {
        const payload: { options: RawOptions; display_name?: string } = { options: body.options };
        if (body.display_name !== undefined) payload.display_name = body.display_name;
        return answerOf(connectionsApi.update(id, payload as Parameters<typeof connectionsApi.update>[1]), (raw) => requireOptions(parse(raw, id)), `connection ${untrusted(id)}`);
      });
    },

    getTenantSettings() {
      // Read once per run, answer or failure: the tool never writes it, apply with a
      // phone_provider: entry asks for it twice (the connections' routes, the phone side), and
      // what a run says about it must rest on one answer. A read that failed and then worked
      // would look like the tenant changing under the run (ensurePhoneUnmoved).
      tenantSettingsRead ??= call({ operation: 'read', resource: 'tenant settings' }, async () => {
        const settings = (await tenantSettings.get({ fields: 'phone_consolidated_experience', include_fields: true })) as Record<string, unknown>;
        const value = settings.phone_consolidated_experience;
        return typeof value === 'boolean' ? { phone_consolidated_experience: value } : {};
      });
      return tenantSettingsRead;
    },

    async listPhoneProviders() {
      const { phoneProvider } = await phone();
      return call({ operation: 'list', resource: 'phone provider' }, async () => listOf(phoneProvider, await providersApi.list(), 'providers', 'a phone provider'));
    },
    createPhoneProvider: providerWrites.create,
    updatePhoneProvider: providerWrites.update,
    async deletePhoneProvider(id) {
      await call({ operation: 'delete', resource: 'phone provider', target: id }, async () => providersApi.delete(id));
    },
    async testPhoneProvider(id, to) {
      return call({ operation: 'test', resource: 'phone provider', target: id }, async () => {
        const answer = (await providersApi.test(id, { to, delivery_method: 'text' })) as { code?: unknown; message?: unknown } | undefined;
        return {
          ...(typeof answer?.code === 'number' ? { code: answer.code } : {}),
          ...(typeof answer?.message === 'string' ? { message: answer.message } : {}),
        };
      });
    },

    async listTriggerActions(triggerId) {
      const { action } = await phone();
      return call({ operation: 'list', resource: 'Action' }, async () => {
        const actions: Action[] = [];
        await eachItem(await actionsApi.list({ triggerId: triggerId as 'custom-phone-provider', per_page: PAGE_SIZE }), { key: 'actions', what: 'Actions' }, (raw) => void actions.push(parseAs(action, raw, 'an Action')));
        // The filter is the API's; checked again so that no other trigger's Action is ever touched.
        return actions.filter((action) => action.supported_triggers?.some((trigger) => trigger.id === triggerId) !== false);
      });
    },
    async getAction(id) {
      const { action } = await phone();
      return call({ operation: 'read', resource: 'Action', target: id }, async () => parseAs(action, await actionsApi.get(id), 'an Action'));
    },
    createAction: actionWrites.create,
    updateAction: actionWrites.update,
    async deployAction(id) {
      await call({ operation: 'deploy', resource: 'Action', target: id }, async () => actionsApi.deploy(id));
    },
    async deleteAction(id) {
      await call({ operation: 'delete', resource: 'Action', target: id }, async () => actionsApi.delete(id, { force: true }));
    },

    async listBindings(triggerId) {
      const { binding } = await phone();
      return call({ operation: 'list', resource: 'trigger bindings' }, async () => {
        const bindings: Binding[] = [];
        await eachItem(await bindingsApi.list(triggerId as 'custom-phone-provider', { per_page: 50 }), { key: 'bindings', what: 'trigger bindings' }, (raw) => void bindings.push(parseAs(binding, raw, 'a trigger binding')));
        return bindings;
      });
    },
    async updateBindings(triggerId, bindings) {
      const { binding } = await phone();
      return call({ operation: 'update', resource: 'trigger bindings' }, async () =>
        answerOf(bindingsApi.updateMany(triggerId as 'custom-phone-provider', { bindings }), (raw) => listOf(binding, raw, 'bindings', 'a trigger binding'), 'the trigger bindings'),
      );
    },
  };
}
