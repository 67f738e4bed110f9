import { readBackup } from '../backup/backup.js';
import { diffOptions } from '../core/diff.js';
import { requireSmsConnection } from '../core/options.js';
import { CliError, ExitCode, inputError } from '../core/errors.js';
import { changesToJson, renderChanges } from '../ui/diff.js';
import type { CommandContext } from './context.js';
import { backupIfWanted, confirmOrThrow, patchChecked, type WriteFlags } from './write-flow.js';

export interface RestoreFlags extends WriteFlags {
  force?: boolean | undefined;
}

/** Puts back the options a backup holds, through the same diff → confirm → re-read → PATCH flow. */
export async function runRestore(ctx: CommandContext, file: string, flags: RestoreFlags): Promise<number> {
  const { output } = ctx;
  const saved = readBackup(file);
  const api = await ctx.auth0();
  if (saved.tenant !== api.domain && flags.force !== true) {
    throw inputError(`${file} is a backup of tenant ${saved.tenant}, not ${api.domain}`, 'point --domain at that tenant, or pass --force to restore it here anyway');
  }
  let current;
  try {
    current = await api.getConnection(saved.connection.id);
  } catch (error) {
    const gone = error instanceof CliError && error.exitCode === ExitCode.input;
    if (!gone) throw error;
    if (flags.force !== true) {
      throw inputError(`${saved.connection.name} (${saved.connection.id}), the connection of this backup, no longer exists in ${api.domain}`, 'pass --force to restore the backup onto the connection that now has that name');
    }
    current = await api.getConnection(saved.connection.name);
  }
  if ((current.id !== saved.connection.id || current.name !== saved.connection.name) && flags.force !== true) {
    throw inputError(`${file} is a backup of ${saved.connection.name} (${saved.connection.id}), not ${current.name} (${current.id})`, 'pass --force to restore it onto this connection anyway');
  }
  requireSmsConnection(current);
  const next = saved.connection.options ?? {};
  const changes = diffOptions(current.options ?? {}, next);
  const dryRun = flags.dryRun === true;
  const report = (changed: boolean, backup: string | null) => {
    if (output.json) {
      output.printJson({ connection: { id: current.id, name: current.name }, changed, dryRun, diff: changesToJson(changes), backup, restoredFrom: file });
    }
  };
  if (!output.json) {
    output.data(`${output.style.bold(current.name)} (${current.id}) on ${api.domain}, back to the backup of ${saved.createdAt}\n${renderChanges(changes, output.style)}`);
  }
  if (changes.length === 0) {
    output.info(`Nothing to change: ${current.name} already holds the backed-up options.`);
    report(false, null);
    return 0;
  }
  if (dryRun) {
    output.info(`Dry run: ${changes.length} change${changes.length === 1 ? '' : 's'} planned, nothing written.`);
    report(false, null);
    return 0;
  }
  await confirmOrThrow(ctx, `Restore ${current.name} on ${api.domain} to the backup of ${saved.createdAt}?`);
  // The state being replaced gets its own backup: a restore can be undone too.
  const backup = backupIfWanted(ctx, api, current, flags);
  if (backup !== null) output.info(`backup: ${backup}`);
  await patchChecked(api, current, next, backup);
  output.info(output.style.green(`Done: ${current.name} holds the options of ${saved.createdAt} again.`));
  report(true, backup);
  return 0;
}
