/**
 * Auth0's sending path for phone messages, played by the sandbox (independently of the tool's
 * own gateway code: the sandbox is the other side).
 *
 * Where a Passwordless SMS code goes, as Auth0 decides it:
 * - through the connection's options (Twilio, or `provider: "sms_gateway"`) when
 *   `options.use_phone_provider` is not on (`true`, `"true"`, `"unified"`,
 *   https://github.com/auth0/terraform-provider-auth0/issues/1549) and either the tenant is on
 *   legacy phone delivery (`phone_consolidated_experience: false`) or the connection still has
 *   legacy settings (`provider`, `twilio_sid` or `gateway_url`);
 * - otherwise through the tenant's phone provider (the Unified Phone Experience, where "The
 *   Unified Phone Experience does not use the custom SMS gateway you configured for Passwordless
 *   SMS": https://auth0.com/docs/customize/phone-messages/unified-phone/unified-phone-experience-passwordless).
 *
 * The legacy gateway call is https://auth0.com/docs/authenticate/passwordless/authentication-methods/use-sms-gateway-passwordless:
 * POST JSON `{ recipient, body, sender }` (+ `req: { ip, user-agent }` with `forward_req_info`),
 * with `gateway_authentication` a bearer HS256 JWT carrying `sub` and `aud`; only HTTP 200 is
 * success, anything else makes /passwordless/start answer 400 `sms_provider_error`, and Auth0
 * waits 30 s. A `custom` phone provider runs the deployed Action bound to `custom-phone-provider`
 * (action-runtime.ts); Auth0 gives the caller no feedback on it: "Auth0 does not provide feedback
 * to the end user on whether a phone message has been sent successfully with the tenant-level
 * provider" (https://auth0.com/docs/customize/phone-messages/unified-phone/configure-unified-phone),
 * so that path answers at once and sends in the background. A `retry` is recorded, not re-run.
 */
import { createHmac } from 'node:crypto';
import { PHONE_TRIGGER, type ActionStore } from './actions.js';
import { runPhoneAction, type ActionCache } from './action-runtime.js';
import { hexId, now, otpCode, uuid } from './ids.js';
import type { OutboundFetch } from './outbound.js';
import type { PhoneProviderStore } from './phone-provider.js';
import { isPlainObject, oauthError, type Reply } from './replies.js';
import { SEED_LOGIN_CLIENT_ID } from './seed.js';
import type { ConnectionStore } from './state.js';
import type { TenantSettingsStore } from './tenant.js';
import type { SandboxConnection, DeliverInput, PhoneDeliveryMethod, PhoneMessage } from './types.js';

/** Lifetime of the gateway JWT (Auth0 does not document it; a short one, so a captured token is soon useless). */
const GATEWAY_TOKEN_SECONDS = 60;
const DEFAULT_TEMPLATE = 'Your verification code is: @@password@@';
const PASSWORDLESS_NEEDS_TEXT =
  'Passwordless connection cannot be made as delivery method (sms/text) is not supported by the configured Tenant phone provider';

export interface DeliveryDeps {
  connections: ConnectionStore;
  tenant: TenantSettingsStore;
  provider: PhoneProviderStore;
  actions: ActionStore;
  cache: ActionCache;
  fetch: OutboundFetch;
  actionTimeoutMs: number;
  actionTimeScale: number;
  gatewayTimeoutMs: number;
  /** The tenant's domain (event.request.hostname). */
  domain: () => string;
  /** Aborted when the sandbox closes. */
  closed: AbortSignal;
  /** Hands background work to the sandbox's idle() bookkeeping. */
  track: (done: Promise<unknown>) => void;
}

interface Outgoing {
  to: string;
  deliveryMethod: PhoneDeliveryMethod;
  messageType: NonNullable<DeliverInput['messageType']>;
  code: string;
  from?: string;
  ip: string;
  userAgent?: string;
  language?: string;
  clientId: string;
  connection?: SandboxConnection;
}

