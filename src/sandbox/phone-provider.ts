/**
 * The tenant's phone provider, /api/v2/branding/phone/providers
 * (https://auth0.com/docs/api/management/v2/branding/get-branding-phone-providers and the pages next to
 * it). One per tenant: "You can only configure one phone provider for all SMS and voice
 * communications per tenant"
 * (https://registry.terraform.io/providers/auth0/auth0/latest/docs/resources/phone_provider).
 * Request schemas are CreateBrandingPhoneProviderRequestContent / UpdateBrandingPhoneProviderRequestContent
 * with Twilio's or the custom provider's configuration and credentials; responses never carry
 * the credentials (the list shows `"credentials": null`), as in go-auth0's recordings of a live
 * tenant (https://github.com/auth0/go-auth0/tree/v1.45.0/test/data/recordings, TestBrandingManager_*).
 */
import { PHONE_TRIGGER, type ActionStore } from './actions.js';
import type { ApiResult } from './connections.js';
import { now, PHONE_PROVIDER_ID, phoneProviderId } from './ids.js';
import { apiError, payloadError, ReplyError, routeNotFound, type Reply } from './replies.js';
import type { PhoneDeliveryMethod, PhoneProviderSeed, SandboxPhoneProvider } from './types.js';
import {
  checkEnum,
  checkNoExtraKeys,
  checkQuery,
  checkRequired,
  checkString,
  checkType,
  pathParam,
  readBoolean,
  readObjectBody,
  requireScope,
  type ApiRequest,
} from './validation.js';

const NAMES = ['twilio', 'custom'] as const;
const DELIVERY_METHODS = ['text', 'voice'];

/** The real 404 body (go-auth0's TestBrandingManager_DeletePhoneProvider recording). */
const notFound = (): Reply => apiError(404, 'Notification Resource not found');
/** What Auth0 answers a Twilio provider without `default_from` (terraform-provider-auth0's phone provider test recording). */
const badOperation = (): Reply => apiError(400, 'Bad Operation on Notification Resource');
/**
 * "If no Action is deployed and you try to configure a `custom` provider, Auth0 will return an
 * error with "errorCode":"custom_email_provider_deployed_action_not_found"" (the word "email" is
 * Auth0's, on its phone page:
 * https://auth0.com/docs/customize/phone-messages/configure-phone-messaging-providers/configure-a-custom-phone-provider).
 */
const noDeployedAction = (): Reply =>
  apiError(
    400,
    'A custom phone provider needs a deployed Action for the custom-phone-provider trigger: create and deploy one first.',
    'custom_email_provider_deployed_action_not_found',
  );

export interface PhoneTest {
  to: string;
  deliveryMethod: PhoneDeliveryMethod;
}

export interface PhoneProviderDeps {
  actions: ActionStore;
  /** The tenant's name in responses (`tenant`). */
  tenant: () => string;
  /** Starts sending a test message in the background (…/try answers before it is sent). */
  sendTest: (test: PhoneTest) => void;
}

export class PhoneProviderStore {
  readonly #initial: SandboxPhoneProvider | undefined;
  #current: SandboxPhoneProvider | undefined;

  constructor(seed: PhoneProviderSeed | undefined) {
    this.#initial = seed === undefined ? undefined : providerFromSeed(seed);
    this.reset();
  }

  reset(): void {
    this.#current = this.#initial === undefined ? undefined : structuredClone(this.#initial);
  }

  get(): SandboxPhoneProvider | undefined {
    return this.#current;
  }

  handle(request: ApiRequest, deps: PhoneProviderDeps): ApiResult {
    try {
      return this.#route(request, deps);
    } catch (error) {
      if (error instanceof ReplyError) return error.reply;
      throw error;
    }
  }

