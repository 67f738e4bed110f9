import type { ConnectionsApi } from '../auth0/client.js';
import { planSmsUpdate } from '../core/plan.js';
import type { Connection, SmsOptions } from '../core/options.js';
import type { DesiredSettings } from '../core/validate.js';
import type { CommandContext } from './context.js';
import { deliverGeneratedSecret, type SecretInput } from './secret-input.js';
import { desiredFromFlags, secretFromFlags, type SettingsFlags } from './settings-flags.js';
import { resolveSmsConnection } from './target.js';
import { showConfirmWrite, type WriteFlags } from './write-flow.js';

export type ConfigureFlags = SettingsFlags & WriteFlags;

/** How a configure run ended, for the wizard's next steps. */
export interface ConfigureOutcome {
  result: 'applied' | 'unchanged' | 'dry-run';
  /** The connection as Auth0 stored it after the PATCH, else as it was read. */
  connection: Connection;
  /** The options the plan leads to: what the connection holds once the change is applied. */
  planned: SmsOptions;
}

/**
 * `configure` from flags: read → plan → validate → show the diff → confirm → back up →
 * re-read → PATCH → check. On a terminal without --gateway-url it is the wizard instead
 * (cli-contract, `configure`: "Run in a TTY without --gateway-url, it starts the wizard").
 */
export async function runConfigure(ctx: CommandContext, ref: string | undefined, flags: ConfigureFlags): Promise<number> {
  if (ctx.interactive && flags.gatewayUrl === undefined) {
    // Loaded only here: wizard.ts imports this module for the shared pipeline.
    const { runWizard } = await import('./wizard.js');
    return runWizard(ctx, ref, flags);
  }
  const { secretInput } = await checkSettingsFlags(ctx, flags);
  const api = await ctx.auth0();
  const current = await resolveSmsConnection(ctx, api, ref);
  const desired = desiredFromFlags(flags, secretInput.secret, templateSyntax(current));
  const outcome = await applyDesiredSettings(ctx, api, current, desired, secretInput, flags);
  if (outcome.result === 'applied' && outcome.connection.options?.provider === 'sms_gateway') {
    ctx.output.info(`Next: auth0-sms-gateway test-gateway ${current.name} --to <your phone>`);
  }
  return 0;
}

/**
 * Everything the flags can say wrong, said before the first request: the secret source and
 * the settings as far as they can be checked without the connection. `given` is what flags
 * and environment settled; the wizard asks for the rest.
 */
export async function checkSettingsFlags(ctx: CommandContext, flags: SettingsFlags): Promise<{ secretInput: SecretInput; given: DesiredSettings }> {
  const secretInput = await secretFromFlags(flags, ctx.io);
  for (const warning of secretInput.warnings) ctx.output.warn(warning);
  return { secretInput, given: desiredFromFlags(flags, secretInput.secret) };
}

/** The template placeholder rule depends on the connection's syntax, known once it is read. */
export function templateSyntax(connection: Connection): string | undefined {
  const syntax = connection.options?.syntax;
  return typeof syntax === 'string' ? syntax : undefined;
}

/**
 * The pipeline that flags and the wizard share: plan → show the diff → confirm → back up →
 * re-read → PATCH → check. What the user approved (plan.next) is exactly what is sent.
 */
export async function applyDesiredSettings(
  ctx: CommandContext,
  api: ConnectionsApi,
  current: Connection,
  desired: DesiredSettings,
  secretInput: SecretInput,
  flags: ConfigureFlags,
): Promise<ConfigureOutcome> {
  const { output } = ctx;
  const plan = planSmsUpdate(current, desired);
  const count = `${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}`;
  const outcome = await showConfirmWrite(
    ctx,
    api,
    {
      current,
      next: plan.next,
      changes: plan.changes,
      warnings: plan.warnings,
      nothingToChange: `Nothing to change: ${current.name} already has these settings.`,
      confirmQuestion: `Apply ${count} to ${current.name} on ${api.domain}?`,
      json: { warnings: plan.warnings },
      // Shown (or written) before the PATCH: if the PATCH lands but its answer is lost or odd,
      // a secret Auth0 holds that nobody ever saw would break every login.
      beforeWrite: () => {
        if (secretInput.generated && secretInput.secret !== undefined) output.info(deliverGeneratedSecret(secretInput.secret, flags, ctx.io));
      },
    },
    flags,
  );
  if (outcome.result === 'applied') {
    const stored = outcome.connection;
    const url = typeof stored.options?.gateway_url === 'string' ? stored.options.gateway_url : undefined;
    output.info(output.style.green(`Done: ${current.name} ${stored.options?.provider === 'sms_gateway' && url !== undefined ? `now sends codes through ${url}` : 'updated'}.`));
  }
  return { ...outcome, planned: plan.next };
}
