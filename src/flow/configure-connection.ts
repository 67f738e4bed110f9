import * as z from 'zod';
import type { ManagementApi } from '../auth0/client.js';
import { planSmsUpdate } from '../core/plan.js';
import type { Connection } from '../core/options.js';
import type { SmsOptions } from '../core/options-schema.js';
import type { DesiredSettings } from '../core/validate.js';
import { gainsOlderShape, routeOf, routeWarning, usesPhoneProvider, type Route, type UnifiedPhone } from '../core/route.js';
import { redactUrl } from '../core/gateway-url.js';
import { untrusted } from '../core/untrusted.js';
import type { GatewayClientSettings } from '../gateway/client.js';
import { overlayGatewayFlags, settingsOfConnection } from './gateway-settings.js';
import { preflightGateway } from './preflight.js';
import type { CommandContext } from './context.js';
import { deliverGeneratedSecret, isGenerated, type SecretInput } from './secret-input.js';
import { desiredFromFlags, secretFromFlags, settingsFlagsShape, writeFlagsShape, type SettingsFlags } from './settings-flags.js';
import { showConfirmWrite } from './write.js';

/** The options of `configure` and `wizard`. */
export const configureFlagsSchema = z.strictObject({ ...settingsFlagsShape, ...writeFlagsShape, keepTwilio: z.boolean().optional(), testTo: z.string().optional() });
export type ConfigureFlags = z.output<typeof configureFlagsSchema>;

/** How a configure run ended, for the wizard's next steps. */
export interface ConfigureOutcome {
  result: 'applied' | 'unchanged' | 'dry-run';
  /** The connection as Auth0 stored it after the PATCH, else as it was read. */
  connection: Connection;
  /** The options the plan leads to: what the connection holds once the change is applied. */
  next: SmsOptions;
}

/**
 * Everything the flags can say wrong, said before the first request: the secret source and
 * the settings as far as they can be checked without the connection. `desired` is what flags
 * and environment settled; the wizard asks for the rest.
 */
export async function checkSettingsFlags(ctx: CommandContext, flags: SettingsFlags): Promise<{ secretInput: SecretInput; desired: DesiredSettings }> {
  const secretInput = await secretFromFlags(flags, ctx.io);
  for (const warning of secretInput.warnings) ctx.output.warn(warning);
  return { secretInput, desired: desiredFromFlags(flags, secretInput) };
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
  api: ManagementApi,
  current: Connection,
  desired: DesiredSettings,
  secretInput: SecretInput,
  flags: ConfigureFlags,
  /** The tenant setting as read (null: not read, or not readable); with the options it gives the route. */
  unifiedPhone: UnifiedPhone,
  /** The pre-flight before the confirmation; default: --test-to's. */
  preflight?: (settings: GatewayClientSettings) => Promise<Record<string, unknown>>,
): Promise<ConfigureOutcome> {
  const { output } = ctx;
  const plan = planSmsUpdate(current, desired);
  const name = untrusted(current.name);
  // The route before and after the write (docs/auth0-facts.md#two-generations-of-sms-delivery):
  // the options written decide it as much as the tenant setting does.
  const route = routeOf(current.options, unifiedPhone);
  const routeAfter = routeOf(plan.next, unifiedPhone);
  const warnings = [...plan.warnings];
  const routeNote = routeWarning(route, routeAfter, plan.next, unifiedPhone, 'to send them through the gateway run `auth0-sms-gateway phone-provider configure`');
  if (routeNote !== undefined) warnings.push(routeNote);
  const count = `${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}`;
  const outcome = await showConfirmWrite(
    ctx,
    api,
    {
      current,
      next: plan.next,
      changes: plan.changes,
      warnings,
      nothingToChange: `Nothing to change: ${untrusted(current.name)} already has these settings.`,
      confirmQuestion: `Apply ${count} to ${untrusted(current.name)} on ${api.domain}?`,
      json: { warnings, route, routeAfter },
      // Shown (or written) before the PATCH: if the PATCH lands but its answer is lost or odd,
      // a secret Auth0 holds that nobody ever saw would break every login.
      beforeWrite: () => {
        if (isGenerated(secretInput)) output.info(deliverGeneratedSecret(secretInput.secret, flags, ctx.io));
      },
      ...(preflight === undefined && flags.testTo === undefined
        ? {}
        : {
            beforeConfirm: () => {
              // The request Auth0 will send once the change lands: the planned options, not the current ones.
              const planned = overlayGatewayFlags(settingsOfConnection({ ...current, options: plan.next }), {}, undefined);
              return preflight === undefined ? preflightGateway(ctx, planned, flags.testTo as string) : preflight(planned);
            },
          }),
    },
    flags,
  );
  // Said of the options Auth0 stored, not of the plan.
  if (outcome.result === 'applied') output.info(output.style.green(doneLine(name, outcome.connection, route, routeOf(outcome.connection.options, unifiedPhone), unifiedPhone)));
  return { ...outcome, next: plan.next };
}

/** The last line says what will really happen to the codes, not only what was written. */
function doneLine(name: string, stored: Connection, before: Route, route: Route, unifiedPhone: UnifiedPhone): string {
  const url = typeof stored.options?.gateway_url === 'string' ? untrusted(redactUrl(stored.options.gateway_url)) : undefined;
  const gateway = stored.options?.provider === 'sms_gateway' && url !== undefined;
  if (route === 'phone-provider' || usesPhoneProvider(stored.options?.use_phone_provider)) {
    return `Done: ${name} updated; Auth0 still sends its codes through the tenant's phone provider (see \`auth0-sms-gateway status\`).`;
  }
  if (gainsOlderShape(before, route)) {
    return `Done: ${name} updated${gateway ? ` to use ${url}` : ''}; whether Auth0 sends its codes there is not known (see the warning above).`;
  }
  if (route === 'unknown') return `Done: ${name} updated${gateway ? ` to use ${url}` : ''}; whether Auth0 reads these options depends on the tenant (see \`auth0-sms-gateway status\`).`;
  if (route === 'gateway' && unifiedPhone === true) {
    return `Done: ${name} updated${gateway ? ` to use ${url}` : ''}; on this Unified Phone Experience tenant Auth0 sends to it only if the connection predates the Unified Phone Experience (see the warning above).`;
  }
  if (route === 'gateway' && unifiedPhone === null) {
    return `Done: ${name} updated${gateway ? ` to use ${url}` : ''}; whether Auth0 sends its codes there depends on the tenant's generation, which could not be read (see the warning above).`;
  }
  return `Done: ${name} ${gateway ? `now sends codes through ${url}` : 'updated'}.`;
}
