/**
 * GET and PATCH /api/v2/tenants/settings
 * (https://auth0.com/docs/api/management/v2/tenants/tenant-settings-route and …/patch-settings).
 * The field that matters here is the top-level boolean `phone_consolidated_experience`: the
 * Unified Phone Experience switch ("Whether Phone Consolidated Experience is enabled for this
 * tenant"). When it is on, Passwordless SMS goes through the tenant's phone provider
 * (https://auth0.com/docs/customize/phone-messages/unified-phone/unified-phone-experience-passwordless).
 */
import { isPlainObject, ReplyError, routeNotFound } from './replies.js';
import type { TenantOptions } from './types.js';
import { checkNoExtraKeys, checkQuery, checkString, checkType, readFields, readObjectBody, requireScope, selectFields, type ApiRequest } from './validation.js';
import type { ApiResult } from './connections.js';

/** `fields` accepts these names (the pattern of tenant-settings-route). */
const FIELD_NAMES = [
  'allowed_logout_urls', 'change_password', 'default_token_quota', 'error_page', 'flags', 'friendly_name', 'picture_url',
  'support_email', 'support_url', 'session_lifetime', 'default_audience', 'default_directory', 'device_flow', 'idle_session_lifetime',
  'ephemeral_session_lifetime', 'idle_ephemeral_session_lifetime', 'default_redirection_uri', 'universal_login', 'universal_login.colors',
  'universal_login.passwordless', 'enabled_locales', 'session_cookie', 'sessions', 'oidc_logout', 'allow_organization_name_in_authentication_api',
  'mtls', 'customize_mfa_in_postlogin_action', 'skip_non_verifiable_callback_uri_confirmation_prompt', 'resource_parameter_profile',
  'enable_ai_guide', 'client_id_metadata_document_supported', 'phone_consolidated_experience',
];

/** The properties of UpdateTenantSettingsRequestContent (`additionalProperties: false`). */
const PATCH_KEYS = [
  'change_password', 'device_flow', 'guardian_mfa_page', 'default_audience', 'default_directory', 'error_page', 'default_token_quota', 'flags',
  'friendly_name', 'picture_url', 'support_email', 'support_url', 'allowed_logout_urls', 'session_lifetime', 'idle_session_lifetime',
  'ephemeral_session_lifetime', 'idle_ephemeral_session_lifetime', 'sandbox_version', 'legacy_sandbox_version', 'default_redirection_uri',
  'enabled_locales', 'session_cookie', 'sessions', 'oidc_logout', 'customize_mfa_in_postlogin_action', 'allow_organization_name_in_authentication_api',
  'acr_values_supported', 'mtls', 'pushed_authorization_requests_supported', 'authorization_response_iss_parameter_supported',
  'skip_non_verifiable_callback_uri_confirmation_prompt', 'resource_parameter_profile', 'client_id_metadata_document_supported', 'enable_ai_guide',
  'phone_consolidated_experience', 'dynamic_client_registration_security_mode',
];

/** The keys of TenantSettingsFlags (`additionalProperties: false`). */
const FLAG_KEYS = [
  'change_pwd_flow_v1', 'enable_apis_section', 'disable_impersonation', 'enable_client_connections', 'enable_pipeline2',
  'allow_legacy_delegation_grant_types', 'allow_legacy_ro_grant_types', 'allow_legacy_tokeninfo_endpoint', 'enable_legacy_profile',
  'enable_idtoken_api2', 'enable_public_signup_user_exists_error', 'enable_sso', 'allow_changing_enable_sso', 'disable_clickjack_protection_headers',
  'no_disclose_enterprise_connections', 'enforce_client_authentication_on_passwordless_start', 'enable_adfs_waad_email_verification',
  'revoke_refresh_token_grant', 'dashboard_log_streams_next', 'dashboard_insights_view', 'disable_fields_map_fix', 'mfa_show_factor_list_on_enrollment',
  'remove_alg_from_jwks', 'improved_signup_bot_detection_in_classic', 'genai_trial', 'enable_dynamic_client_registration',
  'disable_management_api_sms_obfuscation', 'trust_azure_adfs_email_verified_connection_property', 'custom_domains_provisioning',
];

