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
import { unifiedPhoneOf, type UnifiedPhone } from '../core/route.js';
import type { Output } from '../ui/output.js';
import { unreadSettingWarning } from './routes.js';
import { deepEqual } from '../core/diff.js';
import { writePhoneBackup } from './backup.js';
import { realStepRunner, sendSettled, type PhoneWrite, type StepRunner } from './phone-writes.js';
import type { CommandContext } from './context.js';
import type { WriteFlags } from './settings-flags.js';
import { backupIfWanted, exitingNow } from './write.js';
import { restoreCommand } from '../core/shell.js';
import { untrusted } from '../core/untrusted.js';

/** What a read of the tenant's phone side found; a field is null where a scope was missing. */
export interface PhoneView {
  unifiedPhone: UnifiedPhone;
  provider: PhoneProvider | null | undefined;
  actions: Action[] | undefined;
  bindings: Binding[] | undefined;
  /** Scopes whose absence left a field unknown (undefined above). */
  missingScopes: string[];
  /** Why the tenant setting is unknown when a missing scope is not the reason: the read failed (a 5xx after the retries). */
  settingFailure: string | undefined;
}

/**
 * Reads tenant setting, provider, the trigger's Actions and bindings. With `tolerant` (status,
 * list) a missing scope leaves its field undefined and is named once; otherwise the first
 * missing scope stops the run, before anything is written. The tenant setting only informs:
 * unread (a missing scope, or a read that failed), it is null and nothing is refused. Why is
 * said on `output` (once a run); for a tolerant caller, with every other missing scope.
 */
export async function readPhoneView(api: ManagementApi, { tolerant, output }: { tolerant: boolean; output: Output | undefined }): Promise<PhoneView> {
  const missingScopes: string[] = [];
  const noteMissing = (error: unknown): boolean => {
    if (!(error instanceof CliError) || error.missingScope === undefined) return false;
    // Actions and bindings both need read:actions: named once.
    if (!missingScopes.includes(error.missingScope)) missingScopes.push(error.missingScope);
    return true;
  };
  const attempt = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      if (tolerant && noteMissing(error)) return undefined;
      throw error;
    }
  };
  let unifiedPhone: UnifiedPhone = null;
  let settingFailure: string | undefined;
  try {
    unifiedPhone = unifiedPhoneOf(await api.getTenantSettings());
  } catch (error) {
    const warning = unreadSettingWarning(error);
    if (warning === undefined) throw error;
    // A missing scope is named below for a tolerant caller, with the others; the rest have only this warning.
    if (!noteMissing(error)) settingFailure = (error as CliError).message;
    if (settingFailure !== undefined || !tolerant) output?.warnOnce(warning);
  }
  const providers = await attempt(() => api.listPhoneProviders());
  const actions = await attempt(() => api.listTriggerActions(TRIGGER_ID));
  const bindings = await attempt(() => api.listBindings(TRIGGER_ID));
  if (tolerant) for (const scope of missingScopes) output?.warn(`the token lacks ${scope}: what it would show is reported as unknown`);
  return { unifiedPhone, provider: providers === undefined ? undefined : (providers[0] ?? null), actions, bindings, missingScopes, settingFailure };
}

/** A view read without tolerance: every field is known. */
export function phoneStateOf(view: PhoneView): PhoneState {
  if (view.provider === undefined || view.actions === undefined || view.bindings === undefined) {
    throw new Error('phoneStateOf needs a complete view (read it with tolerant: false)');
  }
  return { unifiedPhone: view.unifiedPhone, provider: view.provider, actions: view.actions, bindings: view.bindings };
}

