import { randomBytes } from 'node:crypto';
import type { ManagementApi } from '../auth0/client.js';
import { ACTION_NAME, ACTION_SECRET_NAME } from '../core/action-code.js';
import { CliError, ExitCode, remoteError } from '../core/errors.js';
import {
  findOurAction,
  isDeployed,
  planPhoneProvider,
  TRIGGER_ID,
  WANTED_PROVIDER,
  type Action,
  type Binding,
  type DesiredPhoneProvider,
  type PhonePlan,
  type PhoneProvider,
  type PhoneState,
  type PhoneStep,
} from '../core/phone-provider.js';
import type { UnifiedPhone } from '../core/route.js';
import { untrusted } from '../core/untrusted.js';
import { deepEqual } from '../core/diff.js';
import { writePhoneBackup } from './backup.js';
import type { CommandContext } from './context.js';
import type { WriteFlags } from './settings-flags.js';
import { backupIfWanted } from './write.js';

/** What a read of the tenant's phone side found; a field is null where a scope was missing. */
export interface PhoneView {
  unifiedPhone: UnifiedPhone;
  provider: PhoneProvider | null | undefined;
  actions: Action[] | undefined;
  bindings: Binding[] | undefined;
  /** Scopes whose absence left a field unknown (undefined above). */
  missingScopes: string[];
}

/**
 * Reads tenant setting, provider, the trigger's Actions and bindings. With `tolerant` (status,
 * list) a missing scope leaves its field undefined and is named once; otherwise the first
 * missing scope stops the run, before anything is written.
 */
export async function readPhoneView(api: ManagementApi, { tolerant }: { tolerant: boolean }): Promise<PhoneView> {
  const missingScopes: string[] = [];
  const attempt = async <T>(read: () => Promise<T>, alwaysTolerant = false): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof CliError && error.missingScope !== undefined && (tolerant || alwaysTolerant)) {
        // Actions and bindings both need read:actions: named once.
        if (!missingScopes.includes(error.missingScope)) missingScopes.push(error.missingScope);
        return undefined;
      }
      throw error;
    }
  };
  // The tenant setting only informs: without it routes say "unknown", nothing is refused.
  const settings = await attempt(() => api.getTenantSettings(), true);
  const unifiedPhone: UnifiedPhone = settings === undefined ? null : (settings.phone_consolidated_experience ?? true);
  const providers = await attempt(() => api.listPhoneProviders());
  const actions = await attempt(() => api.listTriggerActions(TRIGGER_ID));
  const bindings = await attempt(() => api.listBindings(TRIGGER_ID));
  return { unifiedPhone, provider: providers === undefined ? undefined : (providers[0] ?? null), actions, bindings, missingScopes };
}

/** A view read without tolerance: every field is known. */
export function phoneStateOf(view: PhoneView): PhoneState {
  if (view.provider === undefined || view.actions === undefined || view.bindings === undefined) {
    throw new Error('phoneStateOf needs a complete view (read it with tolerant: false)');
  }
  return { unifiedPhone: view.unifiedPhone, provider: view.provider, actions: view.actions, bindings: view.bindings };
}

/** The scopes each kind of write needs (docs/auth0-facts.md#two-generations-of-sms-delivery). */
const SCOPE_OF: Record<PhoneStep['kind'] | 'delete-provider' | 'delete-action', string> = {
  'create-action': 'create:actions',
  'update-action': 'update:actions',
  'deploy-action': 'create:actions',
  bind: 'update:actions',
  'create-provider': 'create:phone_providers',
  'update-provider': 'update:phone_providers',
  'delete-provider': 'delete:phone_providers',
  'delete-action': 'delete:actions',
};

/**
 * Before the first write: when the token's scopes are known, every scope the writes need must
 * be there, so a missing one is named while nothing has changed (rather than after the Action
 * was created and before the provider could be set).
 */
