import { describe, expect, it } from 'vitest';
import { describeRoute, routeOf, routeWarning, usesPhoneProvider, type Route, type UnifiedPhone } from '../../src/core/route.js';

// Every combination of the classification (docs/auth0-facts.md#two-generations-of-sms-delivery):
// use_phone_provider, the legacy keys, and the tenant setting read as true, false or unreadable.
const gateway = { provider: 'sms_gateway', gateway_url: 'https://sms.example.com/send' };
const twilio = { twilio_sid: 'AC123', twilio_token: 't' };
const fresh = { name: 'sms', syntax: 'md_with_macros', template: '@@password@@' };

const table: [string, Record<string, unknown> | null | undefined, UnifiedPhone, Route][] = [
  ['gateway, legacy tenant', gateway, false, 'gateway'],
  ['gateway, UPE tenant (predates it)', gateway, true, 'gateway'],
  ['gateway, setting unreadable', gateway, null, 'gateway'],
  ['twilio, legacy tenant', twilio, false, 'twilio'],
  ['twilio, UPE tenant (predates it)', twilio, true, 'twilio'],
  ['twilio, setting unreadable', twilio, null, 'twilio'],
  ['provider twilio alone, UPE tenant', { provider: 'twilio' }, true, 'twilio'],
  ['gateway_url alone counts as legacy', { gateway_url: 'https://x.example.com/s' }, true, 'twilio'],
  ['fresh connection, legacy tenant: Twilio (absent provider)', fresh, false, 'twilio'],
  ['fresh connection, UPE tenant', fresh, true, 'phone-provider'],
  ['fresh connection, setting unreadable', fresh, null, 'unknown'],
  ['use_phone_provider true beats the gateway', { ...gateway, use_phone_provider: true }, false, 'phone-provider'],
  ['use_phone_provider "unified"', { ...gateway, use_phone_provider: 'unified' }, null, 'phone-provider'],
  ['use_phone_provider "true"', { ...twilio, use_phone_provider: 'true' }, false, 'phone-provider'],
  ['use_phone_provider false', { ...gateway, use_phone_provider: false }, true, 'gateway'],
  ['null legacy keys are not legacy', { provider: null, twilio_sid: null, gateway_url: null }, true, 'phone-provider'],
  ['an empty gateway_url is not legacy', { gateway_url: '' }, null, 'unknown'],
  ['options not readable (scope)', undefined, true, 'unknown'],
  ['options not readable, legacy tenant', null, false, 'unknown'],
  ['an unknown provider, legacy tenant', { provider: 'vonage' }, false, 'unknown'],
];

describe('routeOf', () => {
  it.each(table)('%s', (_name, options, unifiedPhone, expected) => {
    expect(routeOf(options, unifiedPhone)).toBe(expected);
  });
});

// The cross product, with the expectation written out per shape: the options alone (no
// use_phone_provider, or a value that does not mean "on"), under each reading of the tenant
// setting. `true` is also what a settings answer without the field reads as (flow/routes.ts,
// flow/phone-provider.ts; tested against the sandbox in test/commands/status-scopes.test.ts and
// list-show.test.ts).
const shapes: [string, Record<string, unknown> | null | undefined, Record<'on' | 'off' | 'unreadable', Route>][] = [
  ['gateway', gateway, { on: 'gateway', off: 'gateway', unreadable: 'gateway' }],
  ['provider sms_gateway alone', { provider: 'sms_gateway' }, { on: 'gateway', off: 'gateway', unreadable: 'gateway' }],
  ['twilio', twilio, { on: 'twilio', off: 'twilio', unreadable: 'twilio' }],
  ['provider twilio alone', { provider: 'twilio' }, { on: 'twilio', off: 'twilio', unreadable: 'twilio' }],
  ['twilio_sid alone', { twilio_sid: 'AC123' }, { on: 'twilio', off: 'twilio', unreadable: 'twilio' }],
  // Created on the Unified Phone Experience: none of provider, twilio_sid, gateway_url.
  ['fresh (no provider, twilio_sid, gateway_url)', fresh, { on: 'phone-provider', off: 'twilio', unreadable: 'unknown' }],
  ['fresh, with only a twilio_token left', { ...fresh, twilio_token: 't' }, { on: 'phone-provider', off: 'twilio', unreadable: 'unknown' }],
  ['empty options', {}, { on: 'phone-provider', off: 'twilio', unreadable: 'unknown' }],
  ['an unknown provider', { provider: 'vonage' }, { on: 'unknown', off: 'unknown', unreadable: 'unknown' }],
  ['options not readable (undefined)', undefined, { on: 'unknown', off: 'unknown', unreadable: 'unknown' }],
  ['options not readable (null)', null, { on: 'unknown', off: 'unknown', unreadable: 'unknown' }],
];
const settings: ['on' | 'off' | 'unreadable', UnifiedPhone][] = [
  ['on', true],
  ['off', false],
  ['unreadable', null],
];
/** Values of use_phone_provider that mean "on" (observed: true and "unified"; "true" as a string, like forward_req_info). */
const switchedOn: unknown[] = [true, 'true', 'unified'];
/** Values that do not: the connection is routed as if the key were absent. */
const notOn: unknown[] = [undefined, false, 'false', null, '', 'yes', 0, 1, 'UNIFIED'];

