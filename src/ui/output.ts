import { Chalk, type ChalkInstance } from 'chalk';
import { redactByShape, redactDeep, redactText } from '../core/redact.js';
import { safeForTerminal, untrusted } from '../core/untrusted.js';

/** Where a command writes, and what the process knows of its terminal. Tests pass their own. */
export interface Io {
  stdout: { write(text: string, done?: (error?: Error | null) => void): unknown; isTTY?: boolean | undefined };
  stderr: { write(text: string): unknown; isTTY?: boolean | undefined };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean | undefined };
  env: NodeJS.ProcessEnv;
}

/**
 * Colour, decided once for the whole run. chalk alone does not honour NO_COLOR, so the rule
 * lives here: `--json` and `--no-color` turn it off, then NO_COLOR (any non-empty value),
 * then FORCE_COLOR (0/false off, anything else on), then whether stdout is a terminal.
 */
export function decideColor(options: { json: boolean; colorFlag: boolean; env: NodeJS.ProcessEnv; stdoutIsTTY: boolean }): boolean {
  if (options.json || !options.colorFlag) return false;
  if (options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '') return false;
  const force = options.env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  return options.stdoutIsTTY;
}

/**
 * Prompts are allowed only when a person is there: stdin and stderr are terminals, CI is not
 * set and --json was not given (README, "Prompts appear only when …").
 */
export function canPrompt(io: Io, json: boolean): boolean {
  const ci = io.env.CI;
  return !json && io.stdin.isTTY === true && io.stderr.isTTY === true && (ci === undefined || ci === '' || ci === 'false' || ci === '0');
}

/** How long a stream line may wait to be written with the next ones: unnoticeable to a reader, and a busy server writes once per ~100 lines. */
const STREAM_FLUSH_MS = 5;
/** Written at once when this much waits (UTF-16 code units: about that many bytes for a log line). */
const STREAM_FLUSH_BYTES = 64 * 1024;

export class Output {
  readonly color: boolean;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly style: ChalkInstance;
  private jsonWritten = false;
  private readonly warnedOnce = new Set<string>();

  /**
   * The run's output, its colour decided once from the global options and the environment.
   * The prompt library decides its own colours from NO_COLOR when it loads (after this, with
   * the first question), so a decision against colour is passed on to it here too.
   */
  static forRun(io: Io, globals: { json: boolean; color: boolean; verbose: boolean }): Output {
    const color = decideColor({ json: globals.json, colorFlag: globals.color, env: io.env, stdoutIsTTY: io.stdout.isTTY === true });
    if (!color && io.env === process.env) process.env.NO_COLOR ??= '1';
    return new Output(io, { color, json: globals.json, verbose: globals.verbose });
  }

  constructor(readonly io: Io, options: { color: boolean; json: boolean; verbose: boolean }) {
    this.color = options.color;
    this.json = options.json;
    this.verbose = options.verbose;
    this.style = new Chalk({ level: options.color ? 1 : 0 });
  }

  /**
   * Data for stdout (tables, diffs). Suppressed in --json mode, where stdout holds one JSON
   * document. Redacted by position only (core/redact.ts): the producers redact secrets by key.
   */
  data(text: string): void {
    if (this.json) return;
    this.io.stdout.write(renderData(text));
  }

  /**
   * stdout for a stream of lines (a server's log of messages): each line rendered as `data()`
   * renders it (or, with `json`, written as given: JSON Lines). Lines are written together, at
   * most STREAM_FLUSH_MS after the first one waiting (or once STREAM_FLUSH_BYTES wait), so that
   * a burst of requests costs one write instead of one each; `flush()` writes what waits now.
   * `onLost` hears of each write that failed (the reader of a pipe went away) and how many
   * lines it held; then `flush()` resolves once its write is through, so that a caller that
   * stops can count every loss first.
   */
  stdoutLines(options: { onLost?: (lines: number, error: Error) => void } = {}): { line(text: string, options?: { json?: boolean }): void; flush(): Promise<void> } {
    let pending: string[] = [];
    let bytes = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Writes to one stream finish in order: the last one through means all are.
    let lastWrite: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (pending.length === 0) return lastWrite;
      const text = pending.join('');
      const lines = pending.length;
      pending = [];
      bytes = 0;
      const { onLost } = options;
      if (onLost === undefined) {
        this.io.stdout.write(text);
        return lastWrite;
      }
      lastWrite = new Promise<void>((resolve) => {
        this.io.stdout.write(text, (error) => {
          if (error != null) onLost(lines, error);
          resolve();
        });
      });
      return lastWrite;
    };
    return {
      line: (text, options = {}) => {
        // One kind of line per mode: JSON Lines with --json, text for people otherwise.
        if (this.json !== (options.json === true)) return;
        const rendered = options.json === true ? ensureNewline(text) : renderData(text);
        pending.push(rendered);
        bytes += rendered.length;
        if (bytes >= STREAM_FLUSH_BYTES) void flush();
        else timer ??= setTimeout(flush, STREAM_FLUSH_MS);
      },
      flush,
    };
  }

  /** The single JSON document of a --json run. */
  printJson(value: unknown, options: { ownDocument?: boolean } = {}): void {
    if (this.jsonWritten) throw new Error('a --json run prints one JSON document');
    this.jsonWritten = true;
    // Exact JSON: secrets hidden by key and by shape, never by looking up values elsewhere. The
    // tool's own static documents (the apply file's JSON Schema, whose keys are named "secret")
    // hold nothing to hide.
    const text = JSON.stringify(options.ownDocument === true ? value : redactDeep(value), null, 2);
    this.io.stdout.write(`${options.ownDocument === true ? text : redactByShape(text)}\n`);
  }

  get hasPrintedJson(): boolean {
    return this.jsonWritten;
  }

  /** Text for people: progress, notes. Always stderr. */
  info(text: string): void {
    this.io.stderr.write(ensureNewline(forPeople(text)));
  }

  warn(text: string): void {
    this.io.stderr.write(ensureNewline(`${this.style.yellow('warning:')} ${forPeople(text)}`));
  }

  /** A warning that more than one step of a run may come to (the tenant setting unread): said once. */
  warnOnce(text: string): void {
    if (this.warnedOnce.has(text)) return;
    this.warnedOnce.add(text);
    this.warn(text);
  }

  error(text: string): void {
    this.io.stderr.write(ensureNewline(`${this.style.red('error:')} ${forPeople(text)}`));
  }

  hint(text: string): void {
    this.io.stderr.write(ensureNewline(`${this.style.dim('hint:')} ${forPeople(text)}`));
  }

  /** --verbose traces; stderr, redacted. */
  trace(text: string): void {
    if (this.verbose) this.io.stderr.write(ensureNewline(this.style.dim(forPeople(text))));
  }
}

/** Every human-facing write: secrets redacted, then anything that could drive the terminal escaped. */
function forPeople(text: string): string {
  return safeForTerminal(redactText(text));
}

/** What `data()` writes: redacted by position, terminal controls escaped, one trailing newline. */
function renderData(text: string): string {
  return ensureNewline(safeForTerminal(redactByShape(text)));
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** A plain text table: header row, then rows; columns padded to the widest cell. Cells are outside text, shown escaped. */
export function renderTable(headers: string[], cells: string[][], style?: ChalkInstance): string {
  const rows = cells.map((row) => row.map((cell) => untrusted(cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const head = line(headers);
  return [style ? style.bold(head) : head, ...rows.map(line)].join('\n');
}