export function requireScopesFor(api: ManagementApi, kinds: readonly (keyof typeof SCOPE_OF)[]): void {
  const granted = api.grantedScopes();
  if (granted === null) return;
  const missing = [...new Set(kinds.map((kind) => SCOPE_OF[kind]))].filter((scope) => !granted.has(scope));
  if (missing.length > 0) {
    throw new CliError(ExitCode.remote, `the token lacks ${missing.join(', ')}, which these changes need: nothing was written`, {
      hint: `grant ${missing.join(', ')} to your Machine-to-Machine app: Dashboard > Applications > APIs > Auth0 Management API > Machine to Machine Applications`,
      missingScope: missing[0],
    });
  }
}

export interface StepRunner {
  /** Waits between polls of an Action's build. */
  sleep(ms: number): Promise<void>;
  /** How long a build or deploy may take before the run gives up (Auth0 builds take seconds). */
  buildTimeoutMs: number;
}

export const realStepRunner: StepRunner = { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), buildTimeoutMs: 120_000 };

/** The plan's steps in words, in the order they run ("create the Action …"). */
export function plannedSteps(plan: PhonePlan): string[] {
  const name = plan.ours?.action.name ?? ACTION_NAME;
  return plan.steps.map((step) => describeStep(step, name)[1]);
}

/** A step in words: `[what was done, what could not be done]`. */
function describeStep(step: PhoneStep, name: string): [string, string] {
  switch (step.kind) {
    case 'create-action':
      return [`created the Action ${name}`, `create the Action ${name}`];
    case 'update-action':
      return [`updated the Action ${name}`, `update the Action ${name}`];
    case 'deploy-action':
      return [`deployed the Action ${name}`, `deploy the Action ${name}`];
    case 'bind':
      return [`bound ${name} to custom-phone-provider`, `bind ${name} to custom-phone-provider`];
    case 'create-provider':
      return ['created the phone provider "custom"', 'create the phone provider "custom"'];
    case 'update-provider':
      return ['set the phone provider to "custom"', 'set the phone provider to "custom"'];
  }
}

/** Polls the Action until `done`; `failed` is an error carrying Auth0's reason. Restore uses it too. */
export async function waitUntil(api: ManagementApi, id: string, runner: StepRunner, done: (action: Action) => boolean, what: string): Promise<Action> {
  let waited = 0;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    const action = await api.getAction(id);
    if (action.status === 'failed') {
      const reason = (action.errors ?? [])
        .map((error) => error.msg ?? error.message)
        .filter((text): text is string => typeof text === 'string')
        .join('; ');
      throw remoteError(`Auth0 could not build the Action${reason === '' ? '' : `: ${untrusted(reason)}`}`, 'please report it with the output of --verbose');
    }
    if (done(action)) return action;
    if (waited >= runner.buildTimeoutMs) throw remoteError(`the Action was not ${what} after ${Math.round(waited / 1000)} s`, 'check the Action in the Auth0 Dashboard (Actions > Library), then run again');
    await runner.sleep(delay);
    waited += delay;
  }
}

/**
 * Runs the plan's writes in order. A failure in the middle says exactly which steps were done
 * and how to undo them; the caller's backup makes that one command.
 */
