import type { ManagementApi } from '../auth0/client.js';

import { deepEqual, diffOptions, type Change } from '../core/diff.js';
import { CliError, ExitCode, inputError, remoteError, cancelledError, type ExitCodeValue } from '../core/errors.js';
import type { Connection, RawOptions } from '../core/options.js';
import { VERSION } from '../version.js';
import { changesToJson, renderChanges } from '../ui/diff.js';
import { backupDirFor, unsafeBackupFolder, writeBackup, type BackupTarget } from './backup.js';
import { acquireLocks } from './lock.js';
import type { CommandContext } from './context.js';
import { untrusted } from '../core/untrusted.js';
import type { WriteFlags } from './settings-flags.js';
import { restoreCommand } from '../core/shell.js';

/**
 * Confirmation rule of the contract: --yes, else a prompt when a person is there (default no),
 * else exit 2 naming --yes. A "no" or Ctrl-C is exit 130 with nothing written.
 */
export async function confirmOrThrow(ctx: CommandContext, question: string, unasked?: { what: string; hint: string }): Promise<void> {
  if (ctx.globals.yes) return;
  if (!ctx.interactive) {
    throw unasked === undefined
      ? inputError('this change needs confirmation, and there is no terminal to ask on', 'review the diff (add --dry-run to only see it), then re-run with --yes')
      : inputError(`${unasked.what} needs confirmation, and there is no terminal to ask on`, unasked.hint);
  }
  const prompter = await ctx.prompter();
  if (!(await prompter.confirm({ message: question }))) throw cancelledError();
}

/**
 * For a run that a second signal ends at once, in the middle of a write: the lock is released
 * and --json still prints its one document (the error), as the exit skips the usual report.
 */
export function exitingNow(ctx: CommandContext, release: () => void): (message: string) => void {
  return (message) => {
    release();
    if (ctx.output.json && !ctx.output.hasPrintedJson) ctx.output.printJson({ error: { message, hint: null, exitCode: ExitCode.cancelled } });
  };
}

/** Same connection, same options and display name, compared by value. */
export function sameConnectionState(a: Connection, b: Connection): boolean {
  return deepEqual(a.options, b.options) && (a.display_name ?? a.name) === (b.display_name ?? b.name);
}

/**
 * The backup a write takes first, unless --no-backup: `write` puts it in the folder of the run
 * (--backup-dir, AUTH0_SMS_GATEWAY_BACKUP_DIR or the default). A folder that cannot be
 * written stops the run while nothing has changed.
 */
export function backupIfWanted(ctx: CommandContext, flags: WriteFlags, write: (target: BackupTarget) => string, tenant: string): string | null {
  if (flags.backup === false) return null;
  const dir = backupDirFor(flags.backupDir, ctx.io.env);
  try {
    return write({ dir, tenant, tool: `auth0-sms-gateway@${VERSION}`, now: new Date() });
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(ExitCode.input, `cannot write the backup in ${untrusted(dir)} (${(error as NodeJS.ErrnoException).code ?? 'error'}): nothing was changed`, {
      hint: 'pass --backup-dir <a writable folder>, or --no-backup to go without one',
    });
  }
}

/** What a PATCH of a connection's options needs (docs/auth0-facts.md#the-options-scopes). */
export const CONNECTION_WRITE_SCOPES = ['update:connections', 'update:connections_options'] as const;

/** The scopes of `needed` the token lacks: none when it has them all, or when its scopes are unknown. */
function missingScopes(api: ManagementApi, needed: readonly string[]): string[] {
  const granted = api.grantedScopes();
  return granted === null ? [] : [...new Set(needed)].filter((scope) => !granted.has(scope));
}

/**
 * Before the first write, and before asking for it: a scope the writes need and the token
 * lacks is named while nothing has changed (rather than by Auth0's 403 after the backup, or
 * halfway through a run).
 */
function requireScopes(api: ManagementApi, needed: readonly string[]): void {
  const missing = missingScopes(api, needed);
  if (missing.length > 0) {
    throw new CliError(ExitCode.remote, `the token lacks ${missing.join(', ')}, which these changes need: nothing was written`, {
      hint: `grant ${missing.join(', ')} to your Machine-to-Machine app: Dashboard > Applications > APIs > Auth0 Management API > Machine to Machine Applications`,
      missingScope: missing[0],
    });
  }
}

/**
 * What every write checks before it asks, so that nothing is asked that cannot be done: the
 * token's scopes for these writes, and a backup folder restore would trust. A dry run shows
 * its plan anyway (a CI plan job may run read-only) and warns of each instead.
 */
