/**
 * The public types of the sandbox tenant. Shapes follow the Auth0 Management API v2
 * (https://auth0.com/docs/api/management/v2) and the types of the `auth0` SDK v7: a `Connection`
 * is what GET /api/v2/connections/{id} returns on a tenant whose token carries
 * `read:connections_options`.
 */

export interface SandboxConnection {
  id: string;
  name: string;
  strategy: string;
  display_name?: string;
  /**
   * Absent from responses when the token lacks `read:connections_options`
   * (https://auth0.com/docs/troubleshoot/product-lifecycle/deprecations-and-migrations/migrate-connection-options-scope).
   */
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
  /** How many matching requests pass untouched before the fault starts. Default 0. */
  after?: number;
}

export type Fault =
  /**
   * Answer with this status (and an Auth0-shaped error body) instead of handling the request;
   * `headers` are added to the answer (a redirect's `location`).
   */
  | ({ kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> } & FaultMatch)
  /**
   * Destroy the socket without answering. With `afterApply` the request is handled first (a
   * PATCH is applied) and only the response is lost.
   */
  | ({ kind: 'drop'; afterApply?: boolean } & FaultMatch)
  /**
   * Wait `ms` before handling the request, then handle it and answer. Like a real server, the
   * sandbox does not notice a client that gives up meanwhile: the request is still carried out
   * (a PATCH is applied) after `ms`, and its log entry gets `abandoned: true`.
   */
  | ({ kind: 'latency'; ms: number } & FaultMatch)
  /**
   * A request that is never answered but still carried out `ms` after it arrived: the client can
   * only time out, and the change lands a moment after it gave up (or while it still waits; the
   * socket is then closed without an answer). The log entry gets the status the lost answer had,
   * `dropped: true`, and `abandoned: true` when the client had already closed the connection.
   */
  | ({ kind: 'delayedApply'; ms: number } & FaultMatch)
  /**
   * The request is carried out and answered with its status, but the answer's body is not
   * what the API sends: `body` as raw text when given (a proxy's page, JSON of another shape),
   * else the real JSON cut in half, as a connection that breaks mid-answer leaves it.
   */
  | ({ kind: 'unreadableAnswer'; body?: string } & FaultMatch)
  /**
   * Another writer: once `afterReads` successful GETs have returned connection `id` (by id, or
   * in a list page), `mutate` changes the stored connection. `afterReads: 0` applies it at once.
   */
  | { kind: 'concurrentWrite'; afterReads: number; id: string; mutate: (connection: SandboxConnection) => void };

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** The status sent; 0 while in flight or when the socket was dropped before any answer. */
  status: number;
  /** The parsed request body. For /oauth/token, `client_secret` and `client_assertion` are left out. */
  body?: unknown;
  /** Set when a `drop` or `delayedApply` fault destroyed the socket (after `afterApply`, `status` is what was lost). */
  dropped?: boolean;
  /** Set when the client closed the connection before the sandbox answered; the request was carried out all the same. */
  abandoned?: boolean;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface SandboxOptions {
  /** Default: seedConnections(). */
  connections?: SandboxConnection[];
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
  /** The tenant's settings (GET/PATCH /api/v2/tenants/settings). */
  tenant?: TenantOptions;
  /** The tenant's phone provider at start (one per tenant); default: none. */
  phoneProvider?: PhoneProviderSeed;
  /** Actions that exist at start (e.g. another vendor's, deployed and bound); default: none. */
  actions?: ActionSeed[];
  /** Trigger bindings at start, by trigger id, e.g. `{ 'custom-phone-provider': [{ action: 'acme-sms' }] }`. */
  bindings?: Record<string, BindingSeed[]>;
  /** How long an Action build takes (pending → building → built/failed, in two steps). Default 60 ms. */
  actionBuildMs?: number;
  /**
   * Every Action build fails with this reason (Auth0 answers `status: "failed"` and
   * `errors: [{ id, msg }]`), as when Auth0 cannot build an Action that compiles. Default: builds
   * fail only on code that does not compile.
   */
  actionBuildFailure?: string;
  /** The execution limit of an Action run. Default 20,000 ms, Auth0's (https://auth0.com/docs/customize/actions/limitations). */
  actionTimeoutMs?: number;
  /**
   * Runs an Action's clock faster: its `AbortSignal.timeout(ms)` fires after `ms × scale`
   * (tests of the Action's own 15 s timeout, without waiting 15 s). Scale `actionTimeoutMs`
   * with it. Default 1.
   */
  actionTimeScale?: number;
  /** How long the sandbox waits for a legacy SMS gateway. Default 30,000 ms, Auth0's. */
  gatewayTimeoutMs?: number;
  /**
   * Extra PEM certificates that outbound calls (the legacy gateway call and an Action's `fetch`)
   * trust, besides the system CAs and the sandbox's own certificate.
   */
  outboundCa?: string[];
}