export function initialTenantSettings(options: TenantOptions = {}): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    friendly_name: options.friendlyName ?? 'Sandbox Tenant',
    picture_url: 'https://cdn.auth0.com/styleguide/components/1.0.8/media/logos/img/badge.png',
    support_email: 'support@sandbox.example.com',
    support_url: 'https://sandbox.example.com/support',
    allowed_logout_urls: [],
    session_lifetime: 168,
    idle_session_lifetime: 72,
    sandbox_version: '22',
    sandbox_versions_available: ['22', '18'],
    enabled_locales: ['en'],
    flags: {
      allow_legacy_delegation_grant_types: false,
      allow_legacy_ro_grant_types: false,
      allow_legacy_tokeninfo_endpoint: false,
      change_pwd_flow_v1: false,
      disable_clickjack_protection_headers: false,
      enable_apis_section: false,
      enable_client_connections: true,
      enable_pipeline2: true,
      enable_public_signup_user_exists_error: false,
      revoke_refresh_token_grant: false,
    },
    universal_login: { colors: { primary: '#0059d6', page_background: '#000000' } },
    session_cookie: { mode: 'persistent' },
  };
  const pce = options.phoneConsolidatedExperience ?? false;
  if (pce !== 'absent') {
    if (typeof pce !== 'boolean') throw new RangeError(`tenant.phoneConsolidatedExperience must be a boolean or 'absent', got ${String(pce)}`);
    settings.phone_consolidated_experience = pce;
  }
  return settings;
}

export class TenantSettingsStore {
  readonly #initial: Record<string, unknown>;
  #current: Record<string, unknown>;

  constructor(options: TenantOptions | undefined) {
    this.#initial = initialTenantSettings(options);
    this.#current = structuredClone(this.#initial);
  }

  reset(): void {
    this.#current = structuredClone(this.#initial);
  }

  get(): Readonly<Record<string, unknown>> {
    return this.#current;
  }

  /** `true`, `false`, or undefined when the field is absent. */
  phoneConsolidatedExperience(): boolean | undefined {
    const value = this.#current.phone_consolidated_experience;
    return typeof value === 'boolean' ? value : undefined;
  }

  friendlyName(): string {
    return typeof this.#current.friendly_name === 'string' ? this.#current.friendly_name : 'Sandbox Tenant';
  }

  update(patch: Record<string, unknown>): void {
    const next = { ...structuredClone(this.#current), ...structuredClone(patch) };
    // Flags are a map of switches; a PATCH that names some of them leaves the others as they are.
    if (isPlainObject(patch.flags)) next.flags = { ...(isPlainObject(this.#current.flags) ? this.#current.flags : {}), ...patch.flags };
    this.#current = next;
  }
}

export function handleTenantSettings(store: TenantSettingsStore, request: ApiRequest): ApiResult {
  try {
    if (request.path !== '/api/v2/tenants/settings') return routeNotFound();
    if (request.method === 'GET') {
      requireScope(request, 'read:tenant_settings');
      checkQuery(request.query, { fields: 'string', include_fields: 'boolean' });
      const fields = readFields(request.query, FIELD_NAMES);
      return { status: 200, body: selectFields(structuredClone(store.get()) as Record<string, unknown>, fields) };
    }
    if (request.method === 'PATCH') {
      requireScope(request, 'update:tenant_settings');
      checkQuery(request.query, {});
      const patch = readObjectBody(request.body, PATCH_KEYS);
      checkPatch(patch);
      store.update(patch);
      return { status: 200, body: structuredClone(store.get()) };
    }
    return routeNotFound();
  } catch (error) {
    if (error instanceof ReplyError) return error.reply;
    throw error;
  }
}

function checkPatch(patch: Record<string, unknown>): void {
  for (const key of ['phone_consolidated_experience', 'customize_mfa_in_postlogin_action', 'allow_organization_name_in_authentication_api', 'enable_ai_guide']) {
    if (key in patch) checkType(patch[key], key, 'boolean');
  }
  for (const key of ['friendly_name', 'picture_url', 'support_email', 'support_url', 'default_audience', 'default_directory']) {
    if (key in patch) checkString(patch[key], key, 0, 255);
  }
  if ('flags' in patch) {
    checkType(patch.flags, 'flags', 'object');
    const flags = patch.flags as Record<string, unknown>;
    checkNoExtraKeys(flags, FLAG_KEYS, 'flags');
    for (const [key, value] of Object.entries(flags)) checkType(value, `flags.${key}`, 'boolean');
  }
}
