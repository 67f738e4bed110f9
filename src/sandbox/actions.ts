/**
 * Actions and trigger bindings of the Management API
 * (https://auth0.com/docs/api/management/v2/actions and the pages under it), with
 * the behaviour seen in real traffic (https://github.com/auth0/go-auth0/tree/v1.45.0/test/data/recordings,
 * TestActionManager_*):
 *
 * - POST answers 201 with `status: "pending"`; the build then goes `building` and `built` (or
 *   `failed` when the code does not compile) on its own. PATCH starts it over.
 * - Secret values are write-only: responses list `{ name, updated_at }`. A PATCH with `secrets`
 *   replaces the whole array; without it the secrets stay.
 * - POST …/deploy makes a new immutable version of the built draft and answers it with
 *   `deployed: false` (the deploy completes right after, as a later GET shows); with
 *   `deploy: true` at creation, version 1 is deployed at once and builds with the draft.
 * - PATCH …/triggers/{id}/bindings replaces the whole list; a bound Action must exist, support
 *   the trigger and be deployed ("Trying to create a binding for an action that has not been
 *   deployed yet.", https://github.com/auth0/auth0-deploy-cli/issues/385). `custom-phone-provider`
 *   takes one Action at most
 *   (https://auth0.com/docs/customize/phone-messages/configure-phone-messaging-providers/configure-a-custom-phone-provider).
 */
import { compileError } from './action-runtime.js';
import type { ApiResult } from './connections.js';
import { now, uuid } from './ids.js';
import { apiError, payloadError, ReplyError, routeNotFound, type Reply } from './replies.js';
import type {
  ActionBuildError,
  ActionBuildStatus,
  ActionDependency,
  ActionSecret,
  ActionSeed,
  ActionTriggerRef,
  BindingSeed,
  SandboxAction,
  SandboxActionVersion,
  SandboxBinding,
} from './types.js';
import {
  checkEnum,
  checkNoExtraKeys,
  checkQuery,
  checkRequired,
  checkString,
  checkType,
  pathParam,
  readBoolean,
  readInteger,
  readObjectBody,
  requireScope,
  type ApiRequest,
} from './validation.js';

export const PHONE_TRIGGER = 'custom-phone-provider';

/** ActionTriggerTypeEnum, with the version a new Action gets when it names none. */
const TRIGGER_VERSIONS: Record<string, string> = {
  'post-login': 'v3',
  'credentials-exchange': 'v2',
  'pre-user-registration': 'v2',
  'post-user-registration': 'v2',
  'post-change-password': 'v2',
  'send-phone-message': 'v2',
  'custom-phone-provider': 'v1',
  'custom-email-provider': 'v1',
  'password-reset-post-challenge': 'v1',
  'custom-token-exchange': 'v1',
  'event-stream': 'v1',
  'password-hash-migration': 'v1',
  'login-post-identifier': 'v1',
  'signup-post-identifier': 'v1',
};
const TRIGGER_IDS = Object.keys(TRIGGER_VERSIONS);
/** "Tenants cannot manage `entity-bound` bindings" (ActionBindingTypeEnum). */
const ENTITY_BOUND = new Set(['custom-token-exchange']);
/** Triggers that run one Action at most. */
const SINGLE_BINDING = new Set(['custom-phone-provider', 'custom-email-provider']);
const RUNTIMES = ['node18', 'node22'];
const DEFAULT_RUNTIME = 'node22';
/** "code ≤ 100 kB" (https://auth0.com/docs/customize/actions/limitations). */
const MAX_CODE = 100 * 1024;

const CREATE_KEYS = ['name', 'supported_triggers', 'code', 'dependencies', 'runtime', 'secrets', 'modules', 'deploy'];
const UPDATE_KEYS = ['name', 'supported_triggers', 'code', 'dependencies', 'runtime', 'secrets', 'modules'];
const TRIGGER_KEYS = ['id', 'version', 'status', 'runtimes', 'default_runtime', 'compatible_triggers', 'binding_policy'];

interface Buildable {
  status: ActionBuildStatus;
  errors?: ActionBuildError[];
  built_at?: string;
  updated_at: string;
}

