import * as z from 'zod';
import { parseConnectionRef, type ManagementApi } from '../auth0/client.js';
import { parseApplyFile, type ApplyEntry } from '../core/apply-file.js';
import { CliError, ExitCode, inputError, remoteError } from '../core/errors.js';
import type { Connection } from '../core/options.js';
import { planSmsUpdate, type SmsPlan } from '../core/plan.js';
import { registerSecret } from '../core/redact.js';
import { changesToJson, renderChanges } from '../ui/diff.js';
import type { Io } from '../ui/output.js';
import { BIN_NAME } from '../version.js';
import { defineCommand } from '../flow/command.js';
import type { CommandContext } from '../flow/context.js';
import { INPUT_LIMITS, readBoundedFile, readBoundedStdin } from '../flow/read-input.js';
import { writeFlagsShape } from '../flow/settings-flags.js';
import { resolveSmsConnection } from '../flow/target.js';
import { backupConnection, confirmOrThrow, patchChecked } from '../flow/write.js';

const flagsSchema = z.strictObject({ ...writeFlagsShape, file: z.string(), exitCode: z.boolean().optional() });

interface Target {
  entry: ApplyEntry;
  connection: Connection;
  plan: SmsPlan;
  backup: string | null;
  changed: boolean;
  error: CliError | null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const label = (c: Connection) => `${c.name} (${c.id})`;

/**
 * Several connections to the state a file describes, with configure's safety: everything in
 * the file is checked before the first request, every connection is read and planned before
 * the first write, one diff is shown and confirmed once, then each is backed up, re-read and
 * PATCHed. Idempotent: a second run finds nothing to change.
 */
export const command = defineCommand(flagsSchema, async (ctx, flags) => {
  const { output } = ctx;
  const dryRun = flags.dryRun === true;
  if (flags.exitCode === true && !dryRun) {
    throw inputError('--exit-code only goes with --dry-run', 'add --dry-run to exit 3 when changes are pending; a real apply reports failures through its exit code anyway');
  }
  const source = flags.file === '-' ? 'stdin' : flags.file;
  const entries = parseApplyFile(await readApplyFile(flags.file, ctx.io), { source, env: ctx.io.env });
  // Names and ids that cannot exist are input errors too, found before any request.
  const where = (entry: ApplyEntry) => `${source}:${entry.line}: ${entry.path}`;
  const badRefs = entries.flatMap((entry) => {
    try {
      parseConnectionRef(entry.connection);
      return [];
    } catch (error) {
      return [`${where(entry)}.connection: ${(error as Error).message}`];
    }
  });
  if (badRefs.length > 0) throw inputError(badRefs.join('\n'), 'write a connection name or id as `auth0-sms-gateway list` shows them');
  for (const entry of entries) {
    if (entry.desired.authentication?.method === 'bearer') registerSecret(entry.desired.authentication.secret);
  }

  const api = await ctx.auth0();
  const targets = await planAll(ctx, api, entries, where);
  const pending = targets.filter((t) => !t.plan.noop);
  const changeCount = pending.reduce((n, t) => n + t.plan.changes.length, 0);

  output.data(targets.map((t) => `${output.style.bold(t.connection.name)} (${t.connection.id}) on ${api.domain}\n${renderChanges(t.plan.changes, output.style)}`).join('\n\n'));
  for (const t of targets) for (const warning of t.plan.warnings) output.warn(`${t.connection.name}: ${warning}`);

  const report = (changesPending: boolean) => {
    if (!output.json) return;
    output.printJson({
      dryRun,
      changesPending,
      results: targets.map((t) => ({
        connection: { id: t.connection.id, name: t.connection.name },
        changed: t.changed,
        diff: changesToJson(t.plan.changes),
        backup: t.backup,
        warnings: t.plan.warnings,
        error: t.error === null ? null : { message: t.error.message, hint: t.error.hint ?? null, exitCode: t.error.exitCode },
      })),
    });
  };

  if (pending.length === 0) {
    output.info(`Nothing to change: ${targets.length === 1 ? 'the connection already matches' : `all ${targets.length} connections already match`} ${source}.`);
    report(false);
    return ExitCode.ok;
  }
  if (dryRun) {
    output.info(`Dry run: ${plural(changeCount, 'change')} to ${pending.length} of ${plural(targets.length, 'connection')} planned, nothing written.`);
    report(true);
    return flags.exitCode === true ? ExitCode.pending : ExitCode.ok;
  }

  await confirmOrThrow(ctx, `Apply ${plural(changeCount, 'change')} to ${pending.map((t) => t.connection.name).join(', ')} on ${api.domain}?`);
  // Every backup before the first PATCH: a backup folder that cannot be written stops the run
  // while nothing has changed, instead of after some connections were written.
  for (const t of pending) {
    t.backup = backupConnection(ctx, api, t.connection, flags);
    if (t.backup !== null) output.info(`backup of ${t.connection.name}: ${t.backup}`);
  }
  // A failure does not stop the run: the connections are independent, the user approved each
  // change, and a stale read or a refused PATCH on one says nothing about the others. Stopping
  // would leave approved changes unwritten for no reason; the summary names every outcome, and
  // re-running the same file writes only what still differs.
  for (const t of pending) {
    try {
      await patchChecked(api, t.connection, t.plan.next, t.backup, { settleWaitsMs: ctx.settleWaitsMs });
      t.changed = true;
    } catch (error) {
      t.error = error instanceof CliError ? error : remoteError(`unexpected error: ${String((error as Error)?.message ?? error).split('\n')[0]}`);
    }
  }

  for (const t of targets) {
    if (t.error !== null) {
      output.info(`  ${output.style.red('failed   ')} ${label(t.connection)}: ${t.error.message}${t.error.hint === undefined ? '' : `\n             hint: ${t.error.hint}`}`);
    } else {
      output.info(`  ${t.changed ? output.style.green('changed  ') : 'unchanged'} ${label(t.connection)}`);
    }
  }
  const failed = targets.filter((t) => t.error !== null);
  report(failed.length > 0);
  if (failed.length === 0) {
    output.info(output.style.green(`Done: ${targets.length === 1 ? 'the connection matches' : `all ${targets.length} connections match`} ${source}.`));
    return ExitCode.ok;
  }
  const changed = targets.filter((t) => t.changed);
  // In --json mode the document above is the report; a thrown error would print a second one.
  if (output.json) return ExitCode.remote;
  throw remoteError(
    `${plural(failed.length, 'connection')} of ${pending.length} could not be changed: ${failed.map((t) => t.connection.name).join(', ')}` +
      (changed.length === 0 ? '' : `; changed and kept: ${changed.map((t) => t.connection.name).join(', ')}`),
    'fix the cause listed above and run the same apply again: it changes only what still differs',
  );
});

/**
 * Reads and plans every connection before anything is written, so that a missing connection
 * or a setting one of them cannot take stops the run with nothing changed.
 */
async function planAll(ctx: CommandContext, api: ManagementApi, entries: readonly ApplyEntry[], where: (entry: ApplyEntry) => string): Promise<Target[]> {
  const targets: Target[] = [];
  const seen = new Map<string, ApplyEntry>();
  const problems: string[] = [];
  for (const entry of entries) {
    const connection = await resolveSmsConnection(ctx, api, entry.connection).catch((error: unknown) => {
      // A connection that does not exist or is not SMS is the file's fault: say where.
      if (!(error instanceof CliError) || error.exitCode !== ExitCode.input) throw error;
      throw new CliError(error.exitCode, `${where(entry)}.connection: ${error.message}`, { hint: error.hint, cause: error.cause ?? error });
    });
    // A name and an id of the same connection only show up as the same once read.
    const first = seen.get(connection.id);
    if (first !== undefined) {
      throw inputError(`${where(entry)}.connection: "${entry.connection}" is ${label(connection)}, already listed at ${first.path} as "${first.connection}"`, 'list each connection once');
    }
    seen.set(connection.id, entry);
    try {
      targets.push({ entry, connection, plan: planSmsUpdate(connection, entry.desired), backup: null, changed: false, error: null });
    } catch (error) {
      // Collected: one run shows every setting a connection cannot take (e.g. a template for its syntax).
      if (!(error instanceof CliError) || error.exitCode !== ExitCode.input) throw error;
      problems.push(`${where(entry)} (${connection.name}): ${error.message}`);
    }
  }
  if (problems.length > 0) throw inputError(problems.join('\n'), 'fix these entries of the file; nothing was changed');
  return targets;
}

async function readApplyFile(file: string, io: Io): Promise<string> {
  const limits = { limit: INPUT_LIMITS.applyFile, hint: 'pass the desired-state file (a few kilobytes of YAML or JSON)' };
  if (file === '-') {
    return readBoundedStdin(io.stdin, {
      ...limits,
      what: 'the apply file from stdin',
      whenTerminal: () => inputError('-f - reads the file from stdin, but stdin is a terminal', `pipe it in (\`cat sms-gateway.yaml | ${BIN_NAME} apply -f -\`), or pass the path`),
    });
  }
  return readBoundedFile(file, { ...limits, what: file, hint: 'check the path, or pass -f - to read the file from stdin' });
}
