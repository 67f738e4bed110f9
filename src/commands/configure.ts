import { defineCommand } from '../flow/command.js';
import { applyDesiredSettings, checkSettingsFlags, configureFlagsSchema, templateSyntax } from '../flow/configure-connection.js';
import { desiredFromFlags, settingsFlagsShape } from '../flow/settings-flags.js';
import { unifiedPhoneForClaims } from '../flow/routes.js';
import { checkTestTo } from '../flow/preflight.js';
import { resolveSmsConnection } from '../flow/target.js';
import { routeOf } from '../core/route.js';
import { untrusted } from '../core/untrusted.js';
import { shellQuote } from '../core/shell.js';

/**
 * `configure` from flags: read → plan → validate → show the diff → confirm → back up →
 * re-read → PATCH → check. On a terminal, without --yes and without a flag that says what to
 * change, it is the wizard instead (README, `configure`).
 */
export const command = defineCommand(configureFlagsSchema, async (ctx, flags, [connectionRef]) => {
  // The wizard only when the command line says nothing of what to change: `configure sms
  // --auth none --yes` (README) means the same on a terminal as in a script.
  const settingsGiven = Object.keys(settingsFlagsShape).some((key) => flags[key as keyof typeof flags] !== undefined) || flags.keepTwilio !== undefined || flags.testTo !== undefined;
  if (ctx.interactive && !settingsGiven && !ctx.globals.yes) {
    const { runWizard } = await import('../flow/wizard.js');
    return runWizard(ctx, connectionRef, flags);
  }
  checkTestTo(flags.testTo);
  const { secretInput } = await checkSettingsFlags(ctx, flags);
  const api = await ctx.auth0();
  const current = await resolveSmsConnection(ctx, api, connectionRef);
  const desired = desiredFromFlags(flags, secretInput, templateSyntax(current));
  const unifiedPhone = await unifiedPhoneForClaims(api, ctx.output, [current]);
  const outcome = await applyDesiredSettings(ctx, api, current, desired, secretInput, flags, unifiedPhone);
  // A gateway Auth0 calls (or may call: the warnings say when that is not known); not one it bypasses.
  if (outcome.result === 'applied' && routeOf(outcome.connection.options, unifiedPhone) === 'gateway') {
    ctx.output.info(`Next: auth0-sms-gateway test-gateway ${shellQuote(untrusted(current.name))} --to <your phone>`);
  }
  return 0;
});