export interface ActionStoreOptions {
  buildMs: number;
  /** When set, every build after the start fails with this reason. */
  buildFailure?: string | undefined;
  /** Hands each build's completion to the sandbox's idle() bookkeeping. */
  track: (done: Promise<void>) => void;
}

/** The deployed code and secrets the runtime needs. */
export interface DeployedAction {
  action: SandboxAction;
  version: SandboxActionVersion;
}

export class ActionStore {
  readonly #seedActions: ActionSeed[];
  readonly #seedBindings: Record<string, BindingSeed[]>;
  readonly #options: ActionStoreOptions;
  #actions: SandboxAction[] = [];
  #bindings = new Map<string, SandboxBinding[]>();
  /** Pending build timers and the promises idle() waits on. */
  #builds = new Map<Buildable, { timer: ReturnType<typeof setTimeout>; finish: () => void }>();

  constructor(actions: readonly ActionSeed[], bindings: Record<string, BindingSeed[]>, options: ActionStoreOptions) {
    if (!(Number.isFinite(options.buildMs) && options.buildMs >= 0)) throw new RangeError(`actionBuildMs must be >= 0, got ${options.buildMs}`);
    this.#seedActions = structuredClone([...actions]);
    this.#seedBindings = structuredClone(bindings);
    this.#options = options;
    this.reset();
  }

  reset(): void {
    this.cancelBuilds();
    this.#actions = this.#seedActions.map((seed) => actionFromSeed(seed));
    const ids = new Set<string>();
    for (const action of this.#actions) {
      if (ids.has(action.id)) throw new RangeError(`duplicate action id: ${action.id}`);
      if (this.#actions.filter((other) => other.name === action.name).length > 1) throw new RangeError(`duplicate action name: ${action.name}`);
      ids.add(action.id);
    }
    this.#bindings = new Map();
    for (const [trigger, seeds] of Object.entries(this.#seedBindings)) {
      if (!TRIGGER_IDS.includes(trigger)) throw new RangeError(`bindings: unknown trigger ${trigger}`);
      if (SINGLE_BINDING.has(trigger) && seeds.length > 1) throw new RangeError(`bindings: ${trigger} takes one Action at most`);
      const at = now();
      this.#bindings.set(
        trigger,
        seeds.map((seed) => {
          const action = this.#find(seed.action);
          if (action === undefined) throw new RangeError(`bindings: no action ${seed.action}`);
          if (deployedVersion(action) === undefined) throw new RangeError(`bindings: action ${action.name} is not deployed`);
          if (!action.supported_triggers.some((t) => t.id === trigger)) throw new RangeError(`bindings: action ${action.name} does not support ${trigger}`);
          return { id: uuid(), trigger_id: trigger, display_name: seed.display_name ?? action.name, action_id: action.id, created_at: at, updated_at: at };
        }),
      );
    }
  }

  /** Stops every pending build (reset, close); what waited on them is released. */
  cancelBuilds(): void {
    for (const { timer, finish } of this.#builds.values()) {
      clearTimeout(timer);
      finish();
    }
    this.#builds.clear();
  }

  all(): readonly SandboxAction[] {
    return this.#actions;
  }

  bindings(trigger: string): readonly SandboxBinding[] {
    return this.#bindings.get(trigger) ?? [];
  }

  /** Whether some Action for `trigger` has a deployed version (what a `custom` phone provider needs). */
  hasDeployed(trigger: string): boolean {
    return this.#actions.some((action) => action.supported_triggers.some((t) => t.id === trigger) && deployedVersion(action) !== undefined);
  }

  /** The deployed version of the Action bound (first) to `trigger`. */
  boundDeployed(trigger: string): DeployedAction | undefined {
    const binding = this.bindings(trigger)[0];
    const action = binding === undefined ? undefined : this.#actions.find((a) => a.id === binding.action_id);
    const version = action === undefined ? undefined : deployedVersion(action);
    return action === undefined || version === undefined ? undefined : { action, version };
  }

  handle(request: ApiRequest): ApiResult {
    try {
      return this.#route(request);
    } catch (error) {
      if (error instanceof ReplyError) return error.reply;
      throw error;
    }
  }

  #route(request: ApiRequest): Reply {
    const { method, path } = request;
    if (path === '/api/v2/actions/actions') {
      if (method === 'GET') return this.#list(request);
      if (method === 'POST') return this.#create(request);
      return routeNotFound();
    }
    if (path === '/api/v2/actions/triggers') return method === 'GET' ? this.#triggers(request) : routeNotFound();
    const bindings = /^\/api\/v2\/actions\/triggers\/([^/]+)\/bindings$/.exec(path);
    if (bindings?.[1] !== undefined) {
      if (method === 'GET') return this.#listBindings(request, pathParam(bindings[1]));
      if (method === 'PATCH') return this.#updateBindings(request, pathParam(bindings[1]));
      return routeNotFound();
    }
    const match = /^\/api\/v2\/actions\/actions\/([^/]+)(?:\/(deploy|versions)(?:\/([^/]+))?)?$/.exec(path);
    const id = match?.[1] === undefined ? undefined : pathParam(match[1]);
    if (match === null || id === undefined) return routeNotFound();
    const [, , sub, versionId] = match;
    if (sub === undefined) {
      if (method === 'GET') return this.#get(request, id);
      if (method === 'PATCH') return this.#update(request, id);
      if (method === 'DELETE') return this.#delete(request, id);
    } else if (sub === 'deploy' && versionId === undefined && method === 'POST') {
      return this.#deploy(request, id);
    } else if (sub === 'versions' && method === 'GET') {
      return versionId === undefined ? this.#listVersions(request, id) : this.#getVersion(request, id, pathParam(versionId));
    }
    return routeNotFound();
  }