export interface PasswordlessRequest {
  params: Record<string, unknown>;
  ip: string;
  userAgent?: string;
  language?: string;
}

export class PhoneDelivery {
  readonly messages: PhoneMessage[] = [];
  readonly #deps: DeliveryDeps;
  /** Bumped by reset(): a message still being sent from before is not recorded. */
  #generation = 0;

  constructor(deps: DeliveryDeps) {
    this.#deps = deps;
  }

  reset(): void {
    this.#generation += 1;
    this.messages.length = 0;
  }

  /** Sandbox.deliver(). */
  async deliver(input: DeliverInput): Promise<PhoneMessage> {
    let connection: SandboxConnection | undefined;
    if (input.connection !== undefined) {
      connection = this.#deps.connections.find(input.connection);
      if (connection === undefined) throw new RangeError(`deliver: no connection ${input.connection}`);
      if (connection.strategy !== 'sms') throw new RangeError(`deliver: ${connection.name} is not an SMS connection`);
    }
    const message: Outgoing = {
      to: input.to,
      deliveryMethod: input.deliveryMethod ?? 'text',
      messageType: input.messageType ?? 'otp_verify',
      code: input.code ?? otpCode(codeLength(connection)),
      ip: input.ip ?? '127.0.0.1',
      clientId: SEED_LOGIN_CLIENT_ID,
      ...(input.from === undefined ? {} : { from: input.from }),
      ...(input.userAgent === undefined ? {} : { userAgent: input.userAgent }),
      ...(connection === undefined ? {} : { connection }),
    };
    const generation = this.#generation;
    const record = connection !== undefined && this.#usesConnectionOptions(connection) ? await this.#legacy(message, connection) : await this.#viaProvider(message);
    return this.#record(record, generation);
  }

  /** …/providers/{id}/try: a test message through the provider, in the background. */
  sendTest(to: string, deliveryMethod: PhoneDeliveryMethod): void {
    const generation = this.#generation;
    const message: Outgoing = { to, deliveryMethod, messageType: 'otp_verify', code: otpCode(), ip: '127.0.0.1', clientId: SEED_LOGIN_CLIENT_ID };
    this.#background(this.#viaProvider(message), generation);
  }

  /** POST /passwordless/start for `connection` = an SMS connection (https://auth0.com/docs/api/authentication#get-code-or-link). */
  async passwordlessStart(request: PasswordlessRequest): Promise<Reply> {
    const { params } = request;
    const clientId = text(params.client_id);
    if (clientId === undefined) return oauthError(400, 'invalid_request', 'Missing required parameter: client_id');
    const name = text(params.connection);
    if (name === undefined) return oauthError(400, 'invalid_request', 'Missing required parameter: connection');
    // The answer to an unknown connection (https://github.com/auth0/auth0.js/issues/1184).
    const connection = this.#deps.connections.all().find((c) => c.name === name);
    if (connection === undefined) return oauthError(400, 'bad.connection', 'Connection does not exist');
    if (!(connection.enabled_clients ?? []).includes(clientId)) return oauthError(400, 'bad.connection', 'Connection is not enabled for this client');
    if (connection.strategy !== 'sms') return oauthError(400, 'invalid_request', 'The sandbox sends Passwordless codes by SMS only (connection strategy sms)');
    const phone = text(params.phone_number);
    if (phone === undefined) return oauthError(400, 'invalid_request', 'Missing required parameter: phone_number');
    const send = params.send;
    if (send !== undefined && send !== 'code' && send !== 'link') return oauthError(400, 'invalid_request', 'send must be "code" or "link"');

    const message: Outgoing = {
      to: phone,
      deliveryMethod: 'text',
      messageType: 'otp_verify',
      code: otpCode(codeLength(connection)),
      ip: request.ip,
      clientId,
      connection,
      ...(request.userAgent === undefined ? {} : { userAgent: request.userAgent }),
      ...(request.language === undefined ? {} : { language: request.language }),
    };
    const generation = this.#generation;
    const ok: Reply = { status: 200, body: { _id: hexId(), phone_number: phone, ...(request.language === undefined ? {} : { request_language: request.language }) } };

    if (this.#usesConnectionOptions(connection)) {
      const record = this.#record(await this.#legacy(message, connection), generation);
      return record.outcome === 'delivered' ? ok : oauthError(400, 'sms_provider_error', record.reason ?? 'SMS provider error');
    }
    const refusal = this.#providerRefusal(message);
    if (refusal !== undefined) {
      const record = this.#record(refusal, generation);
      return oauthError(400, 'sms_provider_error', record.reason ?? 'No phone provider');
    }
    this.#background(this.#viaProvider(message), generation);
    return ok;
  }

