/*
 * Where a connection's one-time codes really go. Auth0 has two generations of SMS delivery
 * (docs/auth0-facts.md#two-generations-of-sms-delivery): the connection's own options
 * (Twilio, or `provider: sms_gateway`), or the tenant's phone provider on the Unified Phone
 * Experience. A tool that writes gateway settings must know which one Auth0 will use, or it
 * says "done" about options Auth0 ignores.
 */
import { untrusted } from './untrusted.js';

export type Route = 'gateway' | 'twilio' | 'phone-provider' | 'unknown';

/**
 * The tenant's `phone_consolidated_experience`: true or false as read; a settings answer
 * without the field counts as true (new tenants have it on by default, as the Terraform
 * provider also assumes); null when it could not be read (no `read:tenant_settings`, or Auth0
 * failed to answer): the warning that said so gave the reason.
 */
export type UnifiedPhone = boolean | null;

/** The tenant setting from a settings answer: one without the field counts as on (see above). */
export function unifiedPhoneOf(settings: { phone_consolidated_experience?: boolean | null | undefined }): boolean {
  return settings.phone_consolidated_experience ?? true;
}

/** `use_phone_provider` is undocumented; `true`, `"true"` and `"unified"` have been seen meaning "on". */
export function usesPhoneProvider(value: unknown): boolean {
  return value === true || value === 'true' || value === 'unified';
}

/** Whether the options carry a key only the older generation writes: such a connection predates the switch. */
function hasLegacyShape(options: Readonly<Record<string, unknown>>): boolean {
  return ['provider', 'twilio_sid', 'gateway_url'].some((key) => options[key] !== undefined && options[key] !== null && options[key] !== '');
}

/**
 * The route of a connection from its options and the tenant setting. Options that could not be
 * read (no `read:connections_options`) decide nothing: even on the Unified Phone Experience a
 * connection older than it keeps its own options.
 */
export function routeOf(options: Readonly<Record<string, unknown>> | null | undefined, unifiedPhone: UnifiedPhone): Route {
  if (options === null || options === undefined) return 'unknown';
  if (usesPhoneProvider(options.use_phone_provider)) return 'phone-provider';
  if (!hasLegacyShape(options)) {
    if (unifiedPhone === true) return 'phone-provider';
    if (unifiedPhone === null) return 'unknown';
  }
  const provider = options.provider;
  if (provider === 'sms_gateway') return 'gateway';
  // Absent means Twilio; a provider Auth0 does not document decides nothing this tool can know.
  return provider === undefined || provider === null || provider === '' || provider === 'twilio' ? 'twilio' : 'unknown';
}

/**
 * What was seen of the tenant's phone provider: one that can send (it exists, is enabled, and a
 * custom one has its Action bound), not read by this command, or not readable (a missing scope).
 */
export type ProviderCheck = 'can send' | 'not read' | 'unreadable';

/**
 * One line for people: what the route means for this connection's codes. Unless the tenant is
 * known not to be on the Unified Phone Experience, a `gateway` or `twilio` route claims no
 * delivery: the older keys decide for a connection that predates it, and Auth0 documents that
 * they are ignored for one given them since; nothing read tells the two apart. A
 * `phone-provider` route claims delivery only where the provider was seen able to send.
 */
