/**
 * Exit codes of the command-line contract (README, "Exit codes").
 * Commands throw; only cli.ts turns an error into an exit code.
 */
export const ExitCode = {
  ok: 0,
  /** A remote or runtime failure: Auth0 error, network, gateway not 200, stale read. */
  remote: 1,
  /** The input must be fixed: bad flag or value, invalid file, unknown or non-SMS connection. */
  input: 2,
  /** `--dry-run --exit-code`: changes pending. */
  pending: 3,
  /** Cancelled: Ctrl-C, or "no" at a confirmation. */
  cancelled: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliErrorOptions {
  /** One line that names the fix. */
  hint?: string | undefined;
  cause?: unknown;
  /** The Management API scope whose absence caused the error, when Auth0 named one. */
  missingScope?: string | undefined;
  /**
   * The request may have been carried out although no success was seen: its answer was lost
   * (timeout, reset) or was a 5xx, 408 or 429. A write that fails so is settled by reading.
   */
  answerLost?: boolean | undefined;
  /**
   * A write may have been carried out: the message says what was observed and the hint how to
   * check and undo it. Summaries count it apart from writes that failed with nothing changed.
   */
  outcomeUnknown?: boolean | undefined;
  /** A run of several writes stopped part-way: some were done (the message names them). */
  partial?: boolean | undefined;
}

/** The one error type a command throws on purpose. `message` is one line, already redacted. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  readonly missingScope: string | undefined;
  readonly answerLost: boolean;
  readonly outcomeUnknown: boolean;
  readonly partial: boolean;

  constructor(exitCode: ExitCodeValue, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.missingScope = options.missingScope;
    this.answerLost = options.answerLost === true;
    this.outcomeUnknown = options.outcomeUnknown === true;
    this.partial = options.partial === true;
  }
}

export const inputError = (message: string, hint?: string): CliError =>
  new CliError(ExitCode.input, message, { hint });

export const remoteError = (message: string, hint?: string, cause?: unknown): CliError =>
  new CliError(ExitCode.remote, message, { hint, cause });

export const cancelledError = (message = 'cancelled, nothing changed'): CliError =>
  new CliError(ExitCode.cancelled, message);
