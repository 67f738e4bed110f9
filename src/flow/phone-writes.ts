// The writes that change a tenant's phone side, as `phone-provider configure`, `apply` and the
// restore of a phone backup send them: one place that sends each, waits for Auth0's build and
// deploy, and settles a write whose answer was lost by reading what Auth0 now holds.
import type { ManagementApi } from '../auth0/client.js';
import { deepEqual } from '../core/diff.js';
import { CliError, remoteError } from '../core/errors.js';
import { isDeployed, TRIGGER_ID, type Action } from '../core/phone-provider.js';
import { untrusted } from '../core/untrusted.js';
import { observeAfterLostAnswer, type Seen } from './write.js';

export type Bindings = { ref: { type: 'action_id'; value: string }; display_name: string }[];

export type PhoneWrite =
  | { kind: 'create-action'; body: Record<string, unknown> & { name: string; code: string } }
  | { kind: 'update-action'; id: string; body: Record<string, unknown> & { code: string } }
  /** Waits until Auth0 has built the Action, deploys it, waits until it is deployed. */
  | { kind: 'deploy-action'; id: string }
  | { kind: 'delete-action'; id: string }
  /** Replaces the trigger's whole binding list. */
  | { kind: 'bind'; bindings: Bindings }
  | { kind: 'create-provider'; body: Record<string, unknown> }
  | { kind: 'update-provider'; id: string; body: Record<string, unknown> }
  | { kind: 'delete-provider'; id: string };

export interface StepRunner {
  /** Waits between polls of an Action's build, and between the reads that settle a lost answer. */
  sleep(ms: number): Promise<void>;
  /** How long a build or deploy may take before the run gives up (Auth0 builds take seconds). */
  buildTimeoutMs: number;
  /** Waits between the reads that settle a write whose answer was lost. */
  settleWaitsMs: readonly number[];
}

export const realStepRunner = (settleWaitsMs: readonly number[]): StepRunner => ({
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  buildTimeoutMs: 120_000,
  settleWaitsMs,
});

/** Polls the Action until `done`; `failed` is an error carrying Auth0's reason. */
export async function waitUntil(api: ManagementApi, id: string, runner: StepRunner, done: (action: Action) => boolean, what: string): Promise<Action> {
  let waited = 0;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    const action = await api.getAction(id);
    if (action.status === 'failed') {
      const reason = (action.errors ?? [])
        .map((error) => error.msg ?? error.message)
        .filter((text): text is string => typeof text === 'string')
        .join('; ');
      throw remoteError(
        `Auth0 could not build the Action${reason === '' ? '' : `: ${untrusted(reason)}`}`,
        'the build is Auth0\'s: see its log in the Auth0 Dashboard (Actions > Library), and run again once Auth0 can build it',
      );
    }
    if (done(action)) return action;
    if (waited >= runner.buildTimeoutMs) throw remoteError(`the Action was not ${what} after ${Math.round(waited / 1000)} s`, 'check the Action in the Auth0 Dashboard (Actions > Library), then run again');
    await runner.sleep(delay);
    waited += delay;
  }
}

/** Sends one write; the id of the Action a create made. */
async function send(api: ManagementApi, write: PhoneWrite, runner: StepRunner): Promise<string | undefined> {
  switch (write.kind) {
    case 'create-action':
      return (await api.createAction(write.body)).id;
    case 'update-action':
      await api.updateAction(write.id, write.body);
      return undefined;
    case 'deploy-action':
      // Auth0 builds asynchronously (pending → building → built) and deploys only a built Action.
      // A read that fails in this wait is no lost deploy: the deploy has not been sent yet.
      try {
        await waitUntil(api, write.id, runner, (action) => action.status === 'built', 'built');
      } catch (error) {
        throw error instanceof CliError && error.answerLost ? new CliError(error.exitCode, `${error.message}, before the deploy was sent`, { hint: error.hint, cause: error }) : error;
      }
      await api.deployAction(write.id);
      await waitUntil(api, write.id, runner, isDeployed, 'deployed');
      return undefined;
    case 'delete-action':
      await api.deleteAction(write.id);
      return undefined;
    case 'bind':
      await api.updateBindings(TRIGGER_ID, write.bindings);
      return undefined;
    case 'create-provider':
      await api.createPhoneProvider(write.body);
      return undefined;
    case 'update-provider':
      await api.updatePhoneProvider(write.id, write.body);
      return undefined;
    case 'delete-provider':
      await api.deletePhoneProvider(write.id);
      return undefined;
  }
}