export function checkBeforeAsking(ctx: CommandContext, api: ManagementApi, flags: WriteFlags, needed: readonly string[]): void {
  const unsafe = flags.backup === false ? undefined : unsafeBackupFolder(backupDirFor(flags.backupDir, ctx.io.env));
  if (flags.dryRun === true) {
    const missing = missingScopes(api, needed);
    if (missing.length > 0) ctx.output.warn(`the token lacks ${missing.join(', ')}: this plan cannot be written with it`);
    if (unsafe !== undefined) ctx.output.warn(unsafe.message.replace(/: nothing was changed$/, ''));
    return;
  }
  requireScopes(api, needed);
  if (unsafe !== undefined) throw unsafe;
}

/** A connection's backup, before its write. */
export function backupConnection(ctx: CommandContext, api: ManagementApi, connection: Connection, flags: WriteFlags): string | null {
  return backupIfWanted(ctx, flags, (target) => writeBackup({ ...target, connection }), api.domain);
}

const sameBooleanish = (a: unknown, b: unknown): boolean => String(a) === String(b) && [a, b].some((v) => typeof v === 'boolean');


/** The error of a run that must end before a connection's write settled (exit 130). */
export function stoppedWithUnknownOutcome(connection: Connection, backup: string | null): CliError {
  return new CliError(ExitCode.cancelled, unknownOutcomeOf(connection, backup), { outcomeUnknown: true });
}

/** What to say when the run must end before a connection's write settled. */
function unknownOutcomeOf(connection: Connection, backup: string | null): string {
  return (
    `whether ${untrusted(connection.name)} (${connection.id}) changed is unknown; check it with \`auth0-sms-gateway show ${connection.id}\`` +
    (backup === null ? '' : ` and put it back if needed with \`${restoreCommand(backup)}\``)
  );
}

/** What a run cut short can say of the connection being written: nothing changed before its PATCH went out, unknown after. */
export function outcomeWhenCutShort(connection: Connection, backup: string | null, sent: boolean): string {
  return sent ? unknownOutcomeOf(connection, backup) : `${untrusted(connection.name)} was not written: nothing was changed`;
}

/** Waits between the reads that settle a PATCH whose answer was lost: long enough for a slow write to land. */
const SETTLE_WAITS_MS = [500, 1000, 2000, 4000] as const;

