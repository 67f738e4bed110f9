/*
 * The newer generation of SMS delivery, seen from the tool: the tenant's phone provider, the
 * custom-phone-provider Action behind a `custom` provider, and the trigger's bindings
 * (docs/auth0-facts.md#two-generations-of-sms-delivery). Schemas for what Auth0 returns, and
 * the pure planner that feeds the diff, the --json document and the writes alike, so what the
 * user approved is what is sent.
 */
import {
  ACTION_NAME,
  ACTION_RUNTIME,
  ACTION_SECRET_NAME,
  ACTION_TEMPLATE_VERSION,
  ACTION_TRIGGER,
  fingerprintMatches,
  parseActionCode,
  renderActionCode,
  secretFingerprint,
  type ActionSettings,
} from './action-code.js';
import { refuseSecretInSettings, resolveBearer, type DesiredBearer } from './bearer.js';
import { deepEqual, diffOptions, type Change } from './diff.js';
import { inputError } from './errors.js';
import type { UnifiedPhone } from './route.js';
import { gatewayUrlSchema, gatewayUrlWarnings, parseInput, secretWarnings } from './validate.js';

export const TRIGGER_ID = ACTION_TRIGGER.id;

export { phoneSchemas, type Action, type Binding, type PhoneProvider } from './phone-schemas.js';
import type { Action, Binding, PhoneProvider } from './phone-schemas.js';

/** What the tool read of the tenant's side; a field is null when its scope was missing. */
export interface PhoneState {
  unifiedPhone: UnifiedPhone;
  provider: PhoneProvider | null;
  /** Actions supporting the custom-phone-provider trigger. */
  actions: Action[];
  /** The trigger's bindings, in order. */
  bindings: Binding[];
}

/** The Action this tool installs, when there is one: its own template, any version. */
export interface OurAction {
  action: Action;
  /** null when the settings block could not be read (outdated or edited by hand). */
  settings: ActionSettings | null;
  version: number;
  /** The template is this version's, byte for byte. */
  current: boolean;
  /** Deployed and all changes deployed. */
  deployed: boolean;
}

export function isDeployed(action: Action): boolean {
  return action.deployed_version !== null && action.deployed_version !== undefined && action.all_changes_deployed !== false;
}

/**
 * The tool's own Action among the trigger's: the bound one if the tool's code runs there, else
 * the first one carrying its template. Recognised by its code, not by its name: a person may
 * rename it, and another Action may be called anything.
 */
export function findOurAction(state: Pick<PhoneState, 'actions' | 'bindings'>): OurAction | null {
  const ours = state.actions.flatMap((action) => {
    const parsed = parseActionCode(action.code ?? '');
    if (parsed.kind !== 'ours') return [];
    return [{ action, settings: parsed.settings, version: parsed.version, current: parsed.current, deployed: isDeployed(action) }];
  });
  const boundIds = new Set(state.bindings.map((binding) => binding.action.id));
  return ours.find((candidate) => boundIds.has(candidate.action.id)) ?? ours[0] ?? null;
}

/** What a person asks of the phone provider side: the same gateway settings as a connection's. */
export interface DesiredPhoneProvider {
  gatewayUrl?: string | undefined;
  authentication?: { method: 'none' } | DesiredBearer | undefined;
  forwardReqInfo?: boolean | undefined;
}

/** The provider Passwordless needs: `custom`, enabled, delivering text (docs/auth0-facts.md#two-generations-of-sms-delivery). */
export const WANTED_PROVIDER = { name: 'custom', disabled: false, configuration: { delivery_methods: ['text'] } } as const;

export type PhoneStep =
  | { kind: 'create-action'; body: { name: string; supported_triggers: { id: string; version: string }[]; code: string; runtime: string; dependencies: never[]; secrets: { name: string; value: string }[] } }
  | { kind: 'update-action'; id: string; body: { code: string; secrets?: { name: string; value: string }[] } }
  /** `id` undefined: the Action the create step made. */
  | { kind: 'deploy-action'; id: string | undefined }
  | { kind: 'bind'; id: string | undefined; displayName: string }
  | { kind: 'create-provider'; body: { name: 'custom'; disabled: false; credentials: Record<string, never>; configuration: { delivery_methods: string[] } } }
  | { kind: 'update-provider'; id: string; body: { name: 'custom'; disabled: false; credentials?: Record<string, never>; configuration: { delivery_methods: string[] } } };