  #list(request: ApiRequest): Reply {
    requireScope(request, 'read:actions');
    const { query } = request;
    checkQuery(query, { triggerId: 'string', actionName: 'string', deployed: 'boolean', installed: 'boolean', page: 'integer', per_page: 'integer' });
    const trigger = query.get('triggerId');
    if (trigger !== null && !TRIGGER_IDS.includes(trigger)) {
      throw new ReplyError(apiError(400, `Query validation error: 'No enum match for: "${trigger}"' on property triggerId (An actions extensibility point).`, 'invalid_query_string'));
    }
    const name = query.get('actionName');
    const deployed = readBoolean(query, 'deployed');
    // Every sandbox Action is a custom one, none comes from the Marketplace.
    const installed = readBoolean(query, 'installed');
    const { page, perPage } = paging(query);
    const matching = this.#actions.filter(
      (action) =>
        (trigger === null || action.supported_triggers.some((t) => t.id === trigger)) &&
        (name === null || action.name === name) &&
        (deployed !== true || deployedVersion(action) !== undefined) &&
        installed !== true,
    );
    const actions = matching.slice(page * perPage, page * perPage + perPage).map((action) => presentAction(action));
    return { status: 200, body: { actions, total: matching.length, page, per_page: perPage } };
  }

  #create(request: ApiRequest): Reply {
    requireScope(request, 'create:actions');
    checkQuery(request.query, {});
    const body = readObjectBody(request.body, CREATE_KEYS);
    checkRequired(body, ['name', 'supported_triggers'], undefined);
    const fields = readActionFields(body);
    if (body.deploy !== undefined) checkType(body.deploy, 'deploy', 'boolean');
    const name = fields.name as string;
    if (this.#actions.some((action) => action.name === name)) throw new ReplyError(nameConflict(name));
    const at = now();
    const action: SandboxAction = {
      id: uuid(),
      name,
      supported_triggers: fields.supported_triggers as ActionTriggerRef[],
      code: fields.code ?? '',
      dependencies: fields.dependencies ?? [],
      runtime: fields.runtime ?? DEFAULT_RUNTIME,
      secrets: (fields.secrets ?? []).map((secret) => ({ name: secret.name, value: secret.value ?? '', updated_at: at })),
      status: 'pending',
      all_changes_deployed: false,
      created_at: at,
      updated_at: at,
      versions: [],
    };
    this.#actions.push(action);
    this.#build(action, action.code);
    if (body.deploy === true) {
      const version = newVersion(action, at);
      version.status = 'pending';
      action.versions.push(version);
      this.#activate(action, version);
      action.all_changes_deployed = true;
      this.#build(version, version.code);
    }
    return { status: 201, body: presentAction(action) };
  }

  #get(request: ApiRequest, id: string): Reply {
    requireScope(request, 'read:actions');
    checkQuery(request.query, {});
    return { status: 200, body: presentAction(this.#require(id)) };
  }

  #update(request: ApiRequest, id: string): Reply {
    requireScope(request, 'update:actions');
    checkQuery(request.query, {});
    const body = readObjectBody(request.body, UPDATE_KEYS);
    const fields = readActionFields(body);
    const action = this.#require(id);
    if (fields.name !== undefined && fields.name !== action.name && this.#actions.some((other) => other.name === fields.name)) {
      throw new ReplyError(nameConflict(fields.name));
    }
    if (fields.supported_triggers !== undefined) {
      const bound = [...this.#bindings.entries()].filter(([, list]) => list.some((b) => b.action_id === action.id)).map(([trigger]) => trigger);
      // "400 Bad Request: can't upgrade to this trigger." for a bound Action (https://github.com/auth0/auth0-cli/issues/462).
      if (bound.some((trigger) => !fields.supported_triggers?.some((t) => t.id === trigger))) {
        throw new ReplyError(apiError(400, "can't upgrade to this trigger."));
      }
    }
    const at = now();
    let secrets = action.secrets;
    if (fields.secrets !== undefined) {
      // "Each PATCH call replaces the entire secrets array": an entry without a value keeps the value it had.
      secrets = fields.secrets.map((secret, index) => {
        if (secret.value !== undefined) return { name: secret.name, value: secret.value, updated_at: at };
        const kept = action.secrets.find((old) => old.name === secret.name);
        if (kept === undefined) throw new ReplyError(payloadError('Missing required property: value', `secrets[${index}]`));
        return { ...kept };
      });
    }
    Object.assign(action, {
      ...(fields.name === undefined ? {} : { name: fields.name }),
      ...(fields.supported_triggers === undefined ? {} : { supported_triggers: fields.supported_triggers }),
      ...(fields.code === undefined ? {} : { code: fields.code }),
      ...(fields.dependencies === undefined ? {} : { dependencies: fields.dependencies }),
      ...(fields.runtime === undefined ? {} : { runtime: fields.runtime }),
      secrets,
      updated_at: at,
      all_changes_deployed: false,
    });
    // Editing a bound Action changes nothing live until it is deployed (patch-action); its draft builds again.
    this.#build(action, action.code);
    return { status: 200, body: presentAction(action) };
  }

  #delete(request: ApiRequest, id: string): Reply {
    requireScope(request, 'delete:actions');
    checkQuery(request.query, { force: 'boolean' });
    const force = readBoolean(request.query, 'force') ?? false;
    const action = this.#require(id);
    const bound = [...this.#bindings.values()].some((list) => list.some((binding) => binding.action_id === action.id));
    if (bound && !force) {
      // "An action must be unbound from all triggers before it can be deleted" (delete-action); force detaches.
      throw new ReplyError(apiError(400, 'An action must be unbound from all triggers before it can be deleted. Use force=true to delete it along with its bindings.'));
    }
    for (const [trigger, list] of this.#bindings) this.#bindings.set(trigger, list.filter((binding) => binding.action_id !== action.id));
    this.#actions = this.#actions.filter((other) => other.id !== action.id);
    this.#cancel(action);
    for (const version of action.versions) this.#cancel(version);
    return { status: 204 };
  }

  #deploy(request: ApiRequest, id: string): Reply {
    requireScope(request, 'create:actions');
    checkQuery(request.query, {});
    const action = this.#require(id);
    if (action.status !== 'built') {
      throw new ReplyError(apiError(400, `The action cannot be deployed until its build has completed (status: ${action.status}).`));
    }
    const version = newVersion(action, now());
    version.built_at = action.built_at ?? version.created_at;
    action.versions.push(version);
    const answer = presentVersion(action, version, { withAction: true });
    this.#activate(action, version);
    action.all_changes_deployed = true;
    // Real traffic answers the new version with `deployed: false`; it is deployed right after.
    return { status: 200, body: { ...answer, deployed: false } };
  }

  #listVersions(request: ApiRequest, id: string): Reply {
    requireScope(request, 'read:actions');
    checkQuery(request.query, { page: 'integer', per_page: 'integer' });
    const action = this.#require(id);
    const { page, perPage } = paging(request.query);
    const newest = [...action.versions].reverse();
    const versions = newest.slice(page * perPage, page * perPage + perPage).map((version) => presentVersion(action, version, { withAction: true }));
    return { status: 200, body: { versions, total: newest.length, page, per_page: perPage } };
  }

  #getVersion(request: ApiRequest, id: string, versionId: string): Reply {
    requireScope(request, 'read:actions');
    checkQuery(request.query, {});
    const action = this.#require(id);
    const version = action.versions.find((v) => v.id === versionId);
    if (version === undefined) throw new ReplyError(apiError(404, 'That action version does not exist.'));
    return { status: 200, body: presentVersion(action, version, { withAction: true }) };
  }

  #triggers(request: ApiRequest): Reply {
    requireScope(request, 'read:actions');
    checkQuery(request.query, {});
    const triggers = Object.entries(TRIGGER_VERSIONS).map(([id, version]) => ({
      id,
      version,
      status: 'CURRENT',
      runtimes: [...RUNTIMES],
      default_runtime: DEFAULT_RUNTIME,
      compatible_triggers: [],
      binding_policy: ENTITY_BOUND.has(id) ? 'entity-bound' : 'trigger-bound',
    }));
    return { status: 200, body: { triggers } };
  }

  #listBindings(request: ApiRequest, trigger: string): Reply {
    requireScope(request, 'read:actions');
    checkTrigger(trigger);
    checkQuery(request.query, { page: 'integer', per_page: 'integer' });
    // https://github.com/auth0/auth0-deploy-cli/issues/988
    if (ENTITY_BOUND.has(trigger)) throw new ReplyError(apiError(400, 'cannot list action bindings for an entity-bound trigger'));
    const { page, perPage } = paging(request.query);
    const all = this.bindings(trigger);
    const bindings = all.slice(page * perPage, page * perPage + perPage).map((binding) => this.#presentBinding(binding));
    return { status: 200, body: { bindings, total: all.length, page, per_page: perPage } };
  }

  #updateBindings(request: ApiRequest, trigger: string): Reply {
    requireScope(request, 'update:actions');
    checkTrigger(trigger);
    checkQuery(request.query, {});
    if (ENTITY_BOUND.has(trigger)) throw new ReplyError(apiError(400, 'cannot update action bindings for an entity-bound trigger'));
    const body = readObjectBody(request.body, ['bindings']);
    const items = body.bindings ?? [];
    checkType(items, 'bindings', 'array');
    const current = this.bindings(trigger);
    const at = now();
    const next = (items as unknown[]).map((item, index): SandboxBinding => {
      const property = `bindings[${index}]`;
      checkType(item, property, 'object');
      const entry = item as Record<string, unknown>;
      checkNoExtraKeys(entry, ['ref', 'display_name', 'secrets'], property);
      checkRequired(entry, ['ref'], property);
      checkType(entry.ref, `${property}.ref`, 'object');
      const ref = entry.ref as Record<string, unknown>;
      checkEnum(ref.type, `${property}.ref.type`, ['action_id', 'action_name', 'binding_id']);
      checkString(ref.value, `${property}.ref.value`, 1, 255);
      if (entry.display_name !== undefined) checkString(entry.display_name, `${property}.display_name`, 1, 255);
      const value = ref.value as string;
      let action: SandboxAction | undefined;
      let kept: SandboxBinding | undefined;
      if (ref.type === 'binding_id') {
        kept = current.find((binding) => binding.id === value);
        if (kept === undefined) throw new ReplyError(apiError(400, `That binding does not exist: ${value}`));
        action = this.#actions.find((a) => a.id === kept?.action_id);
      } else {
        action = ref.type === 'action_id' ? this.#actions.find((a) => a.id === value) : this.#actions.find((a) => a.name === value);
        kept = action === undefined ? undefined : current.find((binding) => binding.action_id === action?.id);
      }
      if (action === undefined) throw new ReplyError(apiError(400, `That action does not exist: ${value}`));
      if (!action.supported_triggers.some((t) => t.id === trigger)) {
        throw new ReplyError(apiError(400, `The action ${action.name} does not support the ${trigger} trigger.`));
      }
      if (deployedVersion(action) === undefined) throw new ReplyError(apiError(400, 'Trying to create a binding for an action that has not been deployed yet.'));
      const displayName = typeof entry.display_name === 'string' ? entry.display_name : (kept?.display_name ?? action.name);
      return kept === undefined
        ? { id: uuid(), trigger_id: trigger, display_name: displayName, action_id: action.id, created_at: at, updated_at: at }
        : { ...kept, display_name: displayName, updated_at: at };
    });
    if (SINGLE_BINDING.has(trigger) && next.length > 1) {
      throw new ReplyError(apiError(400, `You can have at most one Action bound to the ${trigger} trigger.`));
    }
    this.#bindings.set(trigger, next);
    return { status: 200, body: { bindings: next.map((binding) => this.#presentBinding(binding)) } };
  }

  #presentBinding(binding: SandboxBinding): Record<string, unknown> {
    const action = this.#actions.find((a) => a.id === binding.action_id);
    return {
      id: binding.id,
      trigger_id: binding.trigger_id,
      display_name: binding.display_name,
      ...(action === undefined ? {} : { action: presentAction(action) }),
      created_at: binding.created_at,
      updated_at: binding.updated_at,
    };
  }

  #find(idOrName: string): SandboxAction | undefined {
    return this.#actions.find((action) => action.id === idOrName) ?? this.#actions.find((action) => action.name === idOrName);
  }

  #require(id: string): SandboxAction {
    const action = this.#actions.find((a) => a.id === id);
    // The body of a real 404 (go-auth0's TestActionManager_Delete recording).
    if (action === undefined) throw new ReplyError(apiError(404, 'That action does not exist.'));
    return action;
  }

  /** Makes `version` the one that runs. */
  #activate(action: SandboxAction, version: SandboxActionVersion): void {
    for (const other of action.versions) other.deployed = other === version;
  }

  /** pending → building → built | failed, in two halves of buildMs; a new build of the same target replaces the old one. */
  #build(target: Buildable, code: string): void {
    this.#cancel(target);
    target.status = 'pending';
    delete target.errors;
    delete target.built_at;
    const half = Math.floor(this.#options.buildMs / 2);
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.#options.track(done);
    const complete = () => {
      this.#builds.delete(target);
      const error = this.#options.buildFailure ?? compileError(code);
      const at = now();
      if (error === undefined) {
        target.status = 'built';
        target.built_at = at;
      } else {
        target.status = 'failed';
        target.errors = [{ id: 'build_failed', msg: error }];
      }
      target.updated_at = at;
      finish();
    };
    const timer = setTimeout(() => {
      target.status = 'building';
      const second = setTimeout(complete, this.#options.buildMs - half);
      this.#builds.set(target, { timer: second, finish });
    }, half);
    this.#builds.set(target, { timer, finish });
  }

  #cancel(target: Buildable): void {
    const pending = this.#builds.get(target);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    pending.finish();
    this.#builds.delete(target);
  }
}

