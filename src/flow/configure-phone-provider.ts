import * as z from 'zod';
import type { ManagementApi } from '../auth0/client.js';
import { CliError, ExitCode, inputError } from '../core/errors.js';
import type { DesiredPhoneProvider, PhonePlan } from '../core/phone-provider.js';
import type { GatewayClientSettings } from '../gateway/client.js';
import { changesToJson, renderChanges } from '../ui/diff.js';
import type { CommandContext } from './context.js';
import { acquireLocks } from './lock.js';
import { backupPhoneSide, checkPhoneState, describePlannedSteps, ensurePhoneUnmoved, executePhonePlan, phoneStateOf, planFor, plannedSteps, readPhoneView, scopesFor } from './phone-provider.js';
import { deliverGeneratedSecret, isGenerated, type SecretInput } from './secret-input.js';
import { authFlagsShape, writeFlagsShape, type WriteFlags } from './settings-flags.js';
import { checkBeforeAsking, confirmOrThrow, exitingNow } from './write.js';
import { restoreCommand } from '../core/shell.js';

/** The options of `phone-provider configure`: a connection's gateway flags without from, template and the Twilio keys. */
export const phoneProviderFlagsSchema = z.strictObject({
  ...authFlagsShape,
  gatewayUrl: z.string().optional(),
  forwardReqInfo: z.boolean().optional(),
  ...writeFlagsShape,
  testTo: z.string().optional(),
});
export type PhoneProviderFlags = z.output<typeof phoneProviderFlagsSchema>;

export interface PhoneOutcome {
  result: 'applied' | 'unchanged' | 'dry-run';
  plan: PhonePlan;
  /** How the gateway will be called once applied, when the secret is known (for a test message). */
  gateway: GatewayClientSettings | null;
}

/** The settings the planned Action calls the gateway with; null when bearer and the secret was not given (it cannot be read back). */
export function gatewayOfPlan(plan: PhonePlan, secret: string | undefined): GatewayClientSettings | null {
  const s = plan.settings;
  if (s.authentication === 'bearer' && secret === undefined) return null;
  return {
    gatewayUrl: s.gateway_url,
    authentication: s.authentication === 'bearer' && secret !== undefined ? { subject: s.subject, audience: s.audience ?? '', secret, secretBase64Encoded: s.secret_base64_encoded === true } : null,
    forwardReqInfo: s.forward_req_info,
  };
}

/**
 * The pipeline `phone-provider configure` and the wizard share: read → plan → diff →
 * (pre-flight) → confirm → lock, back up → Action create/update → build → deploy → bind →
 * provider `custom` → read back and check. `beforeConfirm` gets the planned gateway settings
 * (null when they cannot be known) and may stop the run, with nothing written.
 */
export async function configurePhoneProvider(
  ctx: CommandContext,
  api: ManagementApi,
  desired: DesiredPhoneProvider,
  secretInput: SecretInput,
  flags: WriteFlags & { secretOut?: string | undefined },
  beforeConfirm?: (gateway: GatewayClientSettings | null) => Promise<Record<string, unknown>>,
): Promise<PhoneOutcome> {
  const { output } = ctx;
  const state = phoneStateOf(await readPhoneView(api, { tolerant: false, output }));
  const plan = planFor(state, desired);
  const gateway = gatewayOfPlan(plan, secretInput.secret);
  const dryRun = flags.dryRun === true;
  let extra: Record<string, unknown> = {};
  const planned = plannedSteps(plan);
  const report = (changed: boolean, backup: string | null, steps: string[] = []) => {
    if (output.json) output.printJson({ phoneProvider: { domain: api.domain }, changed, dryRun, diff: changesToJson(plan.changes), planned, backup, steps, warnings: plan.warnings, ...extra });
  };

  if (!output.json) output.data(`${output.style.bold('phone provider')} of ${api.domain}\n${renderChanges(plan.changes, output.style)}`);
  for (const warning of plan.warnings) output.warn(warning);
  if (plan.noop) {
    output.info(`Nothing to change: the phone provider already delivers through ${plan.settings.gateway_url} with these settings.`);
    report(false, null);
    return { result: 'unchanged', plan, gateway };
  }
  output.info(describePlannedSteps(planned));
  if (beforeConfirm !== undefined) extra = await beforeConfirm(gateway);
  const count = `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}`;
  checkBeforeAsking(ctx, api, flags, scopesFor(plan.steps.map((step) => step.kind)));
  if (dryRun) {
    output.info(`Dry run: ${count} planned, nothing written.`);
    report(false, null);
    return { result: 'dry-run', plan, gateway };
  }
  await confirmOrThrow(ctx, `Apply these changes to the phone provider of ${api.domain} (${count})?`);
  const release = await acquireLocks(ctx.io.env, api.domain, ['phone-provider']);
  let backup: string | null;
  let steps: string[];
  try {
    // A person answered: the tenant may have moved while the question waited.
    if (!ctx.globals.yes) await ensurePhoneUnmoved(api, state);
    backup = backupPhoneSide(ctx, api, state, flags);
    if (backup !== null) output.info(`backup: ${backup}`);
    // Shown (or written) before the first write, for the same reason as configure's.
    if (isGenerated(secretInput)) output.info(deliverGeneratedSecret(secretInput.secret, flags, ctx.io));
    const saved = backup;
    // The read-back too: a signal during it must not read as "no write was in flight".
    steps = await ctx.interrupts.guard(
      async () => {
        const done = await executePhonePlan(ctx, api, plan, saved);
        await checkPhoneState(api, plan, saved);
        return done;
      },
      () => `which steps Auth0 carried out is unknown; run \`auth0-sms-gateway status\`${saved === null ? '' : `, and put it back with \`${restoreCommand(saved)}\``}`,
      exitingNow(ctx, release),
    );
  } finally {
    release();
  }
  report(true, backup, steps);
  if (ctx.interrupts.requested !== undefined) {
    throw new CliError(ExitCode.cancelled, `stopped by ${ctx.interrupts.requested} after the last step finished: the phone provider delivers through ${plan.settings.gateway_url}`, {
      hint: backup === null ? undefined : `to undo it: ${restoreCommand(backup)}`,
    });
  }
  output.info(
    output.style.green(
      state.unifiedPhone === false
        ? `Done: the phone provider delivers through ${plan.settings.gateway_url}. This tenant is not on the Unified Phone Experience, so its Passwordless connections still use their own options (see \`auth0-sms-gateway status\`).`
        : `Done: the tenant's phone provider now sends its SMS through ${plan.settings.gateway_url}${state.unifiedPhone === null ? ' (whether Passwordless uses it is unknown: the tenant setting could not be read)' : ''}.`,
    ),
  );
  return { result: 'applied', plan, gateway };
}

/** --test-to needs the secret: the Action's cannot be read back. */
export function requireGatewayForTest(gateway: GatewayClientSettings | null): GatewayClientSettings {
  if (gateway === null) {
    throw inputError("a test message is signed with the gateway secret, and Auth0 never returns the Action's: pass it", 'pass the secret with --secret-env, --secret-file or AUTH0_SMS_GATEWAY_SECRET');
  }
  return gateway;
}
