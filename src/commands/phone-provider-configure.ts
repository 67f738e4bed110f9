import * as z from 'zod';
import { changesToJson, renderChanges } from '../ui/diff.js';
import { defineCommand } from '../flow/command.js';
import { readPhoneView, phoneStateOf, planFor, requireScopesFor, backupPhoneSide, executePhonePlan, checkPhoneState } from '../flow/phone-provider.js';
import { checkTestTo, preflightGateway } from '../flow/preflight.js';
import { deliverGeneratedSecret, isGenerated } from '../flow/secret-input.js';
import { authFlagsShape, desiredFromFlags, secretFromFlags, writeFlagsShape } from '../flow/settings-flags.js';
import { acquireLocks } from '../flow/lock.js';
import { confirmOrThrow } from '../flow/write.js';
import { CliError, ExitCode, inputError } from '../core/errors.js';
import type { DesiredPhoneProvider } from '../core/phone-provider.js';

const flagsSchema = z.strictObject({
  ...authFlagsShape,
  gatewayUrl: z.string().optional(),
  forwardReqInfo: z.boolean().optional(),
  ...writeFlagsShape,
  testTo: z.string().optional(),
});

/**
 * `phone-provider configure`: make the tenant's phone provider deliver through the gateway, so
 * that one gateway (and verifyGatewayRequest) serves both generations of Auth0 SMS delivery.
 * read → plan → diff → (pre-flight) → confirm → back up → Action create/update → build →
 * deploy → bind → provider `custom` → read back and check.
 */
export const command = defineCommand(flagsSchema, async (ctx, flags) => {
  const { output } = ctx;
  checkTestTo(flags.testTo);
  const secretInput = await secretFromFlags(flags, ctx.io);
  for (const warning of secretInput.warnings) output.warn(warning);
  const settings = desiredFromFlags(flags, secretInput.secret);
  const desired: DesiredPhoneProvider = { gatewayUrl: settings.gatewayUrl, authentication: settings.authentication, forwardReqInfo: settings.forwardReqInfo };

  const api = await ctx.auth0();
  const state = phoneStateOf(await readPhoneView(api, { tolerant: false }));
  const plan = planFor(state, desired);
  const dryRun = flags.dryRun === true;
  let extra: Record<string, unknown> = {};
  const report = (changed: boolean, backup: string | null, steps: string[] = []) => {
    if (output.json) output.printJson({ phoneProvider: { domain: api.domain }, changed, dryRun, diff: changesToJson(plan.changes), backup, steps, warnings: plan.warnings, ...extra });
  };

  if (!output.json) output.data(`${output.style.bold('phone provider')} of ${api.domain}\n${renderChanges(plan.changes, output.style)}`);
  for (const warning of plan.warnings) output.warn(warning);
  if (plan.noop) {
    output.info(`Nothing to change: the phone provider already delivers through ${plan.settings.gateway_url} with these settings.`);
    report(false, null);
    return 0;
  }
  if (flags.testTo !== undefined) {
    if (plan.settings.authentication === 'bearer' && secretInput.secret === undefined) {
      throw inputError('--test-to signs the test message with the gateway secret, and Auth0 never returns the Action\'s: pass it', 'pass the secret with --secret-env, --secret-file or AUTH0_SMS_GATEWAY_SECRET');
    }
    extra = await preflightGateway(
      ctx,
      {
        gatewayUrl: plan.settings.gateway_url,
        authentication:
          plan.settings.authentication === 'bearer' && secretInput.secret !== undefined
            ? { subject: plan.settings.subject, audience: plan.settings.audience ?? '', secret: secretInput.secret, secretBase64Encoded: plan.settings.secret_base64_encoded === true }
            : null,
        forwardReqInfo: plan.settings.forward_req_info,
      },
      flags.testTo,
    );
  }
  const count = `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}`;
  if (dryRun) {
    output.info(`Dry run: ${count} planned (${plan.steps.map((s) => s.kind).join(', ')}), nothing written.`);
    report(false, null);
    return 0;
  }
  await confirmOrThrow(ctx, `Apply these changes to the phone provider of ${api.domain} (${count})?`);
  requireScopesFor(api, plan.steps.map((step) => step.kind));
  const release = acquireLocks(ctx.io.env, api.domain, ['phone-provider']);
  try {
    return await write();
  } finally {
    release();
  }

  async function write(): Promise<number> {
    const backup = backupPhoneSide(ctx, api, state, flags);
    if (backup !== null) output.info(`backup: ${backup}`);
    // Shown (or written) before the first write, for the same reason as configure's.
    if (isGenerated(secretInput)) output.info(deliverGeneratedSecret(secretInput.secret, flags, ctx.io));
    const steps = await ctx.interrupts.guard(
      () => executePhonePlan(ctx, api, plan, backup),
      () => `which steps Auth0 carried out is unknown; run \`auth0-sms-gateway status\`${backup === null ? '' : `, and put it back with \`auth0-sms-gateway restore ${backup}\``}`,
    );
    await checkPhoneState(api, plan, backup);
    report(true, backup, steps);
    if (ctx.interrupts.requested !== undefined) {
      throw new CliError(ExitCode.cancelled, `stopped by ${ctx.interrupts.requested} after the last step finished: the phone provider delivers through ${plan.settings.gateway_url}`, {
        hint: backup === null ? undefined : `to undo it: auth0-sms-gateway restore ${backup}`,
      });
    }
    output.info(
      output.style.green(
        state.unifiedPhone === false
          ? `Done: the phone provider delivers through ${plan.settings.gateway_url}. This tenant is not on the Unified Phone Experience, so its Passwordless connections still use their own options (see \`auth0-sms-gateway status\`).`
          : `Done: the tenant's phone provider now sends its SMS through ${plan.settings.gateway_url}${state.unifiedPhone === null ? ' (whether Passwordless uses it is unknown without read:tenant_settings)' : ''}.`,
      ),
    );
    output.info(`Next: auth0-sms-gateway phone-provider test --to <your phone>`);
    return 0;
  }
});