function paging(query: URLSearchParams): { page: number; perPage: number } {
  return { page: readInteger(query, 'page', 0) ?? 0, perPage: readInteger(query, 'per_page', 1, 100) ?? 20 };
}

function checkTrigger(trigger: string): void {
  if (!TRIGGER_IDS.includes(trigger)) {
    throw new ReplyError(apiError(400, `Path validation error: 'No enum match for: "${trigger}"' on property triggerId (An actions extensibility point).`, 'invalid_uri'));
  }
}

const nameConflict = (name: string): Reply => apiError(409, `An action with the name "${name}" already exists.`, 'action_conflict');

interface ActionFields {
  name?: string;
  supported_triggers?: ActionTriggerRef[];
  code?: string;
  dependencies?: ActionDependency[];
  runtime?: string;
  secrets?: Array<{ name: string; value?: string }>;
}

/** The fields CreateActionRequestContent and UpdateActionRequestContent share, checked. */
function readActionFields(body: Record<string, unknown>): ActionFields {
  const fields: ActionFields = {};
  if (body.name !== undefined) {
    checkString(body.name, 'name', 1, 255);
    fields.name = body.name as string;
  }
  if (body.supported_triggers !== undefined) {
    checkType(body.supported_triggers, 'supported_triggers', 'array');
    const triggers = body.supported_triggers as unknown[];
    if (triggers.length < 1) throw new ReplyError(payloadError('Array is too short (0), minimum 1', 'supported_triggers'));
    // "At this time, an action can only target a single trigger at a time" (CreateActionRequestContent).
    if (triggers.length > 1) throw new ReplyError(payloadError(`Array is too long (${triggers.length}), maximum 1`, 'supported_triggers'));
    fields.supported_triggers = triggers.map((item, index) => {
      const property = `supported_triggers[${index}]`;
      checkType(item, property, 'object');
      const trigger = item as Record<string, unknown>;
      checkNoExtraKeys(trigger, TRIGGER_KEYS, property);
      checkRequired(trigger, ['id'], property);
      checkEnum(trigger.id, `${property}.id`, TRIGGER_IDS);
      if (trigger.version !== undefined) checkString(trigger.version, `${property}.version`, 1, 16);
      const id = trigger.id as string;
      return { id, version: typeof trigger.version === 'string' ? trigger.version : (TRIGGER_VERSIONS[id] ?? 'v1') };
    });
  }
  if (body.code !== undefined) {
    checkString(body.code, 'code', 0, MAX_CODE);
    fields.code = body.code as string;
  }
  if (body.dependencies !== undefined) {
    checkType(body.dependencies, 'dependencies', 'array');
    fields.dependencies = (body.dependencies as unknown[]).map((item, index) => {
      const property = `dependencies[${index}]`;
      checkType(item, property, 'object');
      const dependency = item as Record<string, unknown>;
      checkNoExtraKeys(dependency, ['name', 'version', 'registry_url'], property);
      checkRequired(dependency, ['name', 'version'], property);
      checkString(dependency.name, `${property}.name`, 1, 214);
      checkString(dependency.version, `${property}.version`, 1, 255);
      if (dependency.registry_url !== undefined) checkString(dependency.registry_url, `${property}.registry_url`, 1, 255);
      return structuredClone(dependency) as unknown as ActionDependency;
    });
  }
  if (body.runtime !== undefined) {
    checkType(body.runtime, 'runtime', 'string');
    if (!RUNTIMES.includes(body.runtime as string)) {
      // The wording of a real refusal (https://github.com/auth0/terraform-provider-auth0/issues/1339).
      const version = fields.supported_triggers?.[0]?.version ?? 'v1';
      throw new ReplyError(apiError(400, `runtime not supported for version ${version} of this trigger`));
    }
    fields.runtime = body.runtime as string;
  }
  if (body.secrets !== undefined) {
    checkType(body.secrets, 'secrets', 'array');
    const names = new Set<string>();
    fields.secrets = (body.secrets as unknown[]).map((item, index) => {
      const property = `secrets[${index}]`;
      checkType(item, property, 'object');
      const secret = item as Record<string, unknown>;
      checkRequired(secret, ['name'], property);
      // Key ≤ 128 and value ≤ 4096 characters (https://auth0.com/docs/customize/actions/limitations).
      checkString(secret.name, `${property}.name`, 1, 128);
      if (secret.value !== undefined) checkString(secret.value, `${property}.value`, 0, 4096);
      const name = secret.name as string;
      if (names.has(name)) throw new ReplyError(payloadError(`Duplicate secret name: ${name}`, property));
      names.add(name);
      return secret.value === undefined ? { name } : { name, value: secret.value as string };
    });
  }
  if (body.modules !== undefined) checkType(body.modules, 'modules', 'array');
  return fields;
}