  #route(request: ApiRequest, deps: PhoneProviderDeps): Reply {
    const { method, path } = request;
    if (path === '/api/v2/branding/phone/providers') {
      if (method === 'GET') return this.#list(request, deps);
      if (method === 'POST') return this.#create(request, deps);
      return routeNotFound();
    }
    const match = /^\/api\/v2\/branding\/phone\/providers\/([^/]+)(\/try)?$/.exec(path);
    if (match?.[1] === undefined) return routeNotFound();
    const id = pathParam(match[1]);
    if (match[2] !== undefined) return method === 'POST' ? this.#try(request, deps, id) : routeNotFound();
    if (method === 'GET') return this.#get(request, deps, id);
    if (method === 'PATCH') return this.#update(request, deps, id);
    if (method === 'DELETE') return this.#delete(request, id);
    return routeNotFound();
  }

  #list(request: ApiRequest, deps: PhoneProviderDeps): Reply {
    requireScope(request, 'read:phone_providers');
    checkQuery(request.query, { disabled: 'boolean' });
    const disabled = readBoolean(request.query, 'disabled');
    const current = this.#current;
    const providers = current === undefined || (disabled !== undefined && current.disabled !== disabled) ? [] : [{ ...present(current, deps), credentials: null }];
    return { status: 200, body: { providers } };
  }

  #create(request: ApiRequest, deps: PhoneProviderDeps): Reply {
    requireScope(request, 'create:phone_providers');
    checkQuery(request.query, {});
    // CreateBrandingPhoneProviderRequestContent allows additional properties; they are not kept.
    const body = readObjectBody(request.body, undefined);
    checkRequired(body, ['name', 'credentials'], undefined);
    checkEnum(body.name, 'name', NAMES);
    const name = body.name as SandboxPhoneProvider['name'];
    if (body.disabled !== undefined) checkType(body.disabled, 'disabled', 'boolean');
    const configuration = body.configuration === undefined ? undefined : checkConfiguration(name, body.configuration);
    const credentials = checkCredentials(name, body.credentials);
    if (name === 'twilio') {
      if (configuration === undefined || !('sid' in configuration) || !('delivery_methods' in configuration) || !('default_from' in configuration)) {
        throw new ReplyError(badOperation());
      }
      if (!('auth_token' in credentials)) throw new ReplyError(payloadError('Missing required property: auth_token', 'credentials'));
    }
    if (this.#current !== undefined) throw new ReplyError(apiError(409, 'Custom phone provider conflict.'));
    if (name === 'custom' && !deps.actions.hasDeployed(PHONE_TRIGGER)) throw new ReplyError(noDeployedAction());
    const at = now();
    this.#current = {
      id: phoneProviderId(),
      name,
      disabled: body.disabled === true,
      configuration: configuration ?? { delivery_methods: ['text'] },
      credentials,
      created_at: at,
      updated_at: at,
    };
    return { status: 201, body: present(this.#current, deps) };
  }

  #get(request: ApiRequest, deps: PhoneProviderDeps, id: string): Reply {
    requireScope(request, 'read:phone_providers');
    checkQuery(request.query, {});
    return { status: 200, body: present(this.#require(id), deps) };
  }

  #update(request: ApiRequest, deps: PhoneProviderDeps, id: string): Reply {
    requireScope(request, 'update:phone_providers');
    checkQuery(request.query, {});
    // UpdateBrandingPhoneProviderRequestContent: additionalProperties false, minProperties 1.
    const body = readObjectBody(request.body, ['name', 'disabled', 'credentials', 'configuration'], 1);
    if (body.name !== undefined) checkEnum(body.name, 'name', NAMES);
    if (body.disabled !== undefined) checkType(body.disabled, 'disabled', 'boolean');
    const current = this.#require(id);
    const name = (body.name as SandboxPhoneProvider['name'] | undefined) ?? current.name;
    const configuration = body.configuration === undefined ? current.configuration : checkConfiguration(name, body.configuration);
    const credentials = body.credentials === undefined ? current.credentials : checkCredentials(name, body.credentials);
    if (name === 'twilio') {
      if (!('sid' in configuration) || !('delivery_methods' in configuration)) throw new ReplyError(badOperation());
      if (!('auth_token' in credentials)) throw new ReplyError(payloadError('Missing required property: auth_token', 'credentials'));
    }
    if (body.name === 'custom' && !deps.actions.hasDeployed(PHONE_TRIGGER)) throw new ReplyError(noDeployedAction());
    this.#current = {
      ...current,
      name,
      disabled: body.disabled === undefined ? current.disabled : (body.disabled as boolean),
      configuration: structuredClone(configuration),
      credentials: structuredClone(credentials),
      updated_at: now(),
    };
    return { status: 200, body: present(this.#current, deps) };
  }

  #delete(request: ApiRequest, id: string): Reply {
    requireScope(request, 'delete:phone_providers');
    checkQuery(request.query, {});
    this.#require(id);
    this.#current = undefined;
    return { status: 204 };
  }

  #try(request: ApiRequest, deps: PhoneProviderDeps, id: string): Reply {
    requireScope(request, 'create:phone_providers');
    checkQuery(request.query, {});
    // CreatePhoneProviderSendTestRequestContent: { to: 1–16 characters, delivery_method? }, nothing else.
    const body = readObjectBody(request.body, ['to', 'delivery_method']);
    checkRequired(body, ['to'], undefined);
    checkString(body.to, 'to', 1, 16);
    if (body.delivery_method !== undefined) checkEnum(body.delivery_method, 'delivery_method', DELIVERY_METHODS);
    this.#require(id);
    deps.sendTest({ to: body.to as string, deliveryMethod: (body.delivery_method as PhoneDeliveryMethod | undefined) ?? 'text' });
    // 202, accepted, not delivered (go-auth0's TestBrandingManager_TryPhoneProvider recording).
    return { status: 202, body: { code: 202, message: 'Test notification successfully sent for processing' } };
  }

  #require(id: string): SandboxPhoneProvider {
    // The path's id: "400 Invalid id for provider." (get-phone-provider).
    if (!PHONE_PROVIDER_ID.test(id)) throw new ReplyError(apiError(400, 'Invalid id for provider.'));
    if (this.#current === undefined || this.#current.id !== id) throw new ReplyError(notFound());
    return this.#current;
  }
}

