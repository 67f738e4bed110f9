import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ExitCode } from '../../src/core/errors.js';
import { connectionProblems, readConnection, smsSummary, type Connection, type SmsSummary } from '../../src/core/options.js';
import { connectionSchema, rewritableOptions, smsOptionsProblems } from '../../src/core/options-schema.js';
import { formatZodError } from '../../src/core/validate.js';
import { emailConnection, gatewayConnection, optionlessConnection, phoneProviderConnection, twilioConnection } from './fixtures.js';
import { cliErrorOf } from './helpers.js';

/** Every object's keys, depth first, so a reordering anywhere shows up. */
function keyOrder(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keyOrder);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keyOrder(inner).map((k) => `${key}.${k}`)]);
}

const fixtures: [string, () => Connection][] = [
  ['twilio', twilioConnection],
  ['gateway', gatewayConnection],
  ['use_phone_provider', phoneProviderConnection],
  ['without options', optionlessConnection],
  ['email', emailConnection],
];

describe('connectionSchema', () => {
  for (const [name, make] of fixtures) {
    it(`reads the ${name} connection unchanged, key order included`, () => {
      const raw = make();
      const parsed = connectionSchema.parse(raw);
      expect(parsed).toStrictEqual(raw);
      expect(keyOrder(parsed)).toEqual(keyOrder(raw));
      expect(parsed).not.toBe(raw);
    });
  }

  it('keeps unknown top-level connection keys', () => {
    const raw = { ...twilioConnection(), authentication: { active: true }, connected_accounts: { active: false } };
    expect(connectionSchema.parse(raw)).toStrictEqual(raw);
  });

  it('reads odd SMS options as they are; only a rewrite refuses them, naming options.<key>', () => {
    // One odd connection must never fail a listing (a provider this tool does not know, a
    // string where Auth0 keeps an object); a command that would rewrite it stops instead.
    const raw = { ...gatewayConnection(), options: { provider: 'carrier-pigeon', gateway_authentication: 'bearer', from: null } };
    expect(connectionSchema.parse(raw)).toStrictEqual(raw);
    const error = cliErrorOf(() => rewritableOptions(raw));
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message).toContain('options.provider, options.gateway_authentication');
    expect(error.message).not.toContain('options.from');
  });

  it('does not read the options of other strategies as SMS options', () => {
    const raw = { id: 'con_x', name: 'saml', strategy: 'samlp', options: { provider: 'something-else', from: 42 } };
    expect(connectionSchema.parse(raw)).toStrictEqual(raw);
  });

  it('names the options of a backup that are not an object', () => {
    const result = connectionSchema.safeParse({ ...twilioConnection(), options: 'x' });
    expect(result.success).toBe(false);
    if (!result.success) expect(formatZodError(result.error)).toBe('options: Invalid input: expected object, received string');
  });

  it('rejects a connection without id, name or strategy', () => {
    const result = connectionSchema.safeParse({ name: 'sms', options: {} });
    expect(result.success).toBe(false);
    if (!result.success) expect(formatZodError(result.error)).toMatch(/^id: .*\nstrategy: /);
  });
});

