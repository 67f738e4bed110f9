import { untrusted } from '../core/untrusted.js';
import type { Io } from './output.js';

/** `1m 40s`, `12s`: an ETA as people read it. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m ${String(seconds % 60).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * One progress line on a terminal, redrawn in place: done/total, what is being written now, and
 * the time left. Nothing at all when stderr is not a terminal or the run prints --json, so logs
 * and the JSON document are what they would be without it.
 */
export class ProgressLine {
  readonly #io: Io;
  readonly #enabled: boolean;
  #shown = false;

  constructor(io: Io, options: { json: boolean; total: number; minimum: number }) {
    this.#io = io;
    this.#enabled = !options.json && io.stderr.isTTY === true && options.total > options.minimum;
  }

  update(done: number, total: number, current: string, etaMs: number): void {
    if (!this.#enabled) return;
    const columns = (this.#io.stderr as { columns?: number }).columns ?? 80;
    const line = `[${done}/${total}] ${untrusted(current)}  ETA ${formatDuration(etaMs)}`;
    // \r and "erase line" are the tool's own; the name in it was escaped above.
    this.#io.stderr.write(`\r\u001b[2K${line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line}`);
    this.#shown = true;
  }

  /** Clears the line so the next output starts on a clean line. */
  clear(): void {
    if (!this.#shown) return;
    this.#io.stderr.write('\r\u001b[2K');
    this.#shown = false;
  }
}
