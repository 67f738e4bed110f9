/**
 * Runs a `custom-phone-provider` (v1) Action the way Auth0's runtime would, in node:vm:
 *
 * - CommonJS: the code assigns `exports.onExecuteCustomPhoneProvider = async (event, api) => …`
 *   (https://auth0.com/docs/customize/phone-messages/configure-phone-messaging-providers/configure-a-custom-phone-provider).
 * - `require` gives Node's built-in modules only (`node:crypto`, `crypto`, …); anything else
 *   throws "Cannot find module", since the sandbox installs no npm dependencies.
 * - Globals: `fetch` (see outbound.ts), `Response`, `Headers`, `Request`, `AbortController`,
 *   `AbortSignal`, timers, `Buffer`, `URL`, `URLSearchParams`, `TextEncoder`/`TextDecoder`,
 *   `structuredClone`, `atob`/`btoa`, `crypto` (Web Crypto) and `console`, captured with each
 *   call kept to 256 characters as Auth0 keeps them.
 * - `api.notification.drop/retry(reason)`: the last call wins, the reason is cut at 1,024
 *   characters; `api.cache` holds at most 20 string values of 4 KB, 15 minutes by default and
 *   24 h at most (https://github.com/auth0/auth0-actions/blob/main/src/custom-phone-provider/v1/index.d.ts,
 *   https://auth0.com/docs/customize/actions/limitations).
 * - The execution limit is 20 s (`timeoutMs`): past it the run is an error, its pending `fetch`
 *   calls are aborted and its timers cleared.
 *
 * This is a stand-in, not a security boundary: the code is the tests' and the tool's own.
 */
import { builtinModules, createRequire } from 'node:module';
import { format } from 'node:util';
import vm from 'node:vm';
import type { OutboundFetch } from './outbound.js';

/** What Auth0 keeps of one console call. */
const LOG_LINE_LIMIT = 256;
const REASON_LIMIT = 1024;
const CACHE_MAX_ENTRIES = 20;
const CACHE_MAX_VALUE = 4096;
const CACHE_DEFAULT_TTL_MS = 15 * 60 * 1000;
const CACHE_MAX_TTL_MS = 24 * 60 * 60 * 1000;
const FILENAME = '/action/index.js';

const hostRequire = createRequire(import.meta.url);
const BUILTINS = new Set(builtinModules);

export interface ActionRunResult {
  outcome: 'delivered' | 'retry' | 'drop' | 'error';
  reason?: string;
  logs: string[];
}

export interface ActionRunInput {
  code: string;
  event: Record<string, unknown>;
  timeoutMs: number;
  /** `AbortSignal.timeout(ms)` inside the Action fires after `ms × timeScale` (default 1). */
  timeScale?: number;
  fetch: OutboundFetch;
  cache: ActionCache;
  /** Aborted when the sandbox closes: the run ends at once. */
  signal?: AbortSignal;
}

/** CommonJS, as Auth0 loads an Action's code. */
const wrap = (code: string): string => `(function (exports, require, module, __filename, __dirname) {${code}\n})`;

/** The build step's check: undefined when the code compiles, else Auth0-style "SyntaxError: …" text. */
export function compileError(code: string): string | undefined {
  try {
    new vm.Script(wrap(code), { filename: FILENAME });
    return undefined;
  } catch (error) {
    return describe(error);
  }
}

