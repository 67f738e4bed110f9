import { parseActionCode } from '../core/action-code.js';
import { untrusted } from '../core/untrusted.js';
import { isDeployed, templateLabel, type Action, type Binding, type PhoneProvider } from '../core/phone-provider.js';

/** `status --json`'s `phoneProvider` (README, `status`): what the tenant's provider is and which Action serves it. */
export interface PhoneProviderSummary {
  id: string;
  name: string;
  disabled: boolean;
  delivery_methods: unknown;
  /** The Action bound to custom-phone-provider; null when none is bound or read:actions is missing. */
  action: null | { id: string; name: string; deployed: boolean; managed: boolean; gateway_url?: string };
}

export function summarizePhoneProvider(provider: PhoneProvider, actions: Action[] | undefined, bindings: Binding[] | undefined): PhoneProviderSummary {
  const bound = boundAction(actions, bindings);
  let action: PhoneProviderSummary['action'] = null;
  if (bound !== undefined) {
    const parsed = parseActionCode(bound.code ?? '');
    const managed = parsed.kind === 'ours';
    action = {
      id: bound.id,
      name: bound.name,
      deployed: isDeployed(bound),
      managed,
      // Only for the tool's own Action: another Action's code is not read for a URL.
      ...(parsed.kind === 'ours' && parsed.settings !== null ? { gateway_url: parsed.settings.gateway_url } : {}),
    };
  }
  return {
    id: provider.id,
    name: provider.name,
    disabled: provider.disabled === true,
    delivery_methods: provider.configuration?.delivery_methods ?? null,
    action,
  };
}

/**
 * How people see whose code the bound Action runs: "installed by this tool", with its template
 * when that is not this version's byte for byte (an edit by hand may change what it does with
 * the code and the number), or "not installed by this tool".
 */
export function describeBoundAction(action: Action | undefined): string {
  const parsed = parseActionCode(action?.code ?? '');
  if (parsed.kind !== 'ours') return 'not installed by this tool';
  return parsed.current ? 'installed by this tool' : `installed by this tool, ${templateLabel(parsed)}`;
}

/** The Action bound to custom-phone-provider, when the reads show one. */
export function boundAction(actions: Action[] | undefined, bindings: Binding[] | undefined): Action | undefined {
  const boundId = bindings?.[0]?.action.id;
  return boundId === undefined ? undefined : actions?.find((action) => action.id === boundId);
}

/**
 * What a tenant with no phone provider still has on the trigger: an Action bound to
 * custom-phone-provider sends nothing until a `custom` provider exists (a configure stopped
 * between its steps leaves this). Empty when nothing is bound or the reads could not tell.
 */
export function boundWithoutProvider(actions: Action[] | undefined, bindings: Binding[] | undefined): string {
  const bound = boundAction(actions, bindings);
  if (bound === undefined) return '';
  const ours = parseActionCode(bound.code ?? '').kind === 'ours';
  return `; the Action ${untrusted(bound.name)} (${describeBoundAction(bound)}) is bound to custom-phone-provider, but sends nothing without a custom provider${
    ours ? ': `auth0-sms-gateway phone-provider configure` finishes the setup' : " (`auth0-sms-gateway phone-provider configure` would bind this tool's Action in its place)"
  }`;
}
