import type { ConnectionsApi } from '../auth0/client.js';
import { writeBackup, defaultBackupDir } from '../backup/backup.js';
import { deepEqual, diffOptions, type Change } from '../core/diff.js';
import { CliError, ExitCode, inputError, remoteError, cancelledError } from '../core/errors.js';
import type { Connection, SmsOptions } from '../core/options.js';
import { VERSION } from '../version.js';
import { changesToJson, renderChanges } from '../ui/diff.js';
import type { CommandContext } from './context.js';

export interface WriteFlags {
  dryRun?: boolean | undefined;
  backupDir?: string | undefined;
  /** commander's --no-backup sets backup: false. */
  backup?: boolean | undefined;
}

/**
 * Confirmation rule of the contract: --yes, else a prompt when a person is there (default no),
 * else exit 2 naming --yes. A "no" or Ctrl-C is exit 130 with nothing written.
 */
export async function confirmOrThrow(ctx: CommandContext, question: string): Promise<void> {
  if (ctx.globals.yes) return;
  if (!ctx.interactive) {
    throw inputError('this change needs confirmation, and there is no terminal to ask on', 'review the diff (add --dry-run to only see it), then re-run with --yes');
  }
  const { confirm } = await import('../ui/prompts.js');
  if (!(await confirm(ctx.io, question))) throw cancelledError();
}

/** Same connection, same options and display name, compared by value. */
export function sameConnectionState(a: Connection, b: Connection): boolean {
  return deepEqual(a.options, b.options) && (a.display_name ?? a.name) === (b.display_name ?? b.name);
}

export function backupIfWanted(ctx: CommandContext, api: ConnectionsApi, connection: Connection, flags: WriteFlags): string | null {
  if (flags.backup === false) return null;
  const dir = flags.backupDir ?? ctx.io.env.AUTH0_SMS_GATEWAY_BACKUP_DIR ?? defaultBackupDir(ctx.io.env);
  try {
    return writeBackup({ dir, tenant: api.domain, connection, tool: `auth0-sms-gateway@${VERSION}`, now: new Date() });
  } catch (error) {
    throw new CliError(ExitCode.input, `cannot write the backup in ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'}): nothing was changed`, {
      hint: 'pass --backup-dir <a writable folder>, or --no-backup to go without one',
    });
  }
}

const sameBooleanish = (a: unknown, b: unknown): boolean => String(a) === String(b) && [a, b].some((v) => typeof v === 'boolean');

/** Whether a failed PATCH may have been applied anyway (no answer, or a server error). */
function outcomeUnknown(error: CliError): boolean {
  const cause = error.cause as { statusCode?: unknown } | undefined;
  const status = typeof cause?.statusCode === 'number' ? cause.statusCode : undefined;
  return status === undefined || status >= 500 || status === 408 || status === 429;
}

/**
 * The write: re-read right before the PATCH and stop if the connection moved since it was
 * shown; PATCH the whole options with the current display_name (Auth0 resets an omitted one
 * to the name); check what Auth0 stored. A PATCH whose answer was lost is settled by a read:
 * the tool ends with the intended state or the original one, and says which.
 */
export async function patchChecked(api: ConnectionsApi, shown: Connection, next: SmsOptions, backup: string | null): Promise<Connection> {
  const latest = await api.getConnection(shown.id);
  if (!sameConnectionState(latest, shown)) {
    throw remoteError(`${shown.name} changed since it was read (someone else wrote to it): nothing was written`, 're-run to see and confirm a plan against its current state');
  }
  const restoreHint = backup === null ? 'check it with `auth0-sms-gateway show`' : `check it with \`auth0-sms-gateway show\`, or put it back with \`auth0-sms-gateway restore ${backup}\``;
  let stored: Connection;
  try {
    stored = await api.updateConnection(shown.id, { options: next, display_name: shown.display_name });
  } catch (error) {
    if (!(error instanceof CliError) || !outcomeUnknown(error)) throw error;
    let after: Connection;
    try {
      after = await api.getConnection(shown.id);
    } catch {
      throw remoteError(`${error.message}; whether Auth0 applied the change is unknown`, restoreHint);
    }
    if (deepEqual(after.options, next)) return after;
    if (sameConnectionState(after, shown)) throw remoteError(`${error.message}: nothing was changed`, error.hint);
    throw remoteError(`${error.message}, and ${shown.name} is now in a state nobody planned`, restoreHint);
  }
  // Keys Auth0 added are fine; so is a "true" it stored as true (its schema types
  // forward_req_info as a boolean while its own doc example sends a string).
  const lost = diffOptions(next, stored.options ?? {}).filter((c: Change) => c.kind !== 'added' && !sameBooleanish(c.before, c.after));
  if (lost.length > 0) {
    throw remoteError(`Auth0 stored different options than were sent (${lost.map((c) => c.path).join(', ')})`, restoreHint);
  }
  return stored;
}

/** One connection's change, as configure and restore show and write it. */
export interface ChangeToWrite {
  current: Connection;
  next: SmsOptions;
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
export async function showConfirmWrite(ctx: CommandContext, api: ConnectionsApi, change: ChangeToWrite, flags: WriteFlags): Promise<WriteOutcome> {
  const { output } = ctx;
  const { current } = change;
  const dryRun = flags.dryRun === true;
  const count = `${change.changes.length} change${change.changes.length === 1 ? '' : 's'}`;
  const report = (changed: boolean, backup: string | null) => {
    if (output.json) output.printJson({ connection: { id: current.id, name: current.name }, changed, dryRun, diff: changesToJson(change.changes), backup, ...change.json });
  };

  if (!output.json) {
    output.data(`${output.style.bold(current.name)} (${current.id}) on ${api.domain}${change.headingSuffix ?? ''}\n${renderChanges(change.changes, output.style)}`);
  }
  for (const warning of change.warnings ?? []) output.warn(warning);
  if (change.changes.length === 0) {
    output.info(change.nothingToChange);
    report(false, null);
    return { result: 'unchanged', connection: current };
  }
  if (dryRun) {
    output.info(`Dry run: ${count} planned, nothing written.`);
    report(false, null);
    return { result: 'dry-run', connection: current };
  }
  await confirmOrThrow(ctx, change.confirmQuestion);
  const backup = backupIfWanted(ctx, api, current, flags);
  if (backup !== null) output.info(`backup: ${backup}`);
  change.beforeWrite?.();
  const stored = await patchChecked(api, current, change.next, backup);
  report(true, backup);
  return { result: 'applied', connection: stored };
}
