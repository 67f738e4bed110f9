import { planSmsUpdate } from '../core/plan.js';
import { changesToJson, renderChanges } from '../ui/diff.js';
import type { CommandContext } from './context.js';
import { deliverGeneratedSecret } from './secret-input.js';
import { desiredFromFlags, secretFromFlags, type SettingsFlags } from './settings-flags.js';
import { resolveSmsConnection } from './target.js';
import { backupIfWanted, confirmOrThrow, patchChecked, type WriteFlags } from './write-flow.js';

export type ConfigureFlags = SettingsFlags & WriteFlags;

/**
 * read → plan → validate → show the diff → confirm → back up → re-read → PATCH → check.
 * What the user approved (plan.next) is exactly what is sent.
 */
export async function runConfigure(ctx: CommandContext, ref: string | undefined, flags: ConfigureFlags): Promise<number> {
  const { output } = ctx;
  // Everything the flags can say wrong is said before the first request.
  const secretInput = await secretFromFlags(flags, ctx.io);
  for (const warning of secretInput.warnings) output.warn(warning);
  desiredFromFlags(flags, secretInput.secret);

  const api = await ctx.auth0();
  const current = await resolveSmsConnection(ctx, api, ref);
  // The template placeholder depends on the connection's syntax, known only now.
  const desired = desiredFromFlags(flags, secretInput.secret, typeof current.options?.syntax === 'string' ? current.options.syntax : undefined);
  const plan = planSmsUpdate(current, desired);
  const dryRun = flags.dryRun === true;

  const report = (changed: boolean, backup: string | null) => {
    if (output.json) {
      output.printJson({ connection: { id: current.id, name: current.name }, changed, dryRun, diff: changesToJson(plan.changes), backup, warnings: plan.warnings });
    }
  };

  if (!output.json) {
    output.data(`${output.style.bold(current.name)} (${current.id}) on ${api.domain}\n${renderChanges(plan.changes, output.style)}`);
  }
  for (const warning of plan.warnings) output.warn(warning);

  if (plan.noop) {
    output.info(`Nothing to change: ${current.name} already has these settings.`);
    report(false, null);
    return 0;
  }
  if (dryRun) {
    output.info(`Dry run: ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} planned, nothing written.`);
    report(false, null);
    return 0;
  }

  await confirmOrThrow(ctx, `Apply ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} to ${current.name} on ${api.domain}?`);
  const backup = backupIfWanted(ctx, api, current, flags);
  if (backup !== null) output.info(`backup: ${backup}`);
  if (secretInput.generated && flags.secretOut !== undefined && secretInput.secret !== undefined) {
    // Written before the PATCH: a secret Auth0 holds but nobody kept would break every login.
    output.info(deliverGeneratedSecret(secretInput.secret, flags, ctx.io));
  }

  const stored = await patchChecked(api, current, plan.next, backup);
  if (secretInput.generated && flags.secretOut === undefined && secretInput.secret !== undefined) {
    output.info(deliverGeneratedSecret(secretInput.secret, flags, ctx.io));
  }
  const url = typeof stored.options?.gateway_url === 'string' ? stored.options.gateway_url : undefined;
  output.info(
    output.style.green(`Done: ${current.name} ${stored.options?.provider === 'sms_gateway' && url !== undefined ? `now sends codes through ${url}` : 'updated'}.`) +
      (stored.options?.provider === 'sms_gateway' ? `\nNext: auth0-sms-gateway test-gateway ${current.name} --to <your phone>` : ''),
  );
  report(true, backup);
  return 0;
}
