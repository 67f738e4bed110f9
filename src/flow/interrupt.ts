import { ExitCode } from '../core/errors.js';

/** Where signals come from (the process) and how the run ends at once (process.exit); tests pass their own. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface InterruptOptions {
  signals: SignalSource;
  /** Ends the run at once with this code (after a second signal, or when the wait runs out). */
  exit: (code: number) => void;
  /** Human text (stderr). */
  say: (text: string) => void;
  /** How long the request in flight may take after the first signal before the run gives up on it. */
  graceMs: number;
}

/**
 * Ctrl-C or SIGTERM while a write is in flight, handled as terraform does: the first signal
 * lets the request in flight finish (bounded), so the tool can settle and say what happened,
 * and the run stops after it (exit 130); a second signal ends the run at once with the
 * "outcome unknown" message. Outside `guard`, no write is in flight, so stopping at once is
 * true and safe: `stopOutsideWrites` ends the run with its last word (exit 130).
 */
export class Interrupts {
  #requested: string | undefined;
  #guards = 0;
  #stopping = false;
  readonly #options: InterruptOptions;

  constructor(options: InterruptOptions) {
    this.#options = options;
  }

  /** The signal that asked the run to stop, once one did. */
  get requested(): string | undefined {
    return this.#requested;
  }

  /**
   * Until the returned function is called, a SIGINT or SIGTERM that arrives while no `guard` is
   * running ends the run at once with exit 130, after `report(signal)` has said so (stderr, and
   * the --json error document): instead of dying silently by the signal, exit 130 or 143.
   */
  stopOutsideWrites(report: (signal: string) => unknown): () => void {
    const { signals, exit } = this.#options;
    const onSignal = (signal: string) => () => {
      if (this.#guards > 0 || this.#stopping) return;
      this.#stopping = true;
      void Promise.resolve()
        .then(() => report(signal))
        .finally(() => exit(ExitCode.cancelled));
    };
    const listeners = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
    signals.on('SIGINT', listeners.SIGINT);
    signals.on('SIGTERM', listeners.SIGTERM);
    return () => {
      signals.off('SIGINT', listeners.SIGINT);
      signals.off('SIGTERM', listeners.SIGTERM);
    };
  }

  /**
   * Runs one write (a request, and the reads that settle it) with the signal rule in force.
   * `unknownOutcome` is the message for a run that must end before the write settled; it
   * names how to check and undo, and is printed (with `beforeExit`, the --json document) as
   * the last word.
   */
  async guard<T>(write: () => Promise<T>, unknownOutcome: () => string, beforeExit?: (message: string) => void): Promise<T> {
    const { signals, say, exit, graceMs } = this.#options;
    // The run is ending (stopOutsideWrites): no write starts after the user asked to stop.
    if (this.#stopping) return new Promise<T>(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const endNow = (why: string) => {
      const message = `${why}: ${unknownOutcome()}`;
      beforeExit?.(message);
      say(`error: ${message}`);
      exit(ExitCode.cancelled);
    };
    const onSignal = (signal: string) => () => {
      if (this.#requested === undefined) {
        this.#requested = signal;
        say(`${signal}: finishing the request in flight, then stopping (press Ctrl-C again to stop at once)`);
        timer = setTimeout(() => endNow(`the request in flight did not finish within ${Math.round(graceMs / 1000)} s`), graceMs);
        timer.unref();
        return;
      }
      endNow(`stopped at once (${signal} again)`);
    };
    const listeners = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
    signals.on('SIGINT', listeners.SIGINT);
    signals.on('SIGTERM', listeners.SIGTERM);
    this.#guards++;
    try {
      return await write();
    } finally {
      this.#guards--;
      if (timer !== undefined) clearTimeout(timer);
      signals.off('SIGINT', listeners.SIGINT);
      signals.off('SIGTERM', listeners.SIGTERM);
    }
  }
}
