/*
 * Runs the Action's rendered code the way Auth0 does, as far as a test can: a CommonJS module
 * in its own realm (node:vm), `require` limited to Node built-ins (an Action without
 * dependencies has nothing else), the real global fetch (wrapped only to record what was
 * sent), a captured console, and `event`/`api` shaped like the official types of the
 * custom-phone-provider v1 trigger (@auth0/actions/custom-phone-provider/v1).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire, isBuiltin } from 'node:module';
import { format } from 'node:util';
import vm from 'node:vm';

/** The parts of the v1 event the tests fill in; field names and types as in the official types. */
export interface PhoneProviderEvent {
  notification: {
    as_text: string;
    as_voice: string;
    code?: string;
    delivery_method: 'text' | 'voice';
    from?: string;
    locale?: string;
    message_type: 'otp_verify' | 'otp_enroll' | 'blocked_account' | 'change_password' | 'password_breach';
    recipient: string;
  };
  request: {
    geoip: Record<string, unknown>;
    hostname?: string;
    ip: string;
    language?: string;
    method: string;
    user_agent?: string;
  };
  client: { client_id: string; metadata: Record<string, string>; name: string };
  connection?: { id: string; name: string; strategy: string; metadata?: Record<string, string> };
  tenant: { id: string; friendly_name?: string };
  transaction?: { correlation_id?: string };
  user: Record<string, unknown>;
  configuration: Record<string, never>;
  secrets: Record<string, string>;
}

export const CODE = '493817';
export const TEXT = `${CODE} is your verification code for Acme`;
export const RECIPIENT = '+15557654321';
export const SENDER = '+15550001111';
export const IP = '203.0.113.77';
export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) TestAgent/1.0';

export function makeEvent(overrides: { notification?: Partial<PhoneProviderEvent['notification']>; request?: Partial<PhoneProviderEvent['request']>; secrets?: Record<string, string> } = {}): PhoneProviderEvent {
  return {
    notification: {
      as_text: TEXT,
      as_voice: `Your verification code is ${CODE.split('').join(' ')}`,
      code: CODE,
      delivery_method: 'text',
      from: SENDER,
      locale: 'en_US',
      message_type: 'otp_verify',
      recipient: RECIPIENT,
      ...overrides.notification,
    },
    request: {
      geoip: { countryCode: 'US', cityName: 'Springfield' },
      hostname: 'acme.us.auth0.com',
      ip: IP,
      language: 'en-US',
      method: 'POST',
      user_agent: USER_AGENT,
      ...overrides.request,
    },
    client: { client_id: 'abc123', metadata: {}, name: 'Acme Web' },
    connection: { id: 'con_0123456789abcdef', name: 'sms', strategy: 'sms' },
    tenant: { id: 'acme' },
    transaction: { correlation_id: 'corr-1' },
    user: { user_id: 'sms|1', created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z', email_verified: false, app_metadata: {}, user_metadata: {} },
    configuration: {},
    secrets: overrides.secrets ?? {},
  };
}

export interface RecordedRequest {
  url: string;
  method: string | undefined;
  headers: Record<string, string>;
  body: unknown;
  redirect: string | undefined;
  hasSignal: boolean;
}

export interface ActionRun {
  /** api.notification calls in order. */
  calls: Array<{ kind: 'drop' | 'retry'; reason: string }>;
  drops: string[];
  retries: string[];
  logs: string[];
  requests: RecordedRequest[];
  required: string[];
}

export interface RunOptions {
  /** Replaces the global AbortSignal inside the Action's realm. */
  AbortSignal?: unknown;
}

const nodeRequire = createRequire(import.meta.url);

export async function runAction(code: string, event: unknown, options: RunOptions = {}): Promise<ActionRun> {
  const run: ActionRun = { calls: [], drops: [], retries: [], logs: [], requests: [], required: [] };
  const log = (...args: unknown[]): void => {
    run.logs.push(format(...args));
  };
  const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    run.requests.push({
      url: String(input),
      method: init?.method,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: init?.body,
      redirect: init?.redirect,
      hasSignal: init?.signal !== undefined && init.signal !== null,
    });
    return fetch(input, init);
  };
  const context = vm.createContext({
    console: { log, info: log, warn: log, error: log, debug: log, trace: log },
    fetch: recordingFetch,
    AbortSignal: options.AbortSignal ?? AbortSignal,
    URL,
  });
  const wrapper = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], {
    parsingContext: context,
    filename: 'auth0-action.js',
  });
  const module = { exports: {} as Record<string, unknown> };
  const limitedRequire = (id: string): unknown => {
    run.required.push(id);
    if (!isBuiltin(id)) throw new Error(`require('${id}'): an Action without dependencies has Node built-ins only`);
    return nodeRequire(id);
  };
  wrapper(module.exports, limitedRequire, module, '/auth0-action.js', '/');
  const handler = module.exports.onExecuteCustomPhoneProvider;
  if (typeof handler !== 'function') throw new Error('the code does not export onExecuteCustomPhoneProvider');
  const record = (kind: 'drop' | 'retry') => (reason: string): void => {
    run.calls.push({ kind, reason });
    (kind === 'drop' ? run.drops : run.retries).push(reason);
  };
  const api = {
    cache: {
      get: () => undefined,
      set: () => ({ type: 'error', code: 'MaxSideEffectsExceeded' }),
      delete: () => ({ type: 'error', code: 'CacheKeyDoesNotExist' }),
    },
    notification: { drop: record('drop'), retry: record('retry') },
  };
  await (handler as (event: unknown, api: unknown) => Promise<void>)(event, api);
  return run;
}

export interface StubServer {
  url: string;
  /** Requests received (method, path, headers, body). */
  received: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

/** A bare HTTP server whose answer a test chooses (201, a redirect, none at all). */
export async function startStub(answer: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<StubServer> {
  const received: StubServer['received'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/sms`;
}

/** Every log line and reason, for leak checks. */
export function visibleText(run: ActionRun): string[] {
  return [...run.logs, ...run.calls.map((call) => call.reason)];
}