function newVersion(action: SandboxAction, at: string): SandboxActionVersion {
  return {
    id: uuid(),
    number: action.versions.length + 1,
    code: action.code,
    dependencies: structuredClone(action.dependencies),
    runtime: action.runtime,
    secrets: structuredClone(action.secrets),
    supported_triggers: structuredClone(action.supported_triggers),
    status: 'built',
    deployed: false,
    created_at: at,
    updated_at: at,
  };
}

export function deployedVersion(action: SandboxAction): SandboxActionVersion | undefined {
  return action.versions.find((version) => version.deployed);
}

/** A seed starts built (or failed) without waiting for a build. */
function actionFromSeed(seed: ActionSeed): SandboxAction {
  const at = now();
  const code = seed.code ?? '';
  const error = compileError(code);
  const action: SandboxAction = {
    id: seed.id ?? uuid(),
    name: seed.name,
    supported_triggers: structuredClone(seed.supported_triggers ?? [{ id: PHONE_TRIGGER, version: 'v1' }]),
    code,
    dependencies: structuredClone(seed.dependencies ?? []),
    runtime: seed.runtime ?? DEFAULT_RUNTIME,
    secrets: (seed.secrets ?? []).map((secret) => ({ name: secret.name, value: secret.value, updated_at: at })),
    status: error === undefined ? 'built' : 'failed',
    ...(error === undefined ? { built_at: at } : { errors: [{ id: 'build_failed', msg: error }] }),
    all_changes_deployed: seed.deployed === true,
    created_at: at,
    updated_at: at,
    versions: [],
  };
  for (const trigger of action.supported_triggers) {
    if (!TRIGGER_IDS.includes(trigger.id)) throw new RangeError(`action ${seed.name}: unknown trigger ${trigger.id}`);
  }
  if (seed.deployed === true) {
    const version = newVersion(action, at);
    version.status = action.status;
    if (error === undefined) version.built_at = at;
    else version.errors = [{ id: 'build_failed', msg: error }];
    version.deployed = true;
    action.versions.push(version);
  }
  return action;
}