describe('connectionProblems (the one check of a connection, for answers and backups)', () => {
  it("names each field that is wrong, in the order of a connection and in zod's words, without quoting its value", () => {
    const problems = connectionProblems({ id: 42, name: '', display_name: ['x'], strategy: null, options: 'sk_live_secret_value', realms: 7 });
    expect(problems).toEqual([
      { path: ['id'], message: 'Invalid input: expected string, received number' },
      { path: ['name'], message: 'Too small: expected string to have >=1 characters' },
      { path: ['display_name'], message: 'Invalid input: expected string, received array' },
      { path: ['strategy'], message: 'Invalid input: expected string, received null' },
      { path: ['options'], message: 'Invalid input: expected object, received string' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('sk_live_secret_value');
  });

  it('finds nothing wrong with the connections Auth0 returns, odd fields it does not read included', () => {
    for (const [, make] of fixtures) expect(connectionProblems(make())).toEqual([]);
    expect(connectionProblems({ ...twilioConnection(), options: null, display_name: null, enabled_clients: 'x' })).toEqual([]);
  });

  it('refuses options that are an array, as the connection Auth0 never sends', () => {
    const raw = { ...twilioConnection(), options: [] };
    expect(connectionProblems(raw)).toEqual([{ path: ['options'], message: 'Invalid input: expected object, received array' }]);
    expect(readConnection(raw)).toBeUndefined();
  });

  it('refuses what is not an object at all', () => {
    expect(connectionProblems(null)).toEqual([{ path: [], message: 'Invalid input: expected object, received null' }]);
    expect(connectionProblems([])).toEqual([{ path: [], message: 'Invalid input: expected object, received array' }]);
  });
});

describe('readConnection (every connection the Management API returns)', () => {
  it('reads a connection whose fields the tool never uses hold odd values, as it is', () => {
    const raw = { ...twilioConnection(), enabled_clients: [42], realms: 'sms', metadata: null, is_domain_connection: 'no', show_as_button: 1 };
    expect(readConnection(raw)).toBe(raw);
  });

  it('refuses one without the fields the tool reads and writes back', () => {
    for (const broken of [
      { ...twilioConnection(), id: '' },
      { ...twilioConnection(), name: 7 },
      { ...twilioConnection(), strategy: undefined },
      { ...twilioConnection(), display_name: 42 },
      { ...twilioConnection(), options: 'twilio' },
      null,
      [],
    ]) {
      expect(readConnection(broken)).toBeUndefined();
    }
    expect(readConnection({ ...twilioConnection(), options: null })).toBeDefined();
    // A null display name (an import, an old API client) is none, not a broken connection.
    expect(readConnection({ ...twilioConnection(), display_name: null })).toBeDefined();
  });
});

describe('rewritableOptions', () => {
  const accepted: [string, unknown][] = [
    ['forward_req_info true', { forward_req_info: true }],
    ['forward_req_info "true" (Auth0 doc example)', { forward_req_info: 'true' }],
    ['forward_req_info "false"', { forward_req_info: 'false' }],
    ['messaging_service_sid null', { messaging_service_sid: null }],
    ['gateway_authentication null', { gateway_authentication: null }],
    ['gateway_authentication with unknown keys', { gateway_authentication: { method: 'bearer', extra: [1] } }],
    ['provider twilio', { provider: 'twilio' }],
    ['unknown keys of any shape', { a: { b: [null, { c: 'd' }] }, e: null, f: [] }],
    ['an empty object', {}],
  ];
  for (const [name, input] of accepted) {
    it(`accepts ${name}, as a copy in the same key order`, () => {
      const connection = { ...gatewayConnection(), options: input as Record<string, unknown> };
      const options = rewritableOptions(connection);
      expect(options).toStrictEqual(input);
      expect(keyOrder(options)).toEqual(keyOrder(input));
      expect(options).not.toBe(input);
    });
  }

  const rejected: [string, unknown, string][] = [
    ['forward_req_info "yes"', { forward_req_info: 'yes' }, 'forward_req_info'],
    ['forward_req_info 1', { forward_req_info: 1 }, 'forward_req_info'],
    ['an unknown provider', { provider: 'sns' }, 'provider'],
    ['a numeric gateway_url', { gateway_url: 443 }, 'gateway_url'],
    ['a secret that is not a string', { gateway_authentication: { secret: 7 } }, 'gateway_authentication.secret'],
    ['a null secret_base64_encoded', { gateway_authentication: { secret_base64_encoded: null } }, 'gateway_authentication.secret_base64_encoded'],
    ['a null totp.time_step', { totp: { time_step: null } }, 'totp.time_step'],
    ['a NaN totp.length', { totp: { length: Number.NaN } }, 'totp.length'],
    ['an infinite totp.length', { totp: { length: Number.POSITIVE_INFINITY } }, 'totp.length'],
    ['an array', [], ''],
  ];
  for (const [name, input, path] of rejected) {
    it(`rejects ${name}`, () => {
      expect(smsOptionsProblems(input)[0]?.path.join('.')).toBe(path);
    });
  }
});

describe('smsOptionsProblems', () => {
  /**
   * The zod schema the check replaced (plain code is faster over hundreds of connections): for
   * any options, both must accept the same ones and name the same fields.
   */
  const booleanish = z.union([z.boolean(), z.enum(['true', 'false'])]);
  const zodOptions = z.looseObject({
    name: z.string().nullish(),
    from: z.string().nullish(),
    syntax: z.string().nullish(),
    template: z.string().nullish(),
    totp: z.looseObject({ time_step: z.number().optional(), length: z.number().optional() }).nullish(),
    twilio_sid: z.string().nullish(),
    twilio_token: z.string().nullish(),
    messaging_service_sid: z.string().nullish(),
    provider: z.enum(['twilio', 'sms_gateway']).nullish(),
    gateway_url: z.string().nullish(),
    gateway_authentication: z
      .looseObject({
        method: z.string().optional(),
        subject: z.string().optional(),
        audience: z.string().optional(),
        secret: z.string().optional(),
        secret_base64_encoded: z.boolean().optional(),
      })
      .nullish(),
    forward_req_info: booleanish.nullish(),
    brute_force_protection: z.boolean().nullish(),
    disable_signup: z.boolean().nullish(),
    use_phone_provider: z.union([booleanish, z.literal('unified')]).nullish(),
  });

  it('accepts and refuses what the zod schema it replaced did, naming the same fields in the same order and words (property)', () => {
    const value = fc.oneof(
      fc.constantFrom(undefined, null, true, false, 'true', 'false', 'unified', 'twilio', 'sms_gateway', 'x', '', 0, 7, 1.5, Number.NaN, Number.POSITIVE_INFINITY),
      fc.constant([]),
      fc.constant({}),
    );
    const nested = (keys: readonly string[]) => fc.dictionary(fc.constantFrom(...keys, 'extra'), value, { maxKeys: 4 });
    const totp = nested(['time_step', 'length']);
    const authentication = nested(['method', 'subject', 'audience', 'secret', 'secret_base64_encoded']);
    const keys = Object.keys(zodOptions.shape);
    // Every modelled key may be present, the two nested ones as objects most of the time, so
    // that each nested field meets every kind of value many times in a run.
    const record = fc.record(
      {
        ...Object.fromEntries(keys.map((key) => [key, value])),
        totp: fc.oneof({ weight: 3, arbitrary: totp }, { weight: 1, arbitrary: value }),
        gateway_authentication: fc.oneof({ weight: 3, arbitrary: authentication }, { weight: 1, arbitrary: value }),
        upstream_params: value,
      },
      { requiredKeys: [] },
    );
    const options = fc.oneof(record, fc.dictionary(fc.constantFrom(...keys, 'upstream_params'), fc.oneof(value, totp, authentication), { maxKeys: 6 }), value);
    fc.assert(
      fc.property(options, (input) => {
        const result = zodOptions.safeParse(input);
        const zodProblems = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
        expect(smsOptionsProblems(input).map((problem) => `${problem.path.join('.')}: ${problem.message}`)).toEqual(zodProblems);
      }),
      { numRuns: 2000 },
    );
  });

  it("names a wrong type in zod's words, never the value", () => {
    expect(smsOptionsProblems({ gateway_url: 443, gateway_authentication: { secret: 7 }, forward_req_info: 'yes', provider: 'sns', totp: { length: 'six' } })).toEqual([
      { path: ['totp', 'length'], message: 'Invalid input: expected number, received string' },
      { path: ['provider'], message: 'Invalid option: expected one of "twilio"|"sms_gateway"' },
      { path: ['gateway_url'], message: 'Invalid input: expected string, received number' },
      { path: ['gateway_authentication', 'secret'], message: 'Invalid input: expected string, received number' },
      { path: ['forward_req_info'], message: 'Invalid input' },
    ]);
  });
});

describe('smsSummary', () => {
  const rows: [string, () => Connection, SmsSummary][] = [
    [
      'twilio',
      twilioConnection,
      { id: 'con_Tw1l1o0000000001', name: 'sms', provider: 'twilio', gateway_url: null, authentication: 'none', forward_req_info: true, from: '+1 234 567' },
    ],
    [
      'gateway',
      gatewayConnection,
      {
        id: 'con_Gatew4y000000002',
        name: 'Test-Connection-Custom-SMS',
        provider: 'sms_gateway',
        gateway_url: 'https://test.com/sms-gateway',
        authentication: 'bearer',
        forward_req_info: true,
        from: '+17777777777',
      },
    ],
    [
      'use_phone_provider',
      phoneProviderConnection,
      { id: 'con_Ph0neProv1der003', name: 'sms-upe', provider: 'twilio', gateway_url: null, authentication: 'none', forward_req_info: false, from: null },
    ],
  ];
  for (const [name, make, expected] of rows) {
    it(`summarises the ${name} connection`, () => {
      expect(smsSummary(make())).toStrictEqual(expected);
    });
  }

  it('reads forward_req_info "false", empty from and null authentication', () => {
    const connection = gatewayConnection();
    const summary = smsSummary({ ...connection, options: { ...connection.options, forward_req_info: 'false', from: '', gateway_authentication: null } });
    expect(summary).toMatchObject({ forward_req_info: false, from: null, authentication: 'none' });
  });

  it('refuses a connection read without options, naming the scope', () => {
    const error = cliErrorOf(() => smsSummary(optionlessConnection()));
    expect(error.exitCode).toBe(ExitCode.remote);
    expect(error.message).toContain('read:connections_options');
  });
});
