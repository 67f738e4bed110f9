/**
 * The public types of the sandbox tenant. Shapes follow the Auth0 Management API v2
 * (reference/auth0-api.md §1–§2): a `Connection` is what GET /api/v2/connections/{id}
 * returns on a tenant whose token carries `read:connections_options`.
 */

export interface Connection {
  id: string;
  name: string;
  strategy: string;
  display_name?: string;
  /** Absent from responses when the token lacks `read:connections_options` (OPT-SCOPES-DOC). */
  options?: Record<string, unknown>;
  enabled_clients?: string[];
  is_domain_connection?: boolean;
  show_as_button?: boolean;
  realms?: string[];
  metadata?: Record<string, string>;
  authentication?: { active: boolean };
  connected_accounts?: { active: boolean };
}

/** A Machine-to-Machine application of the sandbox tenant. */
export interface SandboxClient {
  clientId: string;
  /** For `client_secret_post`. */
  clientSecret?: string;
  /** SPKI PEM of the key that signs `client_assertion` JWTs (private_key_jwt). */
  publicKeyPem?: string;
  /** Scopes of its client grant for the Management API. */
  scopes: string[];
  /** `false`: the client has no client grant for the Management API (403 at /oauth/token). */
  authorized?: boolean;
}

/** A token bucket: `burst` is the bucket size, `perSecond` the refill rate (Auth0 rate-limit policy). */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/**
 * Matches a request. `method` is compared case-insensitively; a string `path` must equal the
 * request's path (without the query), a RegExp is tested against it. Absent = any request,
 * /oauth/token included.
 */
export interface FaultMatch {
  method?: string;
  path?: RegExp | string;
  /** How many matching requests the fault affects. Default 1. */
  times?: number;
}

export type Fault =
  /** Answer with this status (and an Auth0-shaped error body) instead of handling the request. */
  | ({ kind: 'status'; status: number; body?: unknown } & FaultMatch)
  /**
   * Destroy the socket without answering. With `afterApply` the request is handled first (a
   * PATCH is applied) and only the response is lost.
   */
  | ({ kind: 'drop'; afterApply?: boolean } & FaultMatch)
  /** Wait `ms` before handling the request. */
  | ({ kind: 'latency'; ms: number } & FaultMatch)
  /**
   * Another writer: once `afterReads` successful GETs have returned connection `id` (by id, or
   * in a list page), `mutate` changes the stored connection. `afterReads: 0` applies it at once.
   */
  | { kind: 'concurrentWrite'; afterReads: number; id: string; mutate: (connection: Connection) => void };

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** The status sent; 0 while in flight or when the socket was dropped before any answer. */
  status: number;
  /** The parsed request body. For /oauth/token, `client_secret` and `client_assertion` are left out. */
  body?: unknown;
  /** Set when a `drop` fault destroyed the socket (after `afterApply`, `status` is what was lost). */
  dropped?: boolean;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface SandboxOptions {
  /** Default: seedConnections(). */
  connections?: Connection[];
  /** Default: seedClients(). */
  clients?: SandboxClient[];
  /** PEM key and certificate; default: a fresh self-signed certificate (createCertificate()). */
  tls?: { key: string; cert: string };
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Token bucket over /api/v2 requests. Default: none. */
  rateLimit?: RateLimit;
  /** Added to every request. */
  latencyMs?: number;
}

export interface Sandbox {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  /** 127.0.0.1:PORT, what the CLI takes as --domain. */
  readonly domain: string;
  /** The certificate to trust (NODE_EXTRA_CA_CERTS, or `ca` of a TLS client). */
  readonly certPem: string;
  /** Every request, in arrival order. Emptied in place by reset(). */
  readonly requests: RequestLogEntry[];
  /** Deep copy of the current connections. */
  connections(): Connection[];
  /** Deep copy of the connection with this id or name. */
  connection(idOrName: string): Connection | undefined;
  /** A Management API token for this sandbox carrying these scopes (for --token). */
  issueToken(scopes: string[]): string;
  inject(fault: Fault): void;
  setRateLimit(limit: RateLimit | undefined): void;
  /** Back to the initial connections and rate limit, empty request log, no faults. */
  reset(): void;
  close(): Promise<void>;
}
