import { describe, expect, it } from 'vitest';
import { routeOf, usesPhoneProvider, type Route, type UnifiedPhone } from '../../src/core/route.js';

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
