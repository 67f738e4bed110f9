// The only module that talks to the `auth0` SDK. It returns the project's own types (parsed
// with zod) and turns every SDK failure into a CliError with a hint (./errors.ts).
import type { ManagementClient } from 'auth0';
import { connectionSchema, requireSmsOptions, type Connection, type SmsOptions } from '../core/options.js';
import { inputError, remoteError } from '../core/errors.js';
import { registerSecretsIn } from '../core/redact.js';
import type { Credentials } from './credentials.js';
import { networkCode, toCliError, type CallContext } from './errors.js';

export interface ConnectionsApi {
  readonly domain: string;
  /** Every connection with strategy `sms`, across all pages. */
  listSmsConnections(): Promise<Connection[]>;
  /** One connection by id (`con_…`) or by name, options included. */
  getConnection(idOrName: string): Promise<Connection>;
  /** PATCH `options` (whole) and `display_name` (Auth0 resets it to `name` when omitted). */
  updateConnection(id: string, body: { options: SmsOptions; display_name?: string | undefined }): Promise<Connection>;
  /** Management API requests made so far, the token request included. */
  requestCount(): number;
}

export interface Tracer {
  trace(line: string): void;
}

export interface ClientOptions {
  tracer?: Tracer | undefined;
  /** Retries of 408/429/5xx answers, which the SDK spaces out by x-ratelimit-reset. */
  maxRetries?: number | undefined;
  timeoutSeconds?: number | undefined;
}

/** Auth0 connection ids: `con_` followed by letters and digits (16 on real tenants). */
const CONNECTION_ID = /^con_[A-Za-z0-9]{1,64}$/;
/** Auth0 connection names: letters, digits and single dashes, at most 128 characters. */
const CONNECTION_NAME = /^[A-Za-z0-9](?:-?[A-Za-z0-9])*$/;

/** Checks a connection argument before any request: exit 2 for something that cannot exist. */
export function parseConnectionRef(ref: string): { kind: 'id' | 'name'; value: string } {
  const value = ref.trim();
  if (value.startsWith('con_')) {
    if (!CONNECTION_ID.test(value)) {
      throw inputError(`"${ref}" is not a connection id`, 'ids look like con_ followed by letters and digits; run `auth0-sms-gateway list` to see them');
    }
    return { kind: 'id', value };
  }
  if (value.length === 0 || value.length > 128 || !CONNECTION_NAME.test(value)) {
    throw inputError(`"${ref}" is neither a connection id nor a connection name`, 'pass an id (con_…) or a name as `auth0-sms-gateway list` shows them');
  }
  return { kind: 'name', value };
}

const PAGE_SIZE = 100;
/** GETs are safe to resend when the connection drops before an answer; PATCHes are not resent here. */
const GET_NETWORK_RETRIES = 2;
const TOKEN_RETRIES = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** x-ratelimit-reset (epoch seconds) when Auth0 sends it, else exponential backoff; at most 10 s. */
function retryDelayMs(response: Response, attempt: number): number {
  const reset = Number(response.headers.get('x-ratelimit-reset'));
  const untilReset = Number.isFinite(reset) && reset > 0 ? reset * 1000 - Date.now() : Number.NaN;
  const delay = Number.isFinite(untilReset) && untilReset > 0 ? untilReset : 500 * 2 ** attempt;
  return Math.min(10_000, Math.max(100, delay));
}