export interface PhonePlan {
  steps: PhoneStep[];
  /** One diff over provider, Action and binding: what the user sees and approves. */
  changes: Change[];
  noop: boolean;
  warnings: string[];
  /** The settings the Action holds once the plan is applied. */
  settings: ActionSettings;
  /** The tool's Action as it is now. */
  ours: OurAction | null;
}

/** The view of the tenant's side the diff compares: provider, the tool's Action, the binding. */
function view(provider: PhoneProvider | { name: string; disabled: boolean; configuration: unknown } | null, action: Record<string, unknown> | null, bound: string[]): Record<string, unknown> {
  return {
    ...(provider === null
      ? {}
      : {
          // The whole configuration: a write replaces it, so a key it drops (a Twilio sid) shows.
          phone_provider: { name: provider.name, enabled: provider.disabled !== true, configuration: provider.configuration ?? null },
        }),
    ...(action === null ? {} : { action }),
    bound_to_custom_phone_provider: bound,
  };
}

/**
 * The template an Action of the tool runs, as diffs and warnings name it: this version's code
 * byte for byte, an older version's, or this version's changed by hand (its settings may still
 * read the same, so the label is what shows the change).
 */
export function templateLabel(action: Pick<OurAction, 'version' | 'current'>): string {
  if (action.current) return `template ${action.version}`;
  return action.version === ACTION_TEMPLATE_VERSION ? `template ${action.version} (changed by hand)` : `template ${action.version} (outdated)`;
}

/** Settings as diffs show them: the secret's fingerprint left out (the secret has its own line). */
export function shownSettings(settings: ActionSettings | null): Record<string, unknown> | string {
  if (settings === null) return '(unreadable)';
  const { secret_fingerprint: _fingerprint, ...shown } = settings;
  return shown;
}

function actionView(name: string, settings: ActionSettings | null, template: string, deployed: boolean, secretMark: string | null): Record<string, unknown> {
  return {
    name,
    template,
    deployed,
    settings: shownSettings(settings),
    ...(secretMark === null ? {} : { secrets: { [ACTION_SECRET_NAME]: secretMark } }),
  };
}

function bindingNames(bindings: readonly Binding[]): string[] {
  return bindings.map((binding) => binding.action.name ?? binding.display_name ?? binding.action.id);
}

/**
 * The writes that make the tenant's phone provider deliver through the gateway, in Auth0's
 * order (create or update the Action → deploy → bind → provider `custom`): Auth0 refuses a
 * `custom` provider without a deployed Action. A plan of no steps means nothing to do, so a
 * second run with the same settings writes nothing: the code (template and settings block)
 * and, for the secret, its fingerprint are compared.
 *
 * `salt` seeds a new secret fingerprint (16 random bytes from the caller: core has no randomness).
 */