describe('routeOf, every combination', () => {
  const withoutSwitch = shapes.flatMap(([shape, options, routes]) =>
    settings.flatMap(([setting, unifiedPhone]) =>
      notOn.map((value): [string, unknown, string, Record<string, unknown> | null | undefined, UnifiedPhone, Route] => [
        shape,
        value,
        setting,
        options === null || options === undefined || value === undefined ? options : { ...options, use_phone_provider: value },
        unifiedPhone,
        routes[setting],
      ]),
    ),
  );
  it.each(withoutSwitch)('%s, use_phone_provider %j, tenant setting %s', (_shape, _value, _setting, options, unifiedPhone, expected) => {
    expect(routeOf(options, unifiedPhone)).toBe(expected);
  });

  // The switch decides alone: on a legacy tenant, on the Unified Phone Experience (flag on) and
  // when the setting is unreadable; over a gateway, Twilio, an unknown provider or nothing.
  const withSwitch = shapes
    .filter(([, options]) => options !== null && options !== undefined)
    .flatMap(([shape, options]) =>
      settings.flatMap(([setting, unifiedPhone]) =>
        switchedOn.map((value): [string, unknown, string, Record<string, unknown>, UnifiedPhone] => [shape, value, setting, { ...options, use_phone_provider: value }, unifiedPhone]),
      ),
    );
  it.each(withSwitch)('%s, use_phone_provider %j, tenant setting %s: phone-provider', (_shape, _value, _setting, options, unifiedPhone) => {
    expect(routeOf(options, unifiedPhone)).toBe('phone-provider');
  });

  it('covers every shape under every setting, switched on and off', () => {
    expect(withoutSwitch).toHaveLength(shapes.length * settings.length * notOn.length);
    expect(withSwitch).toHaveLength((shapes.length - 2) * settings.length * switchedOn.length);
  });
});

describe('usesPhoneProvider', () => {
  it.each([
    [true, true],
    ['true', true],
    ['unified', true],
    [false, false],
    ['false', false],
    [null, false],
    [undefined, false],
    ['yes', false],
  ])('%j → %s', (value, expected) => {
    expect(usesPhoneProvider(value)).toBe(expected);
  });
});

describe('routeWarning: what a write of options means for the codes', () => {
  const then = 'run phone-provider configure';
  it('a route that stays phone-provider: the options are ignored', () => {
    for (const unifiedPhone of [true, null] as const) {
      expect(routeWarning('phone-provider', 'phone-provider', {}, unifiedPhone, then)).toMatch(/^Auth0 ignores these options: .*run phone-provider configure$/);
    }
  });
  it('a write that gives a newer connection the older keys: status will read it as gateway, and delivery there is not claimed', () => {
    for (const before of ['phone-provider', 'unknown'] as const) {
      expect(routeWarning(before, 'gateway', { provider: 'sms_gateway' }, true, then)).toMatch(/^this write gives the connection the keys of one from before .*route as gateway; .* not known: run phone-provider configure$/);
    }
  });
  it('an undecided route after the write is said to be unknown', () => {
    expect(routeWarning('unknown', 'unknown', {}, null, then)).toMatch(/^whether Auth0 reads these options is unknown/);
  });
  it('a gateway route that already had the older keys: no promise of delivery unless the tenant is known not to be on the Unified Phone Experience', () => {
    for (const before of ['twilio', 'gateway'] as const) {
      expect(routeWarning(before, 'gateway', { provider: 'sms_gateway' }, true, then)).toBe(
        `on this Unified Phone Experience tenant, ${describeRoute('gateway', true)}; run phone-provider configure`,
      );
      expect(routeWarning(before, 'gateway', { provider: 'sms_gateway' }, null, then)).toBe(
        `on a tenant whose generation could not be read, ${describeRoute('gateway', null)}; run phone-provider configure`,
      );
    }
  });
  it('nothing when the options decide before and after on a tenant known not to be on it, or when use_phone_provider is on (the plan warns of that)', () => {
    expect(routeWarning('twilio', 'gateway', { provider: 'sms_gateway' }, false, then)).toBeUndefined();
    expect(routeWarning('gateway', 'gateway', { provider: 'sms_gateway' }, false, then)).toBeUndefined();
    expect(routeWarning('gateway', 'twilio', {}, true, then)).toBeUndefined();
    for (const on of [true, 'true', 'unified']) {
      for (const unifiedPhone of [true, false, null] as const) expect(routeWarning('phone-provider', 'phone-provider', { use_phone_provider: on }, unifiedPhone, then)).toBeUndefined();
    }
  });
});

describe('describeRoute', () => {
  it('claims delivery to the gateway only where the tenant is known not to be on the Unified Phone Experience', () => {
    expect(describeRoute('gateway', false)).toBe("Auth0 sends this connection's codes to its gateway_url (the connection's options decide)");
    // Not read (null, the default): it may be on it, and nothing is claimed.
    expect(describeRoute('gateway')).toContain('unless the tenant is on the Unified Phone Experience and the connection was made since (the tenant setting could not be read)');
    expect(describeRoute('gateway', null)).toBe(describeRoute('gateway'));
    expect(describeRoute('gateway', true)).not.toMatch(/^Auth0 sends/);
    expect(describeRoute('gateway', true)).toContain('if the connection predates the Unified Phone Experience, and documents that it does not for one made since');
    for (const route of ['phone-provider', 'unknown'] as const) expect(describeRoute(route, true)).toBe(describeRoute(route));
  });

  it('claims delivery through Twilio only where the tenant is known not to be on the Unified Phone Experience', () => {
    expect(describeRoute('twilio', false)).toBe("Auth0 sends this connection's codes through Twilio (the connection's options decide)");
    expect(describeRoute('twilio', null)).toBe(
      "its options have the older generation's Twilio keys: Auth0 sends through Twilio unless the tenant is on the Unified Phone Experience and the connection was made since (the tenant setting could not be read)",
    );
    expect(describeRoute('twilio', true)).toBe(
      "its options have the older generation's Twilio keys: Auth0 sends through Twilio if the connection predates the Unified Phone Experience, and documents that it uses the tenant's phone provider for one made since (check with a real login)",
    );
  });
});