const secretNames = (secrets: readonly ActionSecret[]) => secrets.map(({ name, updated_at }) => ({ name, updated_at }));

/** An Action as the API shows it: secret names only, its deployed version inline. */
export function presentAction(action: SandboxAction): Record<string, unknown> {
  const deployed = deployedVersion(action);
  return {
    id: action.id,
    name: action.name,
    supported_triggers: structuredClone(action.supported_triggers),
    created_at: action.created_at,
    updated_at: action.updated_at,
    code: action.code,
    dependencies: structuredClone(action.dependencies),
    runtime: action.runtime,
    status: action.status,
    ...(action.errors === undefined ? {} : { errors: structuredClone(action.errors) }),
    secrets: secretNames(action.secrets),
    ...(deployed === undefined ? {} : { deployed_version: presentVersion(action, deployed, { withAction: false }) }),
    all_changes_deployed: action.all_changes_deployed,
    ...(action.built_at === undefined ? {} : { built_at: action.built_at }),
  };
}

function presentVersion(action: SandboxAction, version: SandboxActionVersion, options: { withAction: boolean }): Record<string, unknown> {
  return {
    id: version.id,
    action_id: action.id,
    code: version.code,
    dependencies: structuredClone(version.dependencies),
    deployed: version.deployed,
    number: version.number,
    secrets: secretNames(version.secrets),
    status: version.status,
    ...(version.errors === undefined ? {} : { errors: structuredClone(version.errors) }),
    runtime: version.runtime,
    supported_triggers: structuredClone(version.supported_triggers),
    created_at: version.created_at,
    updated_at: version.updated_at,
    ...(version.built_at === undefined ? {} : { built_at: version.built_at }),
    ...(options.withAction
      ? {
          action: {
            id: action.id,
            name: action.name,
            supported_triggers: structuredClone(action.supported_triggers),
            created_at: action.created_at,
            updated_at: action.updated_at,
            all_changes_deployed: action.all_changes_deployed,
          },
        }
      : {}),
  };
}