export async function executePhonePlan(ctx: CommandContext, api: ManagementApi, plan: PhonePlan, backup: string | null, runner: StepRunner = realStepRunner): Promise<string[]> {
  const done: string[] = [];
  let actionId = plan.ours?.action.id;
  const name = plan.ours?.action.name ?? ACTION_NAME;
  for (const step of plan.steps) {
    // A Ctrl-C during the previous step: it finished (flow/interrupt.ts); stop before the next one.
    if (ctx.interrupts.requested !== undefined) {
      throw new CliError(ExitCode.cancelled, `stopped by ${ctx.interrupts.requested}; done: ${done.length === 0 ? 'nothing' : done.join(', ')}`, {
        hint: backup === null ? 'run `auth0-sms-gateway status` to see the tenant' : `run the same command again to finish, or put it back with \`auth0-sms-gateway restore ${backup}\``,
      });
    }
    try {
      switch (step.kind) {
        case 'create-action':
          actionId = (await api.createAction(step.body)).id;
          break;
        case 'update-action':
          await api.updateAction(step.id, step.body);
          break;
        case 'deploy-action': {
          const id = step.id ?? actionId;
          if (id === undefined) throw new Error('no Action to deploy');
          // Auth0 builds asynchronously (pending → building → built) and deploys only a built Action.
          await waitUntil(api, id, runner, (action) => action.status === 'built', 'built');
          await api.deployAction(id);
          await waitUntil(api, id, runner, isDeployed, 'deployed');
          break;
        }
        case 'bind': {
          const id = step.id ?? actionId;
          if (id === undefined) throw new Error('no Action to bind');
          await api.updateBindings(TRIGGER_ID, [{ ref: { type: 'action_id', value: id }, display_name: step.displayName }]);
          break;
        }
        case 'create-provider':
          await api.createPhoneProvider(step.body);
          break;
        case 'update-provider':
          await api.updatePhoneProvider(step.id, step.body);
          break;
      }
    } catch (error) {
      const failed = describeStep(step, name)[1];
      const cause = error instanceof CliError ? error.message : String((error as Error)?.message ?? error);
      const undo = backup === null ? 'run `auth0-sms-gateway status` to see the tenant, and fix it in the Dashboard' : `put it back with \`auth0-sms-gateway restore ${backup}\``;
      throw new CliError(error instanceof CliError ? error.exitCode : ExitCode.remote, `could not ${failed} (${cause}); done before that: ${done.length === 0 ? 'nothing' : done.join(', ')}`, {
        hint: done.length === 0 ? (error instanceof CliError ? error.hint : undefined) : undo,
        cause: error,
      });
    }
    done.push(describeStep(step, name)[0]);
    ctx.output.info(`  ${describeStep(step, name)[0]}`);
  }
  return done;
}

/** After the writes: what Auth0 now holds matches the plan, or the run says what differs. */
export async function checkPhoneState(api: ManagementApi, plan: PhonePlan, backup: string | null): Promise<PhoneState> {
  const view = await readPhoneView(api, { tolerant: false });
  const state = phoneStateOf(view);
  const ours = findOurAction(state);
  const problems: string[] = [];
  if (ours === null) problems.push('the Action is not there');
  else {
    if (ours.settings === null || !deepEqual(ours.settings, plan.settings)) problems.push('the Action holds other settings');
    if (!ours.deployed) problems.push('the Action is not deployed');
    if (!(state.bindings.length === 1 && state.bindings[0]?.action.id === ours.action.id)) problems.push('the Action is not the one bound to custom-phone-provider');
    if (plan.settings.authentication === 'bearer' && !(ours.action.secrets ?? []).some((s) => s.name === ACTION_SECRET_NAME)) problems.push(`the Action has no ${ACTION_SECRET_NAME} secret`);
  }
  const provider = state.provider;
  if (provider === null || provider.name !== WANTED_PROVIDER.name || provider.disabled === true || !deepEqual(provider.configuration?.delivery_methods, WANTED_PROVIDER.configuration.delivery_methods)) {
    problems.push('the phone provider is not "custom", enabled, with text delivery');
  }
  if (problems.length > 0) {
    throw remoteError(
      `the writes were accepted, but reading the tenant back shows: ${problems.join('; ')}`,
      backup === null ? 'run `auth0-sms-gateway status`' : `run \`auth0-sms-gateway status\`, or put it back with \`auth0-sms-gateway restore ${backup}\``,
    );
  }
  return state;
}

/** A backup of the phone side before it changes. */
export function backupPhoneSide(ctx: CommandContext, api: ManagementApi, state: PhoneState, flags: WriteFlags): string | null {
  const ours = findOurAction(state);
  return backupIfWanted(ctx, flags, (target) => writePhoneBackup({ ...target, phoneProvider: state.provider, bindings: state.bindings, action: ours?.action ?? null }), api.domain);
}

/** 16 random bytes for a new secret fingerprint. */
export const fingerprintSalt = (): Uint8Array => randomBytes(16);

export function planFor(state: PhoneState, desired: DesiredPhoneProvider): PhonePlan {
  return planPhoneProvider(state, desired, fingerprintSalt());
}