export async function connectToAuth0(credentials: Credentials, options: ClientOptions = {}): Promise<ConnectionsApi> {
  // Loaded here, not at the top: importing the SDK costs hundreds of milliseconds, and
  // --help or an argument error must not pay for it.
  const { ManagementClient } = await import('auth0');
  const { domain } = credentials;
  let requests = 0;
  const tracer = options.tracer;

  const tracingFetch: typeof fetch = async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const url = new URL(input instanceof Request ? input.url : String(input));
    const path = `${url.pathname}${url.search}`;
    for (let attempt = 0; ; attempt++) {
      requests++;
      const started = performance.now();
      try {
        const response = await fetch(input, init);
        const ms = Math.round(performance.now() - started);
        const remaining = response.headers.get('x-ratelimit-remaining');
        tracer?.trace(`${method} ${path} -> ${response.status} ${ms}ms${remaining === null ? '' : ` (rate limit remaining ${remaining})`}`);
        // The SDK retries API calls on 429/5xx but never its token request (reference §3.2);
        // a token request is safe to repeat, so it gets the same patience here.
        if (url.pathname === '/oauth/token' && (response.status === 429 || response.status >= 500) && attempt < TOKEN_RETRIES) {
          await sleep(retryDelayMs(response, attempt));
          continue;
        }
        return response;
      } catch (error) {
        const ms = Math.round(performance.now() - started);
        if (init?.signal?.aborted === true) {
          tracer?.trace(`${method} ${path} -> timed out ${ms}ms`);
          // The SDK aborts with the bare string "timeout" and recognises a timeout only by an
          // AbortError; hand it one so it reports ManagementTimeoutError.
          throw Object.assign(new Error(`${method} ${path} timed out`), { name: 'AbortError' });
        }
        tracer?.trace(`${method} ${path} -> failed ${ms}ms (${networkCode(error) ?? (error as Error).name})`);
        if (method !== 'GET' || attempt >= GET_NETWORK_RETRIES) throw error;
      }
    }
  };

  const common = {
    domain,
    fetch: tracingFetch,
    maxRetries: options.maxRetries ?? 4,
    timeoutInSeconds: options.timeoutSeconds ?? 30,
  };
  let client: ManagementClient;
  try {
    client =
      credentials.kind === 'token'
        ? new ManagementClient({ ...common, token: credentials.token })
        : credentials.kind === 'client-secret'
          ? new ManagementClient({ ...common, clientId: credentials.clientId, clientSecret: credentials.clientSecret })
          : new ManagementClient({
              ...common,
              clientId: credentials.clientId,
              clientAssertionSigningKey: credentials.signingKey,
              clientAssertionSigningAlg: credentials.signingAlg,
            });
  } catch (error) {
    throw inputError(`cannot use domain "${domain}"`, 'pass the bare tenant domain, e.g. acme.eu.auth0.com');
  }

  const call = async <T>(context: Omit<CallContext, 'domain'>, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toCliError(error, { ...context, domain });
    }
  };

  const parse = (raw: unknown, target: string): Connection => {
    const result = connectionSchema.safeParse(raw);
    if (!result.success) {
      throw remoteError(`Auth0 returned a connection this tool does not understand (${target})`, 'please report it with the output of --verbose');
    }
    registerSecretsIn(result.data);
    return result.data;
  };

  // Since 2025, GET omits `options` without read:connections_options (reference §1.4); a PATCH
  // built from such a read would wipe the connection, so every read refuses it here.
  const requireOptions = (connection: Connection): Connection => {
    requireSmsOptions(connection);
    return connection;
  };

  return {
    domain,
    requestCount: () => requests,

    async listSmsConnections() {
      return call({ operation: 'list' }, async () => {
        const seen = new Map<string, Connection>();
        // Checkpoint paging: offset paging stops at 1,000 connections (reference §1.1).
        let page = await client.connections.list({ strategy: ['sms'], take: PAGE_SIZE });
        for (;;) {
          for (const raw of page.data) {
            const connection = requireOptions(parse(raw, String((raw as { id?: unknown }).id ?? '?')));
            if (connection.strategy === 'sms') seen.set(connection.id, connection);
          }
          if (!page.hasNextPage()) break;
          page = await page.getNextPage();
        }
        return [...seen.values()];
      });
    },

    async getConnection(idOrName) {
      const ref = parseConnectionRef(idOrName);
      return call({ operation: 'read', target: idOrName }, async () => {
        if (ref.kind === 'id') {
          return requireOptions(parse(await client.connections.get(ref.value), ref.value));
        }
        const page = await client.connections.list({ name: ref.value, take: PAGE_SIZE });
        const match = page.data.find((c) => c.name === ref.value);
        if (match === undefined) {
          throw inputError(`no connection named "${ref.value}" in ${domain}`, 'run `auth0-sms-gateway list` to see the SMS connections');
        }
        return requireOptions(parse(match, ref.value));
      });
    },

    async updateConnection(id, body) {
      return call({ operation: 'update', target: id }, async () => {
        const payload: { options: SmsOptions; display_name?: string } = { options: body.options };
        if (body.display_name !== undefined) payload.display_name = body.display_name;
        return requireOptions(parse(await client.connections.update(id, payload as Parameters<typeof client.connections.update>[1]), id));
      });
    },
  };
}