export interface TenantOptions {
  /**
   * The top-level `phone_consolidated_experience` of the tenant settings (the Unified Phone
   * Experience switch). Default `false`: a tenant created before March 2025, whose Passwordless
   * SMS connections deliver as their options say. `'absent'`: the field is missing from the
   * settings, as on some tenants (Auth0's Terraform provider reads that as "on").
   */
  phoneConsolidatedExperience?: boolean | 'absent';
  /** Default "Sandbox Tenant". */
  friendlyName?: string;
}

export type PhoneProviderName = 'twilio' | 'custom';
export type PhoneDeliveryMethod = 'text' | 'voice';

/** The tenant's phone provider as stored, credentials included (Auth0 never returns them). */
export interface SandboxPhoneProvider {
  /** `pro_` and 22 alphanumerics. */
  id: string;
  name: PhoneProviderName;
  disabled: boolean;
  configuration: Record<string, unknown>;
  credentials: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export type PhoneProviderSeed = Pick<SandboxPhoneProvider, 'name'> & Partial<Omit<SandboxPhoneProvider, 'name'>>;

export interface ActionTriggerRef {
  id: string;
  version?: string;
}

export interface ActionDependency {
  name: string;
  version: string;
  registry_url?: string;
}

/** A secret as stored: the value is write-only in the API (only `{ name, updated_at }` is returned). */
export interface ActionSecret {
  name: string;
  value: string;
  updated_at: string;
}

export type ActionBuildStatus = 'pending' | 'building' | 'built' | 'failed';

/** Auth0's error object of a failed build (`ActionError` in the SDK). */
export interface ActionBuildError {
  id: string;
  msg: string;
  url?: string;
}

/** An immutable version, created by each deploy. */
export interface SandboxActionVersion {
  id: string;
  number: number;
  code: string;
  dependencies: ActionDependency[];
  runtime: string;
  secrets: ActionSecret[];
  supported_triggers: ActionTriggerRef[];
  status: ActionBuildStatus;
  errors?: ActionBuildError[];
  /** True for the one version that runs when the Action is bound. */
  deployed: boolean;
  created_at: string;
  updated_at: string;
  built_at?: string;
}

/** An Action as stored: its draft (what PATCH edits) and its versions, secret values included. */
export interface SandboxAction {
  /** A UUID, as Auth0's. */
  id: string;
  name: string;
  supported_triggers: ActionTriggerRef[];
  code: string;
  dependencies: ActionDependency[];
  runtime: string;
  secrets: ActionSecret[];
  /** The draft's build. */
  status: ActionBuildStatus;
  errors?: ActionBuildError[];
  /** True when the draft has been deployed since its last change. */
  all_changes_deployed: boolean;
  created_at: string;
  updated_at: string;
  built_at?: string;
  /** Oldest first. */
  versions: SandboxActionVersion[];
}

/** An Action that exists when the sandbox starts; it starts built (or failed, when its code does not compile). */
export interface ActionSeed {
  id?: string;
  name: string;
  /** Default `[{ id: 'custom-phone-provider', version: 'v1' }]`. */
  supported_triggers?: ActionTriggerRef[];
  code?: string;
  dependencies?: ActionDependency[];
  runtime?: string;
  secrets?: Array<{ name: string; value: string }>;
  /** Deployed as version 1. Default false. */
  deployed?: boolean;
}

export interface BindingSeed {
  /** The Action's id or name. */
  action: string;
  display_name?: string;
}

export interface SandboxBinding {
  id: string;
  trigger_id: string;
  display_name: string;
  action_id: string;
  created_at: string;
  updated_at: string;
}

/** Who carried a phone message. */
export type PhoneMessageRoute = 'gateway' | 'twilio' | 'custom-action' | 'none';

/**
 * One phone message Auth0 (the sandbox) tried to send: through a connection's legacy settings
 * (`gateway`, `twilio`) or through the tenant's phone provider (`twilio`, `custom-action`);
 * `none` when there was nothing to send it with.
 */
export interface PhoneMessage {
  /** Date.now() when the sending started. */
  at: number;
  via: PhoneMessageRoute;
  /** The connection's name, for a Passwordless code. */
  connection?: string;
  to: string;
  /** The rendered message (`as_text`, or `as_voice` for a voice message). */
  text: string;
  /**
   * `delivered`: the gateway answered 200, Twilio was "used", or the Action returned without
   * calling drop/retry. `retry` / `drop`: the Action's last call (Auth0 would retry, or give up).
   * `failed`: the gateway answered anything but 200, timed out or could not be reached.
   * `error`: the Action threw, timed out or could not run, or there was no provider.
   */
  outcome: 'delivered' | 'retry' | 'drop' | 'failed' | 'error';
  /** Why it was not delivered: the Action's reason, Auth0's error_description, or what went wrong. */
  reason?: string;
  /** The gateway's HTTP status. */
  status?: number;
  /** The Action's console output, one entry per call, each truncated to 256 characters as Auth0 keeps them. */
  logs: string[];
}

/** "Auth0 sends a phone message now." */
export interface DeliverInput {
  to: string;
  deliveryMethod?: PhoneDeliveryMethod;
  /** Default `otp_verify`. */
  messageType?: 'otp_verify' | 'otp_enroll' | 'blocked_account' | 'change_password' | 'password_breach';
  /** Default: a fresh random code. */
  code?: string;
  from?: string;
  ip?: string;
  userAgent?: string;
  /**
   * A Passwordless code for this connection (id or name): routed as /passwordless/start routes it
   * (the connection's options, or the tenant's phone provider). Without it: the tenant's phone
   * provider, as for MFA or a test message.
   */
  connection?: string;
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
  connections(): SandboxConnection[];
  /** Deep copy of the connection with this id or name. */
  connection(idOrName: string): SandboxConnection | undefined;
  /** A Management API token for this sandbox carrying these scopes (for --token). */
  issueToken(scopes: string[]): string;
  inject(fault: Fault): void;
  setRateLimit(limit: RateLimit | undefined): void;
  /** Copy of the current tenant settings, as GET /api/v2/tenants/settings returns them in full. */
  tenantSettings(): Record<string, unknown>;
  /** Copy of the tenant's phone provider, credentials included; undefined when there is none. */
  phoneProvider(): SandboxPhoneProvider | undefined;
  /** Copies of every Action, secret values and versions included. */
  actions(): SandboxAction[];
  /** Copies of the bindings of a trigger, in execution order. */
  bindings(triggerId: string): SandboxBinding[];
  /** Every phone message sent, in the order their sending ended. Emptied in place by reset(). */
  readonly phoneMessages: PhoneMessage[];
  /** Sends a phone message now, as Auth0 would, and resolves to its record (also pushed to phoneMessages). */
  deliver(input: DeliverInput): Promise<PhoneMessage>;
  /**
   * Resolves once nothing is in flight: requests being handled (a `latency` or `delayedApply`
   * fault included), Action builds, and phone messages being sent in the background (the phone
   * provider path of /passwordless/start and …/try answer before the message is sent, as Auth0's do).
   */
  idle(): Promise<void>;
  /**
   * Back to the initial state: connections, tenant settings, phone provider, Actions, bindings
   * and rate limit; empty request log and phone messages, no faults, empty Actions cache.
   */
  reset(): void;
  close(): Promise<void>;
}
