import { parseActionCode } from '../core/action-code.js';
import { isDeployed, type Action, type Binding, type PhoneProvider } from '../core/phone-provider.js';

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
  const boundId = bindings?.[0]?.action.id;
  const bound = boundId === undefined ? undefined : actions?.find((action) => action.id === boundId);
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