export function planPhoneProvider(state: PhoneState, desired: DesiredPhoneProvider, salt: Uint8Array): PhonePlan {
  const ours = findOurAction(state);
  const current = ours?.settings ?? null;
  const label = 'the phone provider Action';

  const gatewayUrl = desired.gatewayUrl ?? current?.gateway_url;
  if (gatewayUrl === undefined) {
    throw inputError('the tenant has no gateway for its phone provider yet: pass --gateway-url', 'e.g. --gateway-url https://sms.example.com/send');
  }
  parseInput(gatewayUrlSchema, gatewayUrl, undefined, () => '--gateway-url');

  const method = desired.authentication?.method ?? current?.authentication ?? 'none';
  let settings: ActionSettings;
  let secretToSend: string | undefined;
  const forward = desired.forwardReqInfo ?? current?.forward_req_info ?? false;
  if (method === 'none' || desired.authentication?.method === 'none') {
    settings = { gateway_url: gatewayUrl, authentication: 'none', forward_req_info: forward };
  } else {
    const given: DesiredBearer = desired.authentication?.method === 'bearer' ? desired.authentication : { method: 'bearer' };
    const hasSecret = ours !== null && current?.authentication === 'bearer' && current.secret_fingerprint !== undefined && (ours.action.secrets ?? []).some((s) => s.name === ACTION_SECRET_NAME);
    const encodingChanges = given.secretBase64Encoded !== undefined && given.secretBase64Encoded !== (current?.secret_base64_encoded === true);
    // AUTH0_SMS_GATEWAY_SECRET fills a secret the Action lacks (or one a new encoding needs), never replaces it.
    const wanted: DesiredBearer = given.secret === undefined && given.fallbackSecret !== undefined && (!hasSecret || encodingChanges) ? { ...given, secret: given.fallbackSecret } : given;
    if (wanted.secret === undefined && encodingChanges) {
      // The Action's secret cannot be read back, so its encoding cannot be checked or changed alone.
      throw inputError('changing --secret-base64-encoded needs the secret itself: Auth0 never returns an Action secret', 'pass the secret again (--secret-env, --secret-file or AUTH0_SMS_GATEWAY_SECRET)');
    }
    // The Action's secret cannot be read back: "keep the current one" is allowed only while the
    // Action has it, and the stand-in below never leaves this function.
    const bearer = resolveBearer(
      current?.authentication === 'bearer'
        ? {
            ...(current.subject === undefined ? {} : { subject: current.subject }),
            ...(current.audience === undefined ? {} : { audience: current.audience }),
            ...(hasSecret ? { secret: KEPT_SECRET } : {}),
            secretBase64Encoded: current.secret_base64_encoded === true,
          }
        : undefined,
      wanted,
      label,
    );
    refuseSecretInSettings(wanted.secret, { gateway_url: gatewayUrl, subject: bearer.subject, audience: bearer.audience }, label);
    let fingerprint = current?.secret_fingerprint;
    if (wanted.secret !== undefined) {
      if (!(hasSecret && fingerprintMatches(wanted.secret, fingerprint))) {
        fingerprint = secretFingerprint(wanted.secret, salt);
        secretToSend = wanted.secret;
      }
    }
    settings = {
      gateway_url: gatewayUrl,
      authentication: 'bearer',
      ...(bearer.subject === undefined ? {} : { subject: bearer.subject }),
      audience: bearer.audience,
      secret_base64_encoded: bearer.secretBase64Encoded,
      forward_req_info: forward,
      ...(fingerprint === undefined ? {} : { secret_fingerprint: fingerprint }),
    };
  }
  const code = renderActionCode(settings);

  const steps: PhoneStep[] = [];
  const secrets = secretToSend === undefined ? undefined : [{ name: ACTION_SECRET_NAME, value: secretToSend }];
  // Switching to no authentication removes the secret: a PATCH with `secrets` replaces the list.
  const dropSecret = settings.authentication === 'none' && (ours?.action.secrets ?? []).some((s) => s.name === ACTION_SECRET_NAME);
  let actionId: string | undefined;
  if (ours === null) {
    steps.push({
      kind: 'create-action',
      body: { name: ACTION_NAME, supported_triggers: [{ ...ACTION_TRIGGER }], code, runtime: ACTION_RUNTIME, dependencies: [], secrets: secrets ?? [] },
    });
  } else {
    actionId = ours.action.id;
    if (ours.action.code !== code || secrets !== undefined || dropSecret) {
      steps.push({ kind: 'update-action', id: actionId, body: { code, ...(secrets !== undefined ? { secrets } : dropSecret ? { secrets: [] } : {}) } });
    }
  }
  const willChange = steps.length > 0;
  const deployedCode = ours?.action.deployed_version?.code;
  if (willChange || ours === null || !ours.deployed || (deployedCode !== undefined && deployedCode !== null && deployedCode !== code)) {
    steps.push({ kind: 'deploy-action', id: actionId });
  }
  const boundOnlyOurs = actionId !== undefined && state.bindings.length === 1 && state.bindings[0]?.action.id === actionId;
  if (!boundOnlyOurs) steps.push({ kind: 'bind', id: actionId, displayName: ours?.action.name ?? ACTION_NAME });

  const provider = state.provider;
  const providerIsWanted =
    provider !== null && provider.name === WANTED_PROVIDER.name && provider.disabled !== true && deepEqual(provider.configuration?.delivery_methods, WANTED_PROVIDER.configuration.delivery_methods);
  if (provider === null) {
    steps.push({ kind: 'create-provider', body: { name: 'custom', disabled: false, credentials: {}, configuration: { delivery_methods: ['text'] } } });
  } else if (!providerIsWanted) {
    steps.push({
      kind: 'update-provider',
      id: provider.id,
      body: { name: 'custom', disabled: false, ...(provider.name === 'custom' ? {} : { credentials: {} }), configuration: { delivery_methods: ['text'] } },
    });
  }

  const secretMark = (fingerprint: string | undefined) => (fingerprint === undefined ? null : fingerprint);
  const before = view(
    provider,
    ours === null ? null : actionView(ours.action.name, ours.settings, templateLabel(ours), ours.deployed, secretMark(ours.settings?.secret_fingerprint)),
    bindingNames(state.bindings),
  );
  const after = view(
    // The provider as the steps leave it: one already wanted is not written, whatever else its configuration holds.
    providerIsWanted ? provider : WANTED_PROVIDER,
    actionView(ours?.action.name ?? ACTION_NAME, settings, `template ${ACTION_TEMPLATE_VERSION}`, true, secretMark(settings.secret_fingerprint)),
    [ours?.action.name ?? ACTION_NAME],
  );
  const changes = diffOptions(before, after);

  return { steps, changes, noop: steps.length === 0, warnings: phoneWarnings(state, ours, settings, secretToSend), settings, ours };
}