const providerHolds = (provider: Record<string, unknown> | undefined, body: Record<string, unknown>): boolean =>
  provider !== undefined &&
  provider.name === body.name &&
  (provider.disabled === true) === (body.disabled === true) &&
  deepEqual(provider.configuration ?? {}, body.configuration ?? {});

/** Whether what Auth0 holds now shows the write carried out; with the created Action's id. */
async function look(api: ManagementApi, write: PhoneWrite): Promise<{ seen: Seen; actionId?: string }> {
  switch (write.kind) {
    case 'create-action': {
      const made = (await api.listTriggerActions(TRIGGER_ID)).find((action) => action.name === write.body.name && action.code === write.body.code);
      return made === undefined ? { seen: 'old' } : { seen: 'applied', actionId: made.id };
    }
    case 'update-action':
      return { seen: (await api.getAction(write.id)).code === write.body.code ? 'applied' : 'old' };
    case 'deploy-action':
      return { seen: isDeployed(await api.getAction(write.id)) ? 'applied' : 'old' };
    case 'delete-action':
      return { seen: (await api.listTriggerActions(TRIGGER_ID)).some((action) => action.id === write.id) ? 'old' : 'applied' };
    case 'bind': {
      const ids = (await api.listBindings(TRIGGER_ID)).map((binding) => binding.action.id);
      return { seen: deepEqual(ids, write.bindings.map((binding) => binding.ref.value)) ? 'applied' : 'old' };
    }
    case 'create-provider':
    case 'update-provider': {
      const provider = (await api.listPhoneProviders())[0] as Record<string, unknown> | undefined;
      return { seen: providerHolds(provider, write.body) ? 'applied' : 'old' };
    }
    case 'delete-provider':
      return { seen: (await api.listPhoneProviders()).some((provider) => provider.id === write.id) ? 'old' : 'applied' };
  }
}

/**
 * Sends a write. When its answer is lost (timeout, reset, 5xx), nothing is claimed without
 * evidence: Auth0's state is read, more than once and with waits; a write seen carried out
 * counts as done; the old state seen by the latest read gets the same write once more (each
 * of these writes is idempotent: same body, same target); otherwise the outcome is unknown
 * and the error says so. Returns the id of the Action a create made.
 */
export async function sendSettled(api: ManagementApi, write: PhoneWrite, runner: StepRunner): Promise<string | undefined> {
  for (let sends = 1; ; sends++) {
    try {
      return await send(api, write, runner);
    } catch (error) {
      if (!(error instanceof CliError) || !error.answerLost) throw error;
      let actionId: string | undefined;
      const seen = await observeAfterLostAnswer(
        async () => {
          const result = await look(api, write);
          actionId = result.actionId;
          return result.seen;
        },
        runner.settleWaitsMs,
        runner.sleep,
      );
      if (seen === 'applied') return actionId;
      if (seen === 'old' && sends < 2) continue;
      // The reads show the lost write had not landed by then, not that it never will.
      const outcome =
        seen === 'old'
          ? `${error.message}, twice; the last read still showed it not carried out by then, but a write whose answer was lost may still land`
          : `${error.message}, and no read since shows whether Auth0 carried it out: the outcome is unknown`;
      throw new CliError(error.exitCode, outcome, { hint: error.hint, cause: error, answerLost: true, outcomeUnknown: true });
    }
  }
}