  #usesConnectionOptions(connection: SandboxConnection): boolean {
    const options = connection.options ?? {};
    const flag = options.use_phone_provider;
    if (flag === true || flag === 'true' || flag === 'unified') return false;
    if (this.#deps.tenant.phoneConsolidatedExperience() === false) return true;
    return 'provider' in options || 'twilio_sid' in options || 'gateway_url' in options;
  }

  #background(work: Promise<PhoneMessage>, generation: number): void {
    this.#deps.track(work.then((record) => this.#record(record, generation)));
  }

  #record(record: PhoneMessage, generation: number): PhoneMessage {
    if (generation === this.#generation) this.messages.push(record);
    return record;
  }

  async #legacy(message: Outgoing, connection: SandboxConnection): Promise<PhoneMessage> {
    const options = connection.options ?? {};
    const body = renderTemplate(options, message.code);
    const base = { at: Date.now(), connection: connection.name, to: message.to, text: body, logs: [] };
    if (options.provider !== 'sms_gateway') return { ...base, via: 'twilio', outcome: 'delivered' }; // Twilio: pretend it went out
    const url = typeof options.gateway_url === 'string' ? options.gateway_url : undefined;
    if (url === undefined) return { ...base, via: 'gateway', outcome: 'failed', reason: 'The connection has no gateway_url' };

    const forward = options.forward_req_info === true || options.forward_req_info === 'true';
    const payload = {
      recipient: message.to,
      body,
      ...(typeof options.from === 'string' ? { sender: options.from } : {}),
      ...(forward ? { req: { ip: message.ip, ...(message.userAgent === undefined ? {} : { 'user-agent': message.userAgent }) } } : {}),
    };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const auth = options.gateway_authentication;
    if (isPlainObject(auth) && typeof auth.secret === 'string') headers.authorization = `Bearer ${gatewayToken(auth)}`;
    const timeout = AbortSignal.timeout(this.#deps.gatewayTimeoutMs);
    try {
      const response = await this.#deps.fetch(url, { method: 'POST', headers, body: JSON.stringify(payload), signal: AbortSignal.any([timeout, this.#deps.closed]) });
      const status = response.status;
      // "Auth0 will only consider the HTTP code returned from the SMS Gateway"; only 200 is success.
      if (status === 200) return { ...base, via: 'gateway', outcome: 'delivered', status };
      const reason = status === 401 ? 'Authentication failed while calling the SMS gateway: 401' : `Unexpected response while calling the SMS gateway: ${status}`;
      return { ...base, via: 'gateway', outcome: 'failed', reason, status };
    } catch (error) {
      if (timeout.aborted) return { ...base, via: 'gateway', outcome: 'failed', reason: 'Timeout while calling the SMS gateway' };
      return { ...base, via: 'gateway', outcome: 'failed', reason: `Unexpected error while calling the SMS gateway: ${networkCause(error)}` };
    }
  }

  /** The record of a message the tenant's phone provider cannot take, or undefined when it can. */
  #providerRefusal(message: Outgoing): PhoneMessage | undefined {
    const base = this.#providerBase(message, 'none');
    const provider = this.#deps.provider.get();
    if (provider === undefined) return { ...base, outcome: 'error', reason: 'No phone provider configured for the tenant' };
    if (provider.disabled) return { ...base, outcome: 'error', reason: 'The tenant phone provider is disabled' };
    const methods = provider.configuration.delivery_methods;
    if (!Array.isArray(methods) || !methods.includes(message.deliveryMethod)) {
      return {
        ...base,
        outcome: 'error',
        reason: message.connection !== undefined ? PASSWORDLESS_NEEDS_TEXT : `The tenant phone provider does not deliver by ${message.deliveryMethod}`,
      };
    }
    return undefined;
  }

  async #viaProvider(message: Outgoing): Promise<PhoneMessage> {
    const refusal = this.#providerRefusal(message);
    if (refusal !== undefined) return refusal;
    const provider = this.#deps.provider.get();
    if (provider?.name === 'twilio') return { ...this.#providerBase(message, 'twilio'), outcome: 'delivered' };

    const base = this.#providerBase(message, 'custom-action');
    const bound = this.#deps.actions.boundDeployed(PHONE_TRIGGER);
    if (bound === undefined) return { ...base, outcome: 'error', reason: 'No deployed Action is bound to the custom-phone-provider trigger' };
    if (bound.version.status !== 'built') return { ...base, outcome: 'error', reason: `The deployed version of ${bound.action.name} is not built (${bound.version.status})` };
    const result = await runPhoneAction({
      code: bound.version.code,
      event: this.#event(message, Object.fromEntries(bound.version.secrets.map((secret) => [secret.name, secret.value]))),
      timeoutMs: this.#deps.actionTimeoutMs,
      timeScale: this.#deps.actionTimeScale,
      fetch: this.#deps.fetch,
      cache: this.#deps.cache,
      signal: this.#deps.closed,
    });
    return { ...base, outcome: result.outcome, ...(result.reason === undefined ? {} : { reason: result.reason }), logs: result.logs };
  }

  #providerBase(message: Outgoing, via: PhoneMessage['via']): PhoneMessage {
    const rendered = this.#rendered(message);
    return {
      at: Date.now(),
      via,
      ...(message.connection === undefined ? {} : { connection: message.connection.name }),
      to: message.to,
      text: message.deliveryMethod === 'voice' ? rendered.voice : rendered.text,
      outcome: 'error',
      logs: [],
    };
  }

  /** The default phone templates (otp_verify as Auth0 ships it; the others shortened). */
  #rendered(message: Outgoing): { text: string; voice: string } {
    const tenant = this.#deps.tenant.friendlyName();
    const { code } = message;
    switch (message.messageType) {
      case 'otp_enroll':
        return {
          text: `${code} is your verification code for ${tenant}. Please enter this code to verify your enrollment.`,
          voice: `Hello. Your verification code for ${tenant} is ${code}. I repeat, your verification code is ${code}.`,
        };
      case 'change_password':
        return { text: `${code} is your password change code for ${tenant}`, voice: `Hello. Your password change code for ${tenant} is ${code}.` };
      case 'blocked_account':
        return { text: `Your ${tenant} account has been blocked after multiple failed login attempts.`, voice: `Your ${tenant} account has been blocked.` };
      case 'password_breach':
        return { text: `We detected a login to your ${tenant} account with a breached password.`, voice: `Your ${tenant} password was found in a data breach.` };
      default:
        return {
          text: `${code} is your verification code for ${tenant}`,
          voice: `Hello. Your verification code for ${tenant} is ${code}. I repeat, your verification code is ${code}.`,
        };
    }
  }

  /** `event` of the custom-phone-provider v1 trigger (https://github.com/auth0/auth0-actions/blob/main/src/custom-phone-provider/v1/index.d.ts). */
  #event(message: Outgoing, secrets: Record<string, string>): Record<string, unknown> {
    const rendered = this.#rendered(message);
    const settings = this.#deps.tenant.get();
    const at = now();
    const connection = message.connection;
    return {
      notification: {
        recipient: message.to,
        as_text: rendered.text,
        as_voice: rendered.voice,
        delivery_method: message.deliveryMethod,
        message_type: message.messageType,
        ...(message.messageType === 'otp_verify' || message.messageType === 'otp_enroll' ? { code: message.code } : {}),
        ...(message.from === undefined ? {} : { from: message.from }),
        locale: 'en_US',
      },
      request: {
        ip: message.ip,
        method: 'POST',
        geoip: {},
        hostname: this.#deps.domain(),
        ...(message.language === undefined ? {} : { language: message.language }),
        ...(message.userAgent === undefined ? {} : { user_agent: message.userAgent }),
      },
      client: { client_id: message.clientId, name: message.clientId === SEED_LOGIN_CLIENT_ID ? 'Sandbox Login App' : message.clientId, metadata: {} },
      ...(connection === undefined ? {} : { connection: { id: connection.id, name: connection.name, strategy: connection.strategy, metadata: { ...(connection.metadata ?? {}) } } }),
      tenant: {
        id: 'sandbox',
        ...(typeof settings.friendly_name === 'string' ? { friendly_name: settings.friendly_name } : {}),
        ...(typeof settings.support_email === 'string' ? { support_email: settings.support_email } : {}),
        ...(typeof settings.support_url === 'string' ? { support_url: settings.support_url } : {}),
        ...(typeof settings.picture_url === 'string' ? { logo_url: settings.picture_url } : {}),
      },
      transaction: { correlation_id: uuid() },
      user: {
        user_id: `sms|${hexId()}`,
        phone_number: message.to,
        phone_verified: false,
        email_verified: false,
        app_metadata: {},
        user_metadata: {},
        identities: [{ connection: connection?.name ?? 'sms', isSocial: false, provider: 'sms' }],
        created_at: at,
        updated_at: at,
      },
      secrets,
      configuration: {},
    };
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function codeLength(connection: SandboxConnection | undefined): number {
  const totp = connection?.options?.totp;
  const length = isPlainObject(totp) ? totp.length : undefined;
  return typeof length === 'number' && Number.isInteger(length) && length >= 4 && length <= 40 ? length : 6;
}

