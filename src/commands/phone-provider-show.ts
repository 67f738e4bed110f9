import { parseActionCode } from '../core/action-code.js';
import { redactDeep } from '../core/redact.js';
import { untrusted } from '../core/untrusted.js';
import { defineCommand, NO_FLAGS } from '../flow/command.js';
import { readPhoneView } from '../flow/phone-provider.js';
import { boundAction, boundWithoutProvider, describeBoundAction, summarizePhoneProvider } from '../flow/phone-summary.js';

/** `phone-provider show`: the tenant's provider and its Action, settings in full, secrets by name only. */
export const command = defineCommand(NO_FLAGS, async (ctx) => {
  const { output } = ctx;
  const api = await ctx.auth0();
  const view = await readPhoneView(api, { tolerant: true, output });
  const provider = view.provider ?? null;
  const summary = provider === null ? null : summarizePhoneProvider(provider, view.actions, view.bindings);
  const bound = summary === null ? undefined : boundAction(view.actions, view.bindings);
  const parsed = bound === undefined ? undefined : parseActionCode(bound.code ?? '');
  const settings = parsed?.kind === 'ours' ? redactDeep(parsed.settings) : null;
  const secrets = (bound?.secrets ?? []).map((secret) => secret.name);

  if (output.json) {
    // `missingScopes` tells a null read from a null that was not readable, as in `status --json`;
    // without read:actions the Action and its secrets are null, not "none".
    const noActions = view.actions === undefined;
    output.printJson({
      domain: api.domain,
      unifiedPhone: view.unifiedPhone,
      phoneProvider: summary === null ? null : { ...summary, configuration: provider?.configuration ?? null, settings, secretNames: noActions ? null : secrets },
      missingScopes: view.missingScopes,
    });
    return 0;
  }
  if (view.provider === undefined) {
    output.data('phone provider  unknown (read:phone_providers is missing)');
    return 0;
  }
  if (summary === null || provider === null) {
    output.data(`phone provider  none configured on ${api.domain}${boundWithoutProvider(view.actions, view.bindings)}\n\nSet one up with: auth0-sms-gateway phone-provider configure --gateway-url https://… --auth bearer --audience … --secret-env …`);
    return 0;
  }
  const { style } = output;
  output.data(
    [
      `${style.bold('phone provider')}  ${untrusted(summary.name)} (${untrusted(summary.id)}) on ${api.domain}, ${summary.disabled ? 'disabled' : 'enabled'}`,
      `configuration   ${untrusted(JSON.stringify(redactDeep(provider.configuration ?? {})))}`,
      ...(summary.name !== 'custom'
        ? []
        : summary.action === null
          ? [`Action          ${view.actions === undefined ? 'unknown (read:actions is missing)' : 'none bound to custom-phone-provider'}`]
          : [
              `Action          ${untrusted(summary.action.name)} (${untrusted(summary.action.id)}), ${summary.action.deployed ? 'deployed' : 'not deployed'}, ${describeBoundAction(bound)}`,
              `secrets         ${secrets.length === 0 ? '(none)' : secrets.map((name) => `${untrusted(name)} (value never shown)`).join(', ')}`,
              ...(settings === null ? [] : ['', style.bold('settings'), JSON.stringify(settings, null, 2)]),
            ]),
    ].join('\n'),
  );
  return 0;
});