/** The scopes each kind of write needs (docs/auth0-facts.md#two-generations-of-sms-delivery). */
const SCOPE_OF: Record<PhoneWrite['kind'], string> = {
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
export function scopesFor(kinds: readonly (keyof typeof SCOPE_OF)[]): string[] {
  return kinds.map((kind) => SCOPE_OF[kind]);
}

/** The steps a phone write will take, numbered, for people (configure and the phone restore). */
export function describePlannedSteps(planned: readonly string[]): string {
  return `Steps, in this order:\n${planned.map((step, index) => `  ${index + 1}. ${step}`).join('\n')}`;
}

/** The plan's steps in words, in the order they run ("create the Action …"). */
export function plannedSteps(plan: PhonePlan): string[] {
  const name = untrusted(plan.ours?.action.name ?? ACTION_NAME);
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

/**
 * Runs the plan's writes in order. A failure in the middle says exactly which steps were done
 * and how to undo them; the caller's backup makes that one command.
 */
export async function executePhonePlan(ctx: CommandContext, api: ManagementApi, plan: PhonePlan, backup: string | null, runner: StepRunner = realStepRunner(ctx.settleWaitsMs)): Promise<string[]> {
  const done: string[] = [];
  let actionId = plan.ours?.action.id;
  const name = untrusted(plan.ours?.action.name ?? ACTION_NAME);
  const undo = backup === null ? 'run `auth0-sms-gateway status` to see the tenant, and fix it in the Dashboard' : `put it back with \`${restoreCommand(backup)}\``;
  for (const step of plan.steps) {
    // A Ctrl-C during the previous step: it finished (flow/interrupt.ts); stop before the next one.
    if (ctx.interrupts.requested !== undefined) {
      throw new CliError(ExitCode.cancelled, `stopped by ${ctx.interrupts.requested}; done: ${done.length === 0 ? 'nothing' : done.join(', ')}`, {
        hint: backup === null ? 'run `auth0-sms-gateway status` to see the tenant' : `run the same command again to finish, or put it back with \`${restoreCommand(backup)}\``,
        partial: done.length > 0,
      });
    }
    const [did, todo] = describeStep(step, name);
    try {
      const made = await sendSettled(api, writeOf(step, actionId), runner);
      if (step.kind === 'create-action') actionId = made;
    } catch (error) {
      const cause = error instanceof CliError ? error.message : String((error as Error)?.message ?? error);
      const lost = error instanceof CliError && error.answerLost;
      const soFar = `done before that: ${done.length === 0 ? 'nothing' : done.join(', ')}`;
      throw new CliError(error instanceof CliError ? error.exitCode : ExitCode.remote, lost ? `${todo}: ${cause}; ${soFar}` : `could not ${todo} (${cause}); ${soFar}`, {
        hint: done.length === 0 && !lost ? (error instanceof CliError ? error.hint : undefined) : undo,
        cause: error,
        outcomeUnknown: lost,
        partial: done.length > 0,
      });
    }
    done.push(did);
    ctx.output.info(`  ${did}`);
  }
  return done;
}

/** The write a planned step sends; `actionId` is the Action the plan's create step made. */
function writeOf(step: PhoneStep, actionId: string | undefined): PhoneWrite {
  const id = (stepId: string | undefined): string => {
    const resolved = stepId ?? actionId;
    if (resolved === undefined) throw new Error(`no Action to ${step.kind === 'bind' ? 'bind' : 'deploy'}`);
    return resolved;
  };
  switch (step.kind) {
    case 'create-action':
      return { kind: 'create-action', body: step.body };
    case 'update-action':
      return { kind: 'update-action', id: step.id, body: step.body };
    case 'deploy-action':
      return { kind: 'deploy-action', id: id(step.id) };
    case 'bind':
      return { kind: 'bind', bindings: [{ ref: { type: 'action_id', value: id(step.id) }, display_name: step.displayName }] };
    case 'create-provider':
      return { kind: 'create-provider', body: step.body };
    case 'update-provider':
      return { kind: 'update-provider', id: step.id, body: step.body };
  }
}

/**
 * The parts of the phone side that the diff, the plan and the backup are made of. Not the
 * fields Auth0 changes on its own (an Action's build status and times, a secret's update time)
 * nor the order of the Actions: an Action still building when the plan was read and built by
 * now is no change anybody made.
 */
function whatThePlanUses(state: PhoneState): unknown {
  const provider = state.provider === null ? null : { id: state.provider.id, name: state.provider.name, disabled: state.provider.disabled === true, configuration: state.provider.configuration ?? {} };
  const actions = [...state.actions]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((action) => ({
      id: action.id,
      name: action.name,
      code: action.code ?? null,
      runtime: action.runtime ?? null,
      triggers: (action.supported_triggers ?? []).map((trigger) => trigger.id),
      secrets: (action.secrets ?? []).map((secret) => secret.name).sort(),
      deployed: isDeployed(action),
      deployedVersion: action.deployed_version?.id ?? null,
    }));
  const bindings = state.bindings.map((binding) => ({ action: binding.action.id, name: binding.display_name ?? null }));
  return { unifiedPhone: state.unifiedPhone, provider, actions, bindings };
}

/**
 * Before the first phone write, when time has passed since the read that the diff, the plan
 * and the backup come from (a question waited for its answer, other writes ran first): the
 * tenant may have changed meanwhile (another admin bound an Action, disabled the provider).
 * Reads the phone side again and stops, with nothing written, when it differs, as the PATCH of
 * a connection does (flow/write.ts).
 */
export async function ensurePhoneUnmoved(api: ManagementApi, state: PhoneState): Promise<void> {
  // The run's first read said whatever there was to say of the tenant setting (the client keeps it).
  const now = phoneStateOf(await readPhoneView(api, { tolerant: false, output: undefined }));
  if (!deepEqual(whatThePlanUses(now), whatThePlanUses(state))) {
    throw remoteError("the tenant's phone side changed since it was read (someone else wrote to it): nothing was written to it", 're-run to see and confirm a plan against its current state');
  }
}

/**
 * After the writes: what Auth0 now holds matches the plan, or the run says what differs. Every
 * write was accepted by then, so a failure here never reads as "nothing changed": it is an
 * outcome to check, with the way back.
 */
export async function checkPhoneState(api: ManagementApi, plan: PhonePlan, backup: string | null): Promise<PhoneState> {
  const check = backup === null ? 'run `auth0-sms-gateway status`' : `run \`auth0-sms-gateway status\`, or put it back with \`${restoreCommand(backup)}\``;
  let view: PhoneView;
  try {
    view = await readPhoneView(api, { tolerant: false, output: undefined });
  } catch (error) {
    if (!(error instanceof CliError) || error.exitCode === ExitCode.cancelled) throw error;
    throw new CliError(ExitCode.remote, `every step was accepted, but reading the tenant back to check them failed (${error.message}): the result is not verified`, {
      hint: check,
      cause: error,
      outcomeUnknown: true,
    });
  }
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
    // The tenant did change: not a failure with nothing done.
    throw new CliError(ExitCode.remote, `the writes were accepted, but reading the tenant back shows: ${problems.join('; ')}`, { hint: check, outcomeUnknown: true });
  }
  return state;
}

/**
 * Auth0's "Send Test Message" through the tenant's phone provider (`phone-provider test`, the
 * wizard's offer after a setup). A text cannot be taken back, and a second one is a second SMS:
 * a signal lets the request finish, `say` reports the answer, and the run then stops; a lost
 * answer says the message may have been sent rather than "retry".
 */
export async function sendPhoneTestMessage(
  ctx: CommandContext,
  api: ManagementApi,
  provider: PhoneProvider,
  to: string,
  say: (answer: { code?: number | undefined; message?: string | undefined }) => void,
): Promise<void> {
  const check = `check the phone${provider.name === 'custom' ? ' (or your gateway)' : ''} before sending another`;
  const answer = await ctx.interrupts.guard(
    async () => {
      try {
        return await api.testPhoneProvider(provider.id, to);
      } catch (error) {
        if (!(error instanceof CliError) || !error.answerLost) throw error;
        throw new CliError(ExitCode.remote, `the answer to the test message was lost (${error.message}): Auth0 may have sent it`, { hint: check, cause: error, outcomeUnknown: true });
      }
    },
    () => `whether Auth0 took the test message is unknown: it may still be sent; ${check}`,
    exitingNow(ctx, () => undefined),
  );
  say(answer);
  if (ctx.interrupts.requested !== undefined) throw new CliError(ExitCode.cancelled, `stopped by ${ctx.interrupts.requested} after Auth0 took the test message`);
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