/** Stands for "the secret the Action already holds" inside the planner; never sent, never shown. */
const KEPT_SECRET = '\u0000kept-action-secret';

function phoneWarnings(state: PhoneState, ours: OurAction | null, settings: ActionSettings, newSecret: string | undefined): string[] {
  const warnings: string[] = [];
  const provider = state.provider;
  if (provider?.name === 'twilio') {
    warnings.push(
      "this replaces the tenant's Twilio phone provider; Auth0 never returns its auth token, so putting it back later (`restore`) needs the token again (--twilio-auth-token-env)",
    );
  }
  const deliveryMethods = provider?.configuration?.delivery_methods;
  if (Array.isArray(deliveryMethods) && deliveryMethods.includes('voice')) {
    warnings.push('voice delivery stops: the gateway Action delivers text messages only (MFA by voice call included)');
  }
  const foreign = state.bindings.filter((binding) => binding.action.id !== ours?.action.id);
  for (const binding of foreign) {
    warnings.push(`the Action "${binding.action.name ?? binding.action.id}" is unbound from custom-phone-provider (kept, not deleted; \`restore\` binds it again)`);
  }
  if (ours !== null && !ours.current) {
    warnings.push(
      ours.version === ACTION_TEMPLATE_VERSION
        ? `the installed Action's code was changed by hand since this tool wrote it; it is rewritten with template ${ACTION_TEMPLATE_VERSION}, which drops the edits`
        : `the installed Action uses an older template (${ours.version}); it is rewritten with template ${ACTION_TEMPLATE_VERSION}`,
    );
  }
  if (state.unifiedPhone === false) {
    warnings.push(
      'this tenant is not on the Unified Phone Experience: its Passwordless SMS connections keep using their own options unless use_phone_provider is on; the phone provider serves MFA and those connections',
    );
  }
  if (state.unifiedPhone === null) warnings.push('whether this tenant uses its phone provider for Passwordless is unknown (the tenant setting could not be read)');
  warnings.push(...gatewayUrlWarnings(settings.gateway_url));
  if (newSecret !== undefined) warnings.push(...secretWarnings(newSecret, settings.secret_base64_encoded === true));
  return warnings;
}