export interface PatchOptions {
  /** Waits between settling reads; tests pass shorter ones. */
  settleWaitsMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
  /** The signal that asked the run to stop, if one did (flow/interrupt.ts): no PATCH is sent after it. */
  stopRequested?: () => string | undefined;
  /** Called right before each PATCH is sent: until then, a run cut short knows nothing changed. */
  onSend?: () => void;
  /**
   * The re-read, already sent: apply sends it while the previous connection's PATCH is in
   * flight. Default: read here.
   */
  reread?: Promise<Connection> | undefined;
  /**
   * A read issued together with the first PATCH (apply: the next connection's re-read). It is
   * handed to `fresh` only when that PATCH was answered with no request sent twice meanwhile:
   * a 429 is resent after a wait for the rate limit and a lost answer is settled with waits,
   * both seconds, after which the read may no longer stand in for reading again. Its failure
   * is left to whoever awaits it.
   */
  readAlong?: { read: () => Promise<Connection>; fresh: (read: Promise<Connection>) => void } | undefined;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether Auth0 holds what was sent: keys it added are fine, and so is a "true" it stored as true. */
function holds(stored: Connection, next: RawOptions): boolean {
  return diffOptions(next, stored.options ?? {}).every((c: Change) => c.kind === 'added' || sameBooleanish(c.before, c.after));
}

/**
 * The write: re-read right before the PATCH and stop if the connection moved since it was
 * shown (nothing happens between that read and the PATCH but, in apply, the previous
 * connection's PATCH, issued together with it: `reread`); PATCH the whole options with
 * the current display_name (Auth0 resets an omitted one to the name); check what Auth0 stored.
 *
 * When a PATCH was sent and its answer lost (timeout, reset, 5xx), nothing is claimed without
 * evidence: the connection is read again, more than once and with waits, since a slow write
 * may land after the client gave up. Still the old state after that: the same PATCH is sent
 * once more (it is idempotent, and the re-read just showed the guard still holds). The run
 * ends with the state it observed, or, when no read succeeds, says the outcome is unknown and
 * how to undo it.
 */
export async function patchChecked(api: ManagementApi, shown: Connection, next: RawOptions, backup: string | null, options: PatchOptions = {}): Promise<Connection> {
  const name = untrusted(shown.name);
  const latest = await (options.reread ?? api.getConnection(shown.id));
  if (!sameConnectionState(latest, shown)) {
    throw remoteError(`${name} changed since it was read (someone else wrote to it): nothing was written`, 're-run to see and confirm a plan against its current state');
  }
  // A signal during the re-read asked to stop before the write: the write in flight was a read.
  const stopBefore = options.stopRequested?.();
  if (stopBefore !== undefined) {
    throw new CliError(ExitCode.cancelled, `stopped by ${stopBefore} before ${name} was written: nothing was changed`, { hint: 'run the same command again: it changes only what still differs' });
  }
  const undo =
    backup === null
      ? `check it with \`auth0-sms-gateway show ${untrusted(shown.id)}\``
      : `check it with \`auth0-sms-gateway show ${untrusted(shown.id)}\`, and put it back if needed with \`${restoreCommand(backup)}\``;
  // What a write that may have landed says: what was observed, and how to check and undo it.
  const mayHaveLanded = (exitCode: ExitCodeValue, message: string, cause?: unknown) => new CliError(exitCode, message, { hint: undo, cause, outcomeUnknown: true });
  const waits = options.settleWaitsMs ?? SETTLE_WAITS_MS;
  const sleep = options.sleep ?? pause;
  for (let sends = 1; ; sends++) {
    let stored: Connection;
    try {
      options.onSend?.();
      const sent = api.updateConnection(shown.id, { options: next, display_name: shown.display_name ?? undefined });
      const along = sends === 1 ? readAlongWith(api, options.readAlong) : undefined;
      stored = await sent;
      if (along !== undefined && api.resendCount() === along.resends) options.readAlong?.fresh(along.read);
    } catch (error) {
      if (!(error instanceof CliError) || !error.answerLost) throw error;
      const observed = await settle(api, shown, next, waits, sleep);
      if (observed.kind === 'applied') return observed.connection;
      if (observed.kind === 'unknown') throw mayHaveLanded(ExitCode.remote, `${error.message}, and no read since shows what Auth0 did: the outcome is unknown`, error);
      if (observed.kind === 'other') throw mayHaveLanded(ExitCode.remote, `${error.message}, and ${name} is now in a state nobody planned`, error);
      // Still the old state after waiting: resend once (unless the run was asked to stop). The
      // reads show that the lost write had not landed by then, not that it never will: a
      // request Auth0 queued can still be carried out, so "nothing was changed" is never said.
      const stopNow = options.stopRequested?.();
      if (stopNow !== undefined) {
        throw mayHaveLanded(
          ExitCode.cancelled,
          `stopped by ${stopNow} before ${name} was written again: its first write's answer was lost and the last read still showed its previous options, but that write may still land`,
        );
      }
      if (sends < 2) continue;
      throw mayHaveLanded(
        ExitCode.remote,
        `${error.message}, twice; the last read still showed ${name}'s previous options, so neither write had landed by then, but one whose answer was lost may still land`,
        error,
      );
    }
    if (!holds(stored, next)) {
      const lost = diffOptions(next, stored.options ?? {}).filter((c: Change) => c.kind !== 'added' && !sameBooleanish(c.before, c.after));
      throw mayHaveLanded(ExitCode.remote, `Auth0 stored different options than were sent (${lost.map((c) => c.path).join(', ')})`);
    }
    return stored;
  }
}

/** Issues `readAlong`'s read, noting the resends so far; a rejection nobody awaits is no crash. */
function readAlongWith(api: ManagementApi, readAlong: PatchOptions['readAlong']): { read: Promise<Connection>; resends: number } | undefined {
  if (readAlong === undefined) return undefined;
  const resends = api.resendCount();
  const read = Promise.resolve().then(readAlong.read);
  read.catch(() => undefined);
  return { read, resends };
}

/** What a read after a lost answer shows: the write carried out, the state before it, or neither. */
export type Seen = 'applied' | 'old' | 'other';

/**
 * Reads (with `look`) until a write whose answer was lost shows as carried out, or the waits
 * run out: a slow write may land after the client gave up. Returns what the latest read saw,
 * 'unknown' when it failed: an earlier read's "old" may be out of date, and a resend must
 * follow a read that just showed the old state. Someone else's state ('other') does not turn
 * into ours by waiting.
 */
export async function observeAfterLostAnswer(look: () => Promise<Seen>, waits: readonly number[], sleep: (ms: number) => Promise<void>): Promise<Seen | 'unknown'> {
  let last: Seen | 'unknown' = 'unknown';
  for (let i = 0; i <= waits.length; i++) {
    try {
      last = await look();
      if (last !== 'old') return last;
    } catch {
      last = 'unknown';
    }
    const wait = waits[i];
    if (wait !== undefined) await sleep(wait);
  }
  return last;
}

type Observed = { kind: 'applied'; connection: Connection } | { kind: 'old' } | { kind: 'other' } | { kind: 'unknown' };

/** A connection's write, settled by reading it. */
async function settle(api: ManagementApi, shown: Connection, next: RawOptions, waits: readonly number[], sleep: (ms: number) => Promise<void>): Promise<Observed> {
  let applied: Connection | undefined;
  const seen = await observeAfterLostAnswer(
    async () => {
      const after = await api.getConnection(shown.id);
      if (holds(after, next) && (after.display_name ?? after.name) === (shown.display_name ?? shown.name)) {
        applied = after;
        return 'applied';
      }
      return sameConnectionState(after, shown) ? 'old' : 'other';
    },
    waits,
    sleep,
  );
  if (seen !== 'applied') return { kind: seen };
  // `look` keeps the connection it saw applied: set whenever it answered 'applied'.
  return applied === undefined ? { kind: 'unknown' } : { kind: 'applied', connection: applied };
}

/** One connection's change, as configure and restore show and write it. */
export interface ChangeToWrite {
  current: Connection;
  next: RawOptions;
  changes: readonly Change[];
  /** Printed after "name (id) on tenant", e.g. ", back to the backup of …". */
  headingSuffix?: string;
  warnings?: readonly string[];
  nothingToChange: string;
  confirmQuestion: string;
  /** Fields of the command's --json document besides connection, changed, dryRun, diff and backup. */
  json: Record<string, unknown>;
  /** Runs after the confirmation and the backup, right before the PATCH. */
  beforeWrite?: () => void;
  /**
   * Runs once the diff is shown and before --dry-run stops or the confirmation: the gateway
   * pre-flight of --test-to. Throws to stop with nothing written; returns fields for --json.
   */
  beforeConfirm?: () => Promise<Record<string, unknown>>;
}

export interface WriteOutcome {
  result: 'applied' | 'unchanged' | 'dry-run';
  /** As Auth0 stored it after the PATCH, else as read. */
  connection: Connection;
}

/**
 * The write step configure and restore share: show the diff (and warnings) → nothing to do, or
 * stop at --dry-run → confirm → back up → re-read, PATCH and check (patchChecked) → one --json
 * document. The caller says what was done.
 */
export async function showConfirmWrite(ctx: CommandContext, api: ManagementApi, change: ChangeToWrite, flags: WriteFlags): Promise<WriteOutcome> {
  const { output } = ctx;
  const { current } = change;
  const dryRun = flags.dryRun === true;
  const count = `${change.changes.length} change${change.changes.length === 1 ? '' : 's'}`;
  let extra: Record<string, unknown> = {};
  const report = (changed: boolean, backup: string | null) => {
    if (output.json) output.printJson({ connection: { id: current.id, name: current.name }, changed, dryRun, diff: changesToJson(change.changes), backup, ...change.json, ...extra });
  };

  if (!output.json) {
    // "connection" first: a name from the tenant never starts a line (see apply's plan).
    output.data(`connection ${output.style.bold(untrusted(current.name))} (${untrusted(current.id)}) on ${api.domain}${change.headingSuffix ?? ''}\n${renderChanges(change.changes, output.style)}`);
  }
  for (const warning of change.warnings ?? []) output.warn(warning);
  if (change.changes.length === 0) {
    output.info(change.nothingToChange);
    report(false, null);
    return { result: 'unchanged', connection: current };
  }
  if (change.beforeConfirm !== undefined) extra = await change.beforeConfirm();
  checkBeforeAsking(ctx, api, flags, CONNECTION_WRITE_SCOPES);
  if (dryRun) {
    output.info(`Dry run: ${count} planned, nothing written.`);
    report(false, null);
    return { result: 'dry-run', connection: current };
  }
  await confirmOrThrow(ctx, change.confirmQuestion);
  const release = await acquireLocks(ctx.io.env, api.domain, [current.id]);
  let backup: string | null;
  let stored: Connection;
  try {
    backup = backupConnection(ctx, api, current, flags);
    if (backup !== null) output.info(`backup: ${backup}`);
    change.beforeWrite?.();
    const saved = backup;
    let sent = false;
    stored = await ctx.interrupts.guard(
      () =>
        patchChecked(api, current, change.next, saved, {
          settleWaitsMs: ctx.settleWaitsMs,
          stopRequested: () => ctx.interrupts.requested,
          onSend: () => {
            sent = true;
          },
        }),
      // Cut short before the PATCH went out (during the re-read), nothing changed: say that, not "unknown".
      () => outcomeWhenCutShort(current, saved, sent),
      exitingNow(ctx, release),
    );
  } finally {
    release();
  }
  report(true, backup);
  const stoppedBy = ctx.interrupts.requested;
  if (stoppedBy !== undefined) {
    // The write finished and was settled; the run stops here as asked, saying what is true.
    throw new CliError(ExitCode.cancelled, `stopped by ${stoppedBy} after the write finished: ${untrusted(current.name)} holds the new options`, {
      hint: backup === null ? undefined : `to undo it: ${restoreCommand(backup)}`,
    });
  }
  return { result: 'applied', connection: stored };
}
