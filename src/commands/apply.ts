import * as z from 'zod';
import { parseConnectionRef, type ManagementApi } from '../auth0/client.js';
import { parseApplyDocument, type ApplyEntry, type PhoneProviderApplyEntry } from '../core/apply-file.js';
import { CliError, ExitCode, inputError, remoteError } from '../core/errors.js';
import { requireSmsConnection, TENANT_OPTIONS_HINT, type Connection } from '../core/options.js';
import type { PhonePlan, PhoneState } from '../core/phone-provider.js';
import { planSmsUpdate, type SmsPlan } from '../core/plan.js';
import { registerSecret } from '../core/redact.js';
import { routeOf, routeWarning } from '../core/route.js';
import { restoreCommand } from '../core/shell.js';
import { connectionLabel, untrusted } from '../core/untrusted.js';
import { changesToJson, renderChanges } from '../ui/diff.js';
import type { Io } from '../ui/output.js';
import { ProgressLine } from '../ui/progress.js';
import { BIN_NAME } from '../version.js';
import { defineCommand } from '../flow/command.js';
import type { CommandContext } from '../flow/context.js';
import { backupPhoneSide, checkPhoneState, ensurePhoneUnmoved, executePhonePlan, phoneStateOf, planFor, readPhoneView, scopesFor } from '../flow/phone-provider.js';
import { INPUT_LIMITS, readBoundedFile, readBoundedStdin } from '../flow/read-input.js';
import { readSettingEarlyFor, unifiedPhoneForClaims } from '../flow/routes.js';
import { writeFlagsShape } from '../flow/settings-flags.js';
import { acquireLocks } from '../flow/lock.js';
import { backupConnection, checkBeforeAsking, confirmOrThrow, CONNECTION_WRITE_SCOPES, outcomeWhenCutShort, patchChecked, stoppedWithUnknownOutcome } from '../flow/write.js';
import type { Output } from '../ui/output.js';

const flagsSchema = z.strictObject({ ...writeFlagsShape, file: z.string(), exitCode: z.boolean().optional() });

interface Target {
  entry: ApplyEntry;
  connection: Connection;
  plan: SmsPlan;
  warnings: string[];
  backup: string | null;
  changed: boolean;
  error: CliError | null;
}

/**
 * What a run did to one target, as the summary and --json say it: `unknown` is a write that may
 * have landed (its answer was lost, or the run stopped while it was in flight), `partial` a
 * phone plan that stopped after some of its steps; neither is counted as failed or not done.
 * `failed` and `not done` changed nothing; `pending` is a dry run's planned change.
 */
type Outcome = 'changed' | 'unchanged' | 'pending' | 'failed' | 'unknown' | 'partial' | 'not done';

function outcomeOf(target: { changed: boolean; error: CliError | null }, hasChanges: boolean, dryRun: boolean): Outcome {
  const { changed, error } = target;
  if (changed) return 'changed';
  if (error === null) return !hasChanges ? 'unchanged' : dryRun ? 'pending' : 'not done';
  if (error.outcomeUnknown) return 'unknown';
  if (error.partial) return 'partial';
  return error.exitCode === ExitCode.cancelled ? 'not done' : 'failed';
}