/** `@@password@@`, and `{{ code }}` / `{{ password }}` with `syntax: liquid` (https://auth0.com/docs/authenticate/passwordless/authentication-methods/sms-otp). */
function renderTemplate(options: Record<string, unknown>, code: string): string {
  const template = typeof options.template === 'string' ? options.template : DEFAULT_TEMPLATE;
  let body = template.split('@@password@@').join(code);
  if (options.syntax === 'liquid') body = body.replace(/\{\{\s*(?:code|password)\s*\}\}/g, code);
  return body;
}

/**
 * The bearer token Auth0 adds for `gateway_authentication`: HS256 over the secret's UTF-8 bytes,
 * or the bytes it base64url-decodes to with `secret_base64_encoded`, claims `sub` (subject) and
 * `aud` (audience), plus `iat` and a short `exp`. Signed here with node:crypto, not with the
 * tool's gateway code, so that a mistake there cannot hide behind the same mistake here.
 */
function gatewayToken(auth: Record<string, unknown>): string {
  const secret = String(auth.secret);
  const key = auth.secret_base64_encoded === true ? Buffer.from(secret, 'base64url') : Buffer.from(secret, 'utf8');
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    ...(typeof auth.subject === 'string' ? { sub: auth.subject } : {}),
    ...(typeof auth.audience === 'string' ? { aud: auth.audience } : {}),
    iat,
    exp: iat + GATEWAY_TOKEN_SECONDS,
  };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
}

function networkCause(error: unknown): string {
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? (error as { cause: unknown }).cause : error;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return cause instanceof Error ? cause.message : String(cause);
}