function present(provider: SandboxPhoneProvider, deps: PhoneProviderDeps): Record<string, unknown> {
  return {
    id: provider.id,
    tenant: deps.tenant(),
    name: provider.name,
    channel: 'phone',
    disabled: provider.disabled,
    configuration: structuredClone(provider.configuration),
    created_at: provider.created_at,
    updated_at: provider.updated_at,
  };
}

/** TwilioProviderConfiguration or CustomProviderConfiguration (both `additionalProperties: false`), by provider name. */
function checkConfiguration(name: SandboxPhoneProvider['name'], value: unknown): Record<string, unknown> {
  checkType(value, 'configuration', 'object');
  const configuration = value as Record<string, unknown>;
  if (name === 'twilio') {
    checkNoExtraKeys(configuration, ['sid', 'default_from', 'mssid', 'delivery_methods'], 'configuration');
    for (const key of ['sid', 'default_from', 'mssid']) if (key in configuration) checkType(configuration[key], `configuration.${key}`, 'string');
  } else {
    checkNoExtraKeys(configuration, ['delivery_methods'], 'configuration');
    checkRequired(configuration, ['delivery_methods'], 'configuration');
  }
  if ('delivery_methods' in configuration) {
    checkType(configuration.delivery_methods, 'configuration.delivery_methods', 'array');
    const methods = configuration.delivery_methods as unknown[];
    if (methods.length < 1) throw new ReplyError(payloadError('Array is too short (0), minimum 1', 'configuration.delivery_methods'));
    methods.forEach((method, index) => checkEnum(method, `configuration.delivery_methods[${index}]`, DELIVERY_METHODS));
  }
  return structuredClone(configuration);
}

/** TwilioProviderCredentials `{ auth_token: 1–255 }` or CustomProviderCredentials `{}`. */
function checkCredentials(name: SandboxPhoneProvider['name'], value: unknown): Record<string, unknown> {
  checkType(value, 'credentials', 'object');
  const credentials = value as Record<string, unknown>;
  if (name === 'twilio') {
    checkNoExtraKeys(credentials, ['auth_token'], 'credentials');
    if ('auth_token' in credentials) checkString(credentials.auth_token, 'credentials.auth_token', 1, 255);
  } else {
    checkNoExtraKeys(credentials, [], 'credentials');
  }
  return structuredClone(credentials);
}

function providerFromSeed(seed: PhoneProviderSeed): SandboxPhoneProvider {
  if (!NAMES.includes(seed.name)) throw new RangeError(`phoneProvider.name must be twilio or custom, got ${String(seed.name)}`);
  const id = seed.id ?? phoneProviderId();
  if (!PHONE_PROVIDER_ID.test(id)) throw new RangeError(`phoneProvider.id must match ${PHONE_PROVIDER_ID}: ${id}`);
  const at = now();
  return {
    id,
    name: seed.name,
    disabled: seed.disabled ?? false,
    configuration: structuredClone(seed.configuration ?? { delivery_methods: ['text'] }),
    credentials: structuredClone(seed.credentials ?? {}),
    created_at: seed.created_at ?? at,
    updated_at: seed.updated_at ?? at,
  };
}