/** AbortSignal, with `timeout(ms)` on a clock `scale` times as fast. */
function scaledAbortSignal(scale: number): typeof AbortSignal {
  if (scale === 1) return AbortSignal;
  return new Proxy(AbortSignal, {
    get(target, property, receiver) {
      if (property === 'timeout') return (ms: number) => AbortSignal.timeout(Math.max(1, Math.round(ms * scale)));
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

export async function runPhoneAction(input: ActionRunInput): Promise<ActionRunResult> {
  const logs: string[] = [];
  const log = (...args: unknown[]) => void logs.push(format(...args).slice(0, LOG_LINE_LIMIT));
  const execution = new AbortController();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let decision: { outcome: 'retry' | 'drop'; reason: string } | undefined;

  const signals = [execution.signal, ...(input.signal === undefined ? [] : [input.signal])];
  const fetch: OutboundFetch = (resource, init = {}) => {
    const own = init.signal ?? (resource instanceof Request ? resource.signal : undefined);
    return input.fetch(resource, { ...init, signal: AbortSignal.any(own === undefined || own === null ? signals : [...signals, own]) });
  };
  const setTimeoutTracked = (handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      handler(...args);
    }, ms);
    timers.add(timer);
    return timer;
  };
  const setIntervalTracked = (handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = setInterval(handler, ms, ...args);
    timers.add(timer);
    return timer;
  };
  const clearTracked = (timer: ReturnType<typeof setTimeout> | undefined) => {
    if (timer === undefined) return;
    timers.delete(timer);
    clearTimeout(timer);
  };
  const requireBuiltin = (id: string): unknown => {
    const bare = id.startsWith('node:') ? id.slice(5) : id;
    if (typeof id === 'string' && BUILTINS.has(bare)) return hostRequire(id);
    throw Object.assign(new Error(`Cannot find module '${String(id)}'`), { code: 'MODULE_NOT_FOUND' });
  };

  const api = {
    notification: {
      drop: (reason: unknown) => void (decision = { outcome: 'drop', reason: String(reason ?? '').slice(0, REASON_LIMIT) }),
      retry: (reason: unknown) => void (decision = { outcome: 'retry', reason: String(reason ?? '').slice(0, REASON_LIMIT) }),
    },
    cache: input.cache.api(),
  };
  const consoleObject = { log, info: log, warn: log, error: log, debug: log, trace: log };
  const context = vm.createContext({
    console: consoleObject,
    fetch,
    Response,
    Headers,
    Request,
    AbortController,
    AbortSignal: scaledAbortSignal(input.timeScale ?? 1),
    setTimeout: setTimeoutTracked,
    clearTimeout: clearTracked,
    setInterval: setIntervalTracked,
    clearInterval: clearTracked,
    queueMicrotask,
    structuredClone,
    Buffer,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    atob,
    btoa,
    crypto: globalThis.crypto,
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), input.timeoutMs);
  });
  const closed = new Promise<'closed'>((resolve) => {
    if (input.signal?.aborted === true) resolve('closed');
    input.signal?.addEventListener('abort', () => resolve('closed'), { once: true });
  });
  // A synchronous endless loop is cut by vm's own timeout; asynchronous work by the race below.
  const syncLimit = { timeout: Math.max(1, input.timeoutMs), filename: FILENAME };
  try {
    const moduleObject = { exports: {} as Record<string, unknown> };
    const factory: unknown = new vm.Script(wrap(input.code), { filename: FILENAME }).runInContext(context, syncLimit);
    context.__sandbox = { factory, moduleObject, requireBuiltin };
    vm.runInContext('__sandbox.factory.call(__sandbox.moduleObject.exports, __sandbox.moduleObject.exports, __sandbox.requireBuiltin, __sandbox.moduleObject, "/action/index.js", "/action")', context, syncLimit);
    const handler = moduleObject.exports.onExecuteCustomPhoneProvider;
    if (typeof handler !== 'function') {
      return { outcome: 'error', reason: 'The Action does not export onExecuteCustomPhoneProvider', logs };
    }
    context.__sandbox = { handler, event: input.event, api };
    const pending: unknown = vm.runInContext('__sandbox.handler(__sandbox.event, __sandbox.api)', context, syncLimit);
    delete context.__sandbox;
    // Settled either way, so that a rejection after the time limit is not an unhandled one.
    const finished = Promise.resolve(pending).then(
      () => ({ failed: false as const }),
      (error: unknown) => ({ failed: true as const, error }),
    );
    const settled = await Promise.race([finished, limit, closed]);
    if (settled === 'timeout') return { outcome: 'error', reason: `Execution timeout: the Action ran longer than ${input.timeoutMs} ms`, logs };
    if (settled === 'closed') return { outcome: 'error', reason: 'The sandbox closed while the Action ran', logs };
    if (settled.failed) return { outcome: 'error', reason: describe(settled.error), logs };
    return decision === undefined ? { outcome: 'delivered', logs } : { outcome: decision.outcome, reason: decision.reason, logs };
  } catch (error) {
    return { outcome: 'error', reason: describe(error), logs };
  } finally {
    clearTimeout(timer);
    execution.abort(new DOMException('The Action execution ended', 'AbortError'));
    for (const pendingTimer of timers) clearTimeout(pendingTimer);
    timers.clear();
  }
}

/** "Name: message" for errors of any realm (the Action's errors come from the vm's own Error). */
function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const name = 'name' in error && typeof error.name === 'string' ? error.name : 'Error';
    return `${name}: ${String(error.message)}`;
  }
  return String(error);
}

interface CacheRecord {
  value: string;
  expires_at: number;
}

/** `api.cache`: values scoped to the trigger, kept between executions until reset. */
export class ActionCache {
  readonly #records = new Map<string, CacheRecord>();

  clear(): void {
    this.#records.clear();
  }

  api() {
    const records = this.#records;
    const live = (key: string): CacheRecord | undefined => {
      const record = records.get(key);
      if (record !== undefined && record.expires_at <= Date.now()) records.delete(key);
      return records.get(key);
    };
    return {
      get: (key: string) => {
        const record = live(String(key));
        return record === undefined ? undefined : { ...record };
      },
      set: (key: string, value: string, options: { ttl?: number; expires_at?: number } = {}) => {
        const name = String(key);
        const text = String(value);
        if (Buffer.byteLength(text) > CACHE_MAX_VALUE) return { type: 'error', code: 'CacheValueSizeExceeded' };
        const now = Date.now();
        const ends = [now + Math.min(options.ttl ?? CACHE_DEFAULT_TTL_MS, CACHE_MAX_TTL_MS), ...(options.expires_at === undefined ? [] : [options.expires_at])];
        const expires = Math.min(...ends);
        if (!Number.isFinite(expires)) return { type: 'error', code: 'InvalidExpiry' };
        if (expires <= now) return { type: 'error', code: 'ItemAlreadyExpired' };
        for (const existing of [...records.keys()]) live(existing);
        if (!records.has(name) && records.size >= CACHE_MAX_ENTRIES) return { type: 'error', code: 'CacheSizeExceeded' };
        const record = { value: text, expires_at: expires };
        records.set(name, record);
        return { type: 'success', record: { ...record } };
      },
      delete: (key: string) => {
        records.delete(String(key));
        return { type: 'success' };
      },
    };
  }
}
