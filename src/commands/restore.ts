import { readBackup } from '../backup/backup.js';
import { diffOptions } from '../core/diff.js';
import { requireSmsConnection } from '../core/options.js';
import { CliError, ExitCode, inputError } from '../core/errors.js';
import type { CommandContext } from './context.js';
import { showConfirmWrite, type WriteFlags } from './write-flow.js';

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
  const outcome = await showConfirmWrite(
    ctx,
    api,
    {
      current,
      next,
      changes: diffOptions(current.options ?? {}, next),
      headingSuffix: `, back to the backup of ${saved.createdAt}`,
      nothingToChange: `Nothing to change: ${current.name} already holds the backed-up options.`,
      confirmQuestion: `Restore ${current.name} on ${api.domain} to the backup of ${saved.createdAt}?`,
      json: { restoredFrom: file },
    },
    // The state being replaced gets its own backup: a restore can be undone too.
    flags,
  );
  if (outcome.result === 'applied') output.info(output.style.green(`Done: ${current.name} holds the options of ${saved.createdAt} again.`));
  return 0;
}