interface PhoneTarget {
  entry: PhoneProviderApplyEntry;
  state: PhoneState;
  plan: PhonePlan;
  backup: string | null;
  changed: boolean;
  error: CliError | null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** Files this short are read one connection at a time; longer ones by paging the SMS connections. */
const READ_ONE_BY_ONE_UP_TO = 3;
/** Reads in flight at once; the pacer still spaces them by the tenant's rate limit. */
const READS_IN_FLIGHT = 4;

/**
 * Several connections (and the phone provider) to the state a file describes, with
 * configure's safety: everything in the file is checked before the first request, every target
 * is read and planned before the first write, one diff is shown and confirmed once, then each
 * is backed up, re-read and written, one at a time and in file order. Idempotent: a second run
 * finds nothing to change.
 */
export const command = defineCommand(flagsSchema, async (ctx, flags) => {
  const { output } = ctx;
  const dryRun = flags.dryRun === true;
  if (flags.exitCode === true && !dryRun) {
    throw inputError('--exit-code only goes with --dry-run', 'add --dry-run to exit 3 when changes are pending; a real apply reports failures through its exit code anyway');
  }
  const source = flags.file === '-' ? 'stdin' : untrusted(flags.file);
  const doc = parseApplyDocument(await readApplyFile(flags.file, ctx.io), { source, env: ctx.io.env });
  const entries = doc.connections;
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
  for (const desired of [...entries.map((e) => e.desired), ...(doc.phoneProvider === null ? [] : [doc.phoneProvider.desired])]) {
    if (desired.authentication?.method === 'bearer') registerSecret(desired.authentication.secret);
  }

  const api = await ctx.auth0();
  const targets = await planAll(ctx, api, entries, where, doc.phoneProvider !== null);
  const phone = doc.phoneProvider === null ? null : await planPhone(api, doc.phoneProvider, ctx.output);
  const pending = targets.filter((t) => !t.plan.noop);
  const phonePending = phone !== null && !phone.plan.noop;
  const changeCount = pending.reduce((n, t) => n + t.plan.changes.length, 0) + (phonePending ? phone.plan.changes.length : 0);

  output.data(
    [
      // "connection" first: a name from the tenant never starts a line (a CI log reads `::error::…` at a line's start as a command).
      ...targets.map((t) => `connection ${output.style.bold(untrusted(t.connection.name))} (${untrusted(t.connection.id)}) on ${api.domain}\n${renderChanges(t.plan.changes, output.style)}`),
      ...(phone === null ? [] : [`${output.style.bold('phone provider')} of ${api.domain}\n${renderChanges(phone.plan.changes, output.style)}`]),
    ].join('\n\n'),
  );
  for (const t of targets) for (const warning of t.warnings) output.warn(`${untrusted(t.connection.name)}: ${warning}`);
  for (const warning of phone?.plan.warnings ?? []) output.warn(`phone provider: ${warning}`);

  const report = (changesPending: boolean) => {
    if (!output.json) return;
    const error = (e: CliError | null) => (e === null ? null : { message: e.message, hint: e.hint ?? null, exitCode: e.exitCode });
    output.printJson({
      dryRun,
      changesPending,
      results: targets.map((t) => ({
        connection: { id: t.connection.id, name: t.connection.name },
        outcome: outcomeOf(t, !t.plan.noop, dryRun),
        changed: t.changed,
        diff: changesToJson(t.plan.changes),
        backup: t.backup,
        warnings: t.warnings,
        error: error(t.error),
      })),
      phoneProvider: phone === null ? null : { outcome: outcomeOf(phone, phonePending, dryRun), changed: phone.changed, diff: changesToJson(phone.plan.changes), backup: phone.backup, warnings: phone.plan.warnings, error: error(phone.error) },
    });
  };

  const everything = [
    ...(targets.length === 0 ? [] : [targets.length === 1 ? 'the connection' : `all ${targets.length} connections`]),
    ...(phone === null ? [] : ['the phone provider']),
  ].join(' and ');
  if (pending.length === 0 && !phonePending) {
    output.info(`Nothing to change: ${everything} already match${targets.length + (phone === null ? 0 : 1) === 1 ? 'es' : ''} ${source}.`);
    report(false);
    return ExitCode.ok;
  }
  const what = [...pending.map((t) => untrusted(t.connection.name)), ...(phonePending ? ['the phone provider'] : [])];
  const neededScopes = [...(pending.length > 0 ? CONNECTION_WRITE_SCOPES : []), ...(phonePending ? scopesFor(phone.plan.steps.map((step) => step.kind)) : [])];
  checkBeforeAsking(ctx, api, flags, neededScopes);
  if (dryRun) {
    const targetsPlanned = [
      ...(pending.length === 0 ? [] : [`${pending.length} of ${plural(targets.length, 'connection')}`]),
      ...(phonePending ? ['the phone provider'] : []),
    ];
    output.info(`Dry run: ${plural(changeCount, 'change')} to ${targetsPlanned.join(' and ')} planned, nothing written.`);
    report(true);
    return flags.exitCode === true ? ExitCode.pending : ExitCode.ok;
  }

  await confirmOrThrow(ctx, `Apply ${plural(changeCount, 'change')} to ${what.join(', ')} on ${api.domain}?`);
  const release = await acquireLocks(ctx.io.env, api.domain, [...pending.map((t) => t.connection.id), ...(phonePending ? ['phone-provider'] : [])]);
  const progress = new ProgressLine(ctx.io, { json: output.json, total: pending.length, minimum: 3 });
  let attempted = 0;
  let current: Target | undefined;
  // Whether the current target's PATCH went out: before it, a run cut short changed nothing there.
  let currentSent = false;
  let phoneStarted = false;
  const phoneUnknown = () =>
    `the state of the phone provider is unknown; check it with \`auth0-sms-gateway status\`${phone === null || phone.backup === null ? '' : ` and put it back if needed with \`${restoreCommand(phone.backup)}\``}`;
  // For --json, where each target's entry must say what a stopped run did not do or cannot
  // tell (the human summary below says it in its own words): never "unchanged" for those.
  const markStopped = () => {
    const signal = ctx.interrupts.requested ?? 'a signal';
    const notDone = (what: string) =>
      new CliError(ExitCode.cancelled, `not done: stopped by ${signal} before ${what} was written`, { hint: 'run the same apply again: it changes only what still differs' });
    for (const t of pending) {
      if (t.changed || t.error !== null) continue;
      t.error = t === current && currentSent ? stoppedWithUnknownOutcome(t.connection, t.backup) : notDone('this connection');
    }
    if (phone !== null && phonePending && !phone.changed && phone.error === null) {
      phone.error = phoneStarted ? new CliError(ExitCode.cancelled, phoneUnknown(), { outcomeUnknown: true }) : notDone('the phone provider');
    }
  };
  try {
    // Every backup before the first write: a backup folder that cannot be written stops the run
    // while nothing has changed, instead of after some connections were written.
    for (const t of pending) {
      t.backup = backupConnection(ctx, api, t.connection, flags);
      if (t.backup !== null) output.info(`backup of ${untrusted(t.connection.name)}: ${t.backup}`);
    }
    if (phone !== null && phonePending) {
      phone.backup = backupPhoneSide(ctx, api, phone.state, flags);
      if (phone.backup !== null) output.info(`backup of the phone provider: ${phone.backup}`);
    }

    // A failure does not stop the run: the targets are independent, the user approved each
    // change, and a stale read or a refused write on one says nothing about the others. The
    // summary names every outcome; re-running the same file writes only what still differs.
    // A first Ctrl-C or SIGTERM lets the write in flight finish, then stops (flow/interrupt.ts).
    await ctx.interrupts.guard(
      async () => {
        // The re-read of the next connection goes out with this one's PATCH (the PATCHes stay
        // one at a time, in file order), so a connection usually costs one round trip, not
        // two; patchChecked says when it may stand in for reading again.
        let readAhead: Promise<Connection> | undefined;
        for (const [index, t] of pending.entries()) {
          if (ctx.interrupts.requested !== undefined) break;
          current = t;
          currentSent = false;
          // Each connection costs a re-read and a PATCH: the ETA comes from the pacer's rate.
          progress.update(attempted, pending.length, t.connection.name, api.estimateMs(2 * (pending.length - attempted)));
          attempted++;
          const reread = readAhead;
          readAhead = undefined;
          const following = pending[index + 1];
          try {
            await patchChecked(api, t.connection, t.plan.next, t.backup, {
              settleWaitsMs: ctx.settleWaitsMs,
              stopRequested: () => ctx.interrupts.requested,
              reread,
              onSend: () => {
                currentSent = true;
              },
              readAlong:
                following === undefined
                  ? undefined
                  : {
                      read: () => api.getConnection(following.connection.id),
                      fresh: (read) => {
                        readAhead = read;
                      },
                    },
            });
            t.changed = true;
          } catch (error) {
            t.error = error instanceof CliError ? error : remoteError(`unexpected error: ${untrusted(String((error as Error)?.message ?? error).split('\n')[0])}`);
          }
        }
        progress.clear();
        current = undefined;
        if (phone !== null && phonePending && ctx.interrupts.requested === undefined) {
          try {
            // Read minutes ago, perhaps, before the question and the connections' writes.
            await ensurePhoneUnmoved(api, phone.state);
            // From here a stop may leave the phone side part-way: before, nothing was written.
            phoneStarted = true;
            await executePhonePlan(ctx, api, phone.plan, phone.backup);
            await checkPhoneState(api, phone.plan, phone.backup);
            phone.changed = true;
          } catch (error) {
            phone.error = error instanceof CliError ? error : remoteError(`unexpected error: ${untrusted(String((error as Error)?.message ?? error).split('\n')[0])}`);
          }
        }
      },
      () => (current === undefined ? phoneUnknown() : outcomeWhenCutShort(current.connection, current.backup, currentSent)),
      () => {
        progress.clear();
        release();
        markStopped();
        report(true);
      },
    );
  } finally {
    release();
  }

  const label: Record<Outcome, string> = {
    changed: output.style.green('changed  '),
    unchanged: 'unchanged',
    failed: output.style.red('failed   '),
    unknown: output.style.yellow('unknown  '),
    partial: output.style.yellow('part-way '),
    pending: 'pending  ',
    'not done': 'not done ',
  };
  const because = (error: CliError | null) => (error === null ? '' : `: ${error.message}${error.hint === undefined ? '' : `\n             hint: ${error.hint}`}`);
  // One write for all the lines: a file of hundreds of connections prints as many.
  if (targets.length > 0) output.info(targets.map((t) => `  ${label[outcomeOf(t, !t.plan.noop, dryRun)]} ${connectionLabel(t.connection)}${because(t.error)}`).join('\n'));
  if (phone !== null) {
    // A phone plan stopped between its steps: its message names the steps done.
    const outcome = outcomeOf(phone, phonePending, dryRun);
    const state = phone.error?.exitCode === ExitCode.cancelled && (outcome === 'not done' || outcome === 'partial') ? 'stopped  ' : label[outcome];
    output.info(`  ${state} the phone provider${because(phone.error)}`);
  }
  const named = (outcome: Outcome) => [
    ...targets.filter((t) => outcomeOf(t, !t.plan.noop, dryRun) === outcome).map((t) => untrusted(t.connection.name)),
    ...(phone !== null && outcomeOf(phone, phonePending, dryRun) === outcome ? ['the phone provider'] : []),
  ];
  const failed = named('failed');
  const unknown = named('unknown');
  const partial = named('partial');
  const stoppedBy = ctx.interrupts.requested;
  if (stoppedBy !== undefined) markStopped();
  report(failed.length > 0 || unknown.length > 0 || partial.length > 0 || stoppedBy !== undefined);
  const changed = named('changed');
  const mayHaveChanged = unknown.length === 0 ? '' : `; outcome unknown (may have changed, see above): ${unknown.join(', ')}`;
  const partWay = partial.length === 0 ? '' : `; changed part-way (see above): ${partial.join(', ')}`;
  if (stoppedBy !== undefined) {
    const notDone = targets.filter((t) => outcomeOf(t, !t.plan.noop, dryRun) === 'not done').length;
    const phoneWords = !phonePending || phone.changed || unknown.includes('the phone provider') ? '' : phoneStarted ? ', the phone provider stopped part-way (above)' : ', the phone provider not done';
    throw new CliError(ExitCode.cancelled, `stopped by ${stoppedBy}: ${plural(changed.filter((n) => n !== 'the phone provider').length, 'connection')} changed, ${notDone} not done${phoneWords}${mayHaveChanged}`, {
      hint: 'the summary above names each one; run the same apply again to finish: it changes only what still differs',
    });
  }
  if (failed.length === 0 && unknown.length === 0 && partial.length === 0) {
    output.info(output.style.green(`Done: ${everything} match${targets.length + (phone === null ? 0 : 1) === 1 ? 'es' : ''} ${source}.`));
    return ExitCode.ok;
  }
  // In --json mode the document above is the report; a thrown error would print a second one.
  if (output.json) return ExitCode.remote;
  const total = pending.length + (phonePending ? 1 : 0);
  const noun = phone === null ? 'connection' : 'target';
  const headline =
    failed.length > 0
      ? `${plural(failed.length, noun)} of ${total} could not be changed: ${failed.join(', ')}${mayHaveChanged}${partWay}`
      : unknown.length > 0
        ? `${plural(unknown.length, noun)} of ${total} may have changed, the outcome is unknown (see above): ${unknown.join(', ')}${partWay}`
        : `${plural(partial.length, noun)} of ${total} changed part-way (see above): ${partial.join(', ')}`;
  throw remoteError(
    headline + (changed.length === 0 ? '' : `; changed and kept: ${changed.join(', ')}`),
    failed.length > 0
      ? 'fix the cause listed above and run the same apply again: it changes only what still differs'
      : 'check each one as its hint above says; running the same apply again changes only what still differs',
  );
});

/**
 * Reads and plans every connection before anything is written, so that a missing connection
 * or a setting one of them cannot take stops the run with nothing changed. A short file reads
 * its connections one at a time, a few in flight; a long one pages the SMS connections (100 a
 * page) and reads one by one only what the pages did not hold (a name that is no SMS
 * connection, say, which then gets its precise error).
 */
async function planAll(ctx: CommandContext, api: ManagementApi, entries: readonly ApplyEntry[], where: (entry: ApplyEntry) => string, withPhoneProvider: boolean): Promise<Target[]> {
  // A connection that does not exist or is not SMS is the file's fault: say where, for every entry at once.
  const lookups: { index: number; error: CliError }[] = [];
  const readSetting = (connection: Connection) => readSettingEarlyFor(api, connection);
  const found = entries.length > READ_ONE_BY_ONE_UP_TO ? await api.findSmsConnections(entries.map((e) => e.connection), readSetting) : new Map<string, Connection>();
  const connections = await mapInFlight(entries, READS_IN_FLIGHT, async (entry, index) => {
    const listed = found.get(entry.connection);
    if (listed !== undefined) return listed;
    try {
      const connection = requireSmsConnection(await api.getConnection(entry.connection));
      readSetting(connection);
      return connection;
    } catch (error) {
      if (!(error instanceof CliError) || error.exitCode !== ExitCode.input) throw error;
      lookups.push({ index, error: new CliError(error.exitCode, `${where(entry)}.connection: ${error.message}`, { hint: error.hint, cause: error.cause ?? error }) });
      return undefined;
    }
  });
  // In file order, not in the order the reads came back.
  lookups.sort((a, b) => a.index - b.index);
  if (lookups.length === 1) throw lookups[0]?.error;
  if (lookups.length > 1) throw inputError(lookups.map(({ error }) => error.message).join('\n'), 'run `auth0-sms-gateway list` to see the SMS connections; nothing was changed');
  const unifiedPhone = await unifiedPhoneForClaims(api, ctx.output, connections as Connection[]);
  // What gets the codes to the gateway where the options may not: the file's own entry, or one to add.
  const then = withPhoneProvider ? "this file's phone_provider: entry points the tenant's phone provider at the gateway" : 'to send them through the gateway add a phone_provider: entry to the file';

  const targets: Target[] = [];
  const seen = new Map<string, ApplyEntry>();
  const problems: string[] = [];
  let tenantSide = 0;
  entries.forEach((entry, index) => {
    const connection = connections[index] as Connection;
    // A name and an id of the same connection only show up as the same once read.
    const first = seen.get(connection.id);
    if (first !== undefined) {
      throw inputError(`${where(entry)}.connection: "${untrusted(entry.connection)}" is ${connectionLabel(connection)}, already listed at ${first.path} as "${untrusted(first.connection)}"`, 'list each connection once');
    }
    seen.set(connection.id, entry);
    try {
      const plan = planSmsUpdate(connection, entry.desired);
      const warnings = [...plan.warnings];
      const routeNote = routeWarning(routeOf(connection.options, unifiedPhone), routeOf(plan.next, unifiedPhone), plan.next, unifiedPhone, then);
      if (routeNote !== undefined) warnings.push(routeNote);
      targets.push({ entry, connection, plan, warnings, backup: null, changed: false, error: null });
    } catch (error) {
      // Collected: one run shows every setting a connection cannot take (e.g. a template for its syntax).
      if (!(error instanceof CliError) || error.exitCode !== ExitCode.input) throw error;
      if (error.hint === TENANT_OPTIONS_HINT) tenantSide++;
      problems.push(`${where(entry)} (${untrusted(connection.name)}): ${error.message}`);
    }
  });
  if (problems.length > 0) {
    // Odd values stored on a connection are fixed on the tenant, not in the file.
    const hint =
      tenantSide === 0
        ? 'fix these entries of the file'
        : tenantSide === problems.length
          ? TENANT_OPTIONS_HINT
          : `fix the file's entries, and the connections whose options are named (${TENANT_OPTIONS_HINT})`;
    throw inputError(problems.join('\n'), `${hint}; nothing was changed`);
  }
  return targets;
}

async function planPhone(api: ManagementApi, entry: PhoneProviderApplyEntry, output: Output): Promise<PhoneTarget> {
  const state = phoneStateOf(await readPhoneView(api, { tolerant: false, output }));
  return { entry, state, plan: planFor(state, entry.desired), backup: null, changed: false, error: null };
}

/** `task` over `items`, at most `limit` at a time, results in the items' order; the first failure rejects. */
async function mapInFlight<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
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
  return await readBoundedFile(file, { ...limits, what: untrusted(file), unreadableHint: 'check the path, or pass -f - to read the file from stdin' });
}
