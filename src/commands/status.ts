import { redactUrl } from '../core/gateway-url.js';
import type { Connection } from '../core/options.js';
import { describeRoute, type ProviderCheck, type Route } from '../core/route.js';
import { untrusted } from '../core/untrusted.js';
import { defineCommand, NO_FLAGS } from '../flow/command.js';
import { readPhoneView } from '../flow/phone-provider.js';
import { boundAction, boundWithoutProvider, describeBoundAction, summarizePhoneProvider } from '../flow/phone-summary.js';
import { connectionItems } from '../flow/routes.js';
import { renderTable } from '../ui/output.js';

/**
 * `status`: one screen that answers "where do my codes go?": the tenant's generation, its
 * phone provider and the Action behind it, and each SMS connection with its route. A missing
 * scope leaves its part unknown (null in --json) and is named; it is not a failure.
 */
export const command = defineCommand(NO_FLAGS, async (ctx) => {
  const { output } = ctx;
  const api = await ctx.auth0();
  const [connections, view] = await Promise.all([api.listSmsConnections(), readPhoneView(api, { tolerant: true, output })]);
  const items = connectionItems(connections, view.unifiedPhone, output);
  const phoneProvider = view.provider === undefined || view.provider === null ? null : summarizePhoneProvider(view.provider, view.actions, view.bindings);

  if (output.json) {
    // missingScopes tells an unknown null (its scope is listed) from a null that Auth0 answered.
    output.printJson({ domain: api.domain, unifiedPhone: view.unifiedPhone, phoneProvider, connections: items, missingScopes: view.missingScopes });
    return 0;
  }
  const { style } = output;
  const generation =
    view.unifiedPhone === true
      ? 'on the Unified Phone Experience: Passwordless SMS goes through the phone provider, except connections that predate it'
      : view.unifiedPhone === false
        ? "not on the Unified Phone Experience: each connection's options decide, unless it uses the tenant's provider"
        : view.settingFailure === undefined
          ? 'unknown (read:tenant_settings is missing)'
          : `unknown (the tenant settings could not be read: ${view.settingFailure})`;
  const providerLine =
    view.provider === undefined
      ? 'unknown (read:phone_providers is missing)'
      : phoneProvider === null
        ? `none configured${boundWithoutProvider(view.actions, view.bindings)}`
        : `${untrusted(phoneProvider.name)}, ${phoneProvider.disabled ? style.red('disabled') : 'enabled'}, delivers ${untrusted(JSON.stringify(phoneProvider.delivery_methods))}`;
  const actionLine =
    phoneProvider?.name !== 'custom'
      ? undefined
      : view.actions === undefined || view.bindings === undefined
        ? 'unknown (read:actions is missing)'
        : phoneProvider.action === null
          ? style.red('none bound to custom-phone-provider: Auth0 cannot send through this provider')
          : `${untrusted(phoneProvider.action.name)} (${phoneProvider.action.deployed ? 'deployed' : style.red('not deployed')}, ${describeBoundAction(boundAction(view.actions, view.bindings))})${
              phoneProvider.action.gateway_url === undefined ? '' : ` -> ${untrusted(redactUrl(phoneProvider.action.gateway_url))}`
            }`;
  // A route through the phone provider says so only when there is one that can send (what
  // Auth0's /passwordless/start answers otherwise: "No phone provider configured", "disabled").
  const cannotSend =
    view.provider === null
      ? 'the tenant has no phone provider'
      : phoneProvider?.disabled === true
        ? "the tenant's phone provider is disabled"
        : Array.isArray(phoneProvider?.delivery_methods) && !phoneProvider.delivery_methods.includes('text')
          ? "the tenant's phone provider does not deliver text messages"
          : phoneProvider?.name === 'custom' && view.actions !== undefined && view.bindings !== undefined && phoneProvider.action === null
            ? 'no Action is bound to its custom provider'
            : undefined;
  // Able to send only as far as it was seen: a custom provider's Action needs read:actions.
  const provider: ProviderCheck = phoneProvider === null || (phoneProvider.name === 'custom' && (view.actions === undefined || view.bindings === undefined)) ? 'unreadable' : 'can send';
  const whereCodesGo = (route: Route, options: Connection['options']): string => {
    if (route === 'phone-provider' && cannotSend !== undefined) return style.red(`Auth0 would send this connection's codes through the tenant's phone provider, but ${cannotSend}: it cannot send them`);
    return describeRoute(route, view.unifiedPhone, options ?? null, provider);
  };
  output.data(
    [
      `${style.bold('tenant')}          ${api.domain}: ${generation}`,
      `${style.bold('phone provider')}  ${providerLine}`,
      ...(actionLine === undefined ? [] : [`${style.bold('its Action')}      ${actionLine}`]),
      '',
      items.length === 0
        ? 'No SMS connections.'
        : renderTable(
            ['CONNECTION', 'ROUTE', 'GATEWAY URL', 'WHERE THE CODES GO'],
            // A gateway_url on the phone-provider route is kept in the options but not used: said in the cell itself.
            items.map((item, i) => [
              item.name,
              item.route,
              item.gateway_url === null ? '-' : item.route === 'phone-provider' ? `${item.gateway_url} (unused)` : item.gateway_url,
              whereCodesGo(item.route, connections[i]?.options),
            ]),
            style,
          ),
    ].join('\n'),
  );
  return 0;
});
