/**
 * Queued misbehaviour: the failures a real tenant and network produce (5xx, lost responses,
 * slowness, a request that lands after its client gave up, someone else editing the connection
 * between the CLI's read and its write).
 */
import type { Fault, FaultMatch } from './types.js';

type MatchedFault = Extract<Fault, { kind: 'status' | 'drop' | 'latency' | 'delayedApply' | 'unreadableAnswer' }>;
type ConcurrentWrite = Extract<Fault, { kind: 'concurrentWrite' }>;
/** The faults that change what happens to a request (one at most per request); latency only adds up. */
export type FailureFault = Extract<Fault, { kind: 'status' | 'drop' | 'delayedApply' | 'unreadableAnswer' }>;

export class FaultQueue {
  #matched: Array<{ fault: MatchedFault; remaining: number; toPass: number }> = [];
  #writes: Array<{ fault: ConcurrentWrite; reads: number }> = [];

  /** Queues a fault; returns a concurrent write that is due at once (`afterReads: 0`). */
  add(fault: Fault): ConcurrentWrite | undefined {
    if (fault.kind === 'concurrentWrite') {
      if (!Number.isInteger(fault.afterReads) || fault.afterReads < 0) throw new RangeError(`afterReads must be an integer >= 0, got ${fault.afterReads}`);
      if (fault.afterReads === 0) return fault;
      this.#writes.push({ fault, reads: 0 });
      return undefined;
    }
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be an integer >= 1, got ${times}`);
    if (fault.kind === 'status' && !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)) {
      throw new RangeError(`status must be an HTTP status code, got ${fault.status}`);
    }
    if ((fault.kind === 'latency' || fault.kind === 'delayedApply') && !(Number.isFinite(fault.ms) && fault.ms >= 0)) {
      throw new RangeError(`ms must be >= 0, got ${fault.ms}`);
    }
    const after = fault.after ?? 0;
    if (!Number.isInteger(after) || after < 0) throw new RangeError(`after must be an integer >= 0, got ${after}`);
    this.#matched.push({ fault, remaining: times, toPass: after });
    return undefined;
  }

  clear(): void {
    this.#matched = [];
    this.#writes = [];
  }

  /** Total delay of the latency faults matching this request (each one used once). */
  takeLatency(method: string, path: string): number {
    let ms = 0;
    for (const entry of this.#matched) {
      if (entry.fault.kind === 'latency' && entry.remaining > 0 && matches(entry.fault, method, path) && !passes(entry)) {
        ms += entry.fault.ms;
        entry.remaining -= 1;
      }
    }
    this.#prune();
    return ms;
  }

  /** The first queued status, drop or delayedApply fault matching this request, used once. */
  takeFailure(method: string, path: string): FailureFault | undefined {
    for (const entry of this.#matched) {
      const { fault } = entry;
      if (fault.kind !== 'latency' && entry.remaining > 0 && matches(fault, method, path) && !passes(entry)) {
        entry.remaining -= 1;
        this.#prune();
        return fault;
      }
    }
    return undefined;
  }

  /** Counts one read of each connection; returns the concurrent writes now due. */
  noteReads(connectionIds: readonly string[]): ConcurrentWrite[] {
    const due: ConcurrentWrite[] = [];
    this.#writes = this.#writes.filter((entry) => {
      if (connectionIds.includes(entry.fault.id)) entry.reads += 1;
      if (entry.reads < entry.fault.afterReads) return true;
      due.push(entry.fault);
      return false;
    });
    return due;
  }

  #prune(): void {
    this.#matched = this.#matched.filter((entry) => entry.remaining > 0);
  }
}

function matches(fault: FaultMatch, method: string, path: string): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== method.toUpperCase()) return false;
  if (fault.path === undefined) return true;
  if (typeof fault.path === 'string') return fault.path === path;
  fault.path.lastIndex = 0; // a /g or /y RegExp keeps state between test() calls
  return fault.path.test(path);
}

/** Counts a matching request against the fault's `after`: true while requests still pass untouched. */
function passes(entry: { toPass: number }): boolean {
  if (entry.toPass === 0) return false;
  entry.toPass -= 1;
  return true;
}