export function describeRoute(route: Route, unifiedPhone: UnifiedPhone = null, options?: Readonly<Record<string, unknown>> | null, provider: ProviderCheck = 'not read'): string {
  switch (route) {
    case 'gateway':
      if (unifiedPhone === false) return "Auth0 sends this connection's codes to its gateway_url (the connection's options decide)";
      return unifiedPhone === true
        ? "its options have the older generation's gateway keys: Auth0 sends to its gateway_url if the connection predates the Unified Phone Experience, and documents that it does not for one made since (check with a real login)"
        : "its options have the older generation's gateway keys: Auth0 sends to its gateway_url unless the tenant is on the Unified Phone Experience and the connection was made since (the tenant setting could not be read)";
    case 'twilio':
      if (unifiedPhone === false) return "Auth0 sends this connection's codes through Twilio (the connection's options decide)";
      return unifiedPhone === true
        ? "its options have the older generation's Twilio keys: Auth0 sends through Twilio if the connection predates the Unified Phone Experience, and documents that it uses the tenant's phone provider for one made since (check with a real login)"
        : "its options have the older generation's Twilio keys: Auth0 sends through Twilio unless the tenant is on the Unified Phone Experience and the connection was made since (the tenant setting could not be read)";
    case 'phone-provider':
      // Through a provider that exists, is enabled and has its Action only where that was seen.
      if (provider === 'can send') return "Auth0 sends this connection's codes through the tenant's phone provider and ignores its gateway options";
      return `Auth0 sends this connection's codes through the tenant's phone provider, if it has one that can send (${provider === 'not read' ? '`auth0-sms-gateway status` checks' : 'a scope to check it is missing'}), and ignores its gateway options`;
    case 'unknown':
      // Why it is unknown, as routeOf found it: no options, a provider nobody documents, or the tenant setting.
      if (options === null) return 'Auth0 returned this connection without its options: where its codes go cannot be told (the token may lack read:connections_options)';
      if (options !== undefined && hasLegacyShape(options)) {
        return `its options name a provider this tool does not know (${untrusted(JSON.stringify(options.provider) ?? String(options.provider))}): where Auth0 sends these codes cannot be told`;
      }
      return 'where Auth0 sends these codes depends on the tenant setting phone_consolidated_experience, which could not be read';
  }
}

/**
 * What a write of a connection's options means for its codes, from its route before and after
 * the write and the tenant setting: a route that stays `phone-provider` ignores the options; one
 * that leaves it does so because the options gain the keys of a connection from before the
 * Unified Phone Experience; a `gateway` route on a tenant that is (or may be) on it is no
 * promise of delivery (describeRoute). `then` names what makes the gateway get the codes
 * anyway. Undefined when the options decide before and after on a tenant known not to be on
 * it, or when use_phone_provider is on (the plan warns).
 */
export function routeWarning(before: Route, after: Route, next: Readonly<Record<string, unknown>>, unifiedPhone: UnifiedPhone, then: string): string | undefined {
  if (usesPhoneProvider(next.use_phone_provider)) return undefined;
  if (after === 'phone-provider') {
    return `Auth0 ignores these options: this connection's codes go through the tenant's phone provider (Unified Phone Experience); they are written (they matter again if the connection is switched back), but ${then}`;
  }
  if (after === 'unknown') return `whether Auth0 reads these options is unknown: ${describeRoute('unknown')}`;
  if (gainsOlderShape(before, after)) {
    return `this write gives the connection the keys of one from before the Unified Phone Experience (provider, gateway_url), so \`status\` will show its route as ${after}; but Auth0 documents that the Unified Phone Experience does not use a connection's custom gateway, so whether its codes reach the gateway is not known: ${then}`;
  }
  if (after === 'gateway' && unifiedPhone !== false) {
    // Options that already had the older keys: they decide only for a connection older than the
    // Unified Phone Experience, and a tenant whose setting could not be read may be on it.
    const where = unifiedPhone === true ? 'on this Unified Phone Experience tenant' : 'on a tenant whose generation could not be read';
    return `${where}, ${describeRoute('gateway', unifiedPhone)}; ${then}`;
  }
  return undefined;
}

/**
 * A write that turns a connection with none of the older keys into one with them: the route
 * rule then reads it as a connection from before the switch, but that rule was made for
 * connections that are, so it proves nothing about what Auth0 does with this one.
 */
export function gainsOlderShape(before: Route, after: Route): boolean {
  return (before === 'phone-provider' || before === 'unknown') && (after === 'gateway' || after === 'twilio');
}
