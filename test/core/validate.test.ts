import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  audienceSchema,
  base64urlSecretSchema,
  desiredSettingsSchema,
  formatZodError,
  fromSchema,
  fromWarnings,
  gatewayUrlSchema,
  gatewayUrlWarnings,
  isBase64url,
  parseInput,
  secretKeyLength,
  secretSchema,
  secretWarnings,
  subjectSchema,
  templateSchema,
} from '../../src/core/validate.js';
import { ExitCode } from '../../src/core/errors.js';
import { cliErrorOf } from './helpers.js';

function messageOf(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  if (result.success) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
  return formatZodError(result.error);
}

const GATEWAY = /^gateway URL /;
const long = (n: number, c = 'a') => c.repeat(n);

// [what, schema, hostile value, the field the message must start with, and what it must say]
const hostile: [string, z.ZodType, unknown, RegExp, RegExp][] = [
  ['http URL', gatewayUrlSchema, 'http://sms.example.com/send', GATEWAY, /https:\/\//],
  ['ftp URL', gatewayUrlSchema, 'ftp://sms.example.com/send', GATEWAY, /must start with https:\/\//],
  ['upper-case scheme', gatewayUrlSchema, 'HTTPS://SMS.EXAMPLE.COM', GATEWAY, /must start with https:\/\//],
  ['javascript: URL', gatewayUrlSchema, 'javascript:alert(1)', GATEWAY, /https:\/\//],
  ['not a URL at all', gatewayUrlSchema, 'sms gateway', GATEWAY, /spaces/],
  ['not a URL, no spaces', gatewayUrlSchema, 'sms.example.com', GATEWAY, /https:\/\//],
  ['unparseable https URL', gatewayUrlSchema, 'https://[::1', GATEWAY, /not a valid URL/],
  ['256-character URL', gatewayUrlSchema, `https://${long(243)}.com/`, GATEWAY, /256 characters.*at most 255/],
  ['user:password@host', gatewayUrlSchema, 'https://user:pass@sms.example.com/send', GATEWAY, /user:password/],
  ['user@host', gatewayUrlSchema, 'https://user@sms.example.com/send', GATEWAY, /user:password/],
  ['empty URL', gatewayUrlSchema, '', GATEWAY, /empty/],
  ['too-short URL', gatewayUrlSchema, 'h://x', GATEWAY, /shorter than 8/],
  ['trailing newline', gatewayUrlSchema, 'https://sms.example.com/\n', GATEWAY, /line breaks/],
  ['number instead of URL', gatewayUrlSchema, 443, GATEWAY, /string/],
  ['empty subject', subjectSchema, '', /^subject /, /empty/],
  ['65-character subject', subjectSchema, long(65), /^subject /, /64/],
  ['empty audience', audienceSchema, '', /^audience /, /empty/],
  ['129-character audience', audienceSchema, long(129), /^audience /, /128/],
  ['empty secret', secretSchema, '', /^secret /, /empty/],
  ['5121-character secret', secretSchema, long(5121), /^secret /, /5120/],
  ['secret with an escape sequence', secretSchema, 'abcdefghijklmnopqrstuvwxyz\u001b[2J0123456789', /^secret /, /a control character or a line break/],
  ['secret with a line break (a two-line file)', secretSchema, 'first-line-of-a-long-secret\nsecond', /^secret /, /a control character or a line break/],
  ['secret copied from the output', secretSchema, '[redacted]', /^secret /, /the placeholder the tool's output shows in place of a secret/],
  ['secret with DEL', secretSchema, 'a-long-enough-secret-with-delete\u007f', /^secret /, /a control character or a line break/],
  ['base64url with +', base64urlSecretSchema, 'abc+defg', /^secret /, /replace \+ with -/],
  ['base64url with /', base64urlSecretSchema, 'abc/defg', /^secret /, /replace .* \/ with _/],
  ['standard base64 with padding (openssl rand -base64)', base64urlSecretSchema, 'q83vEjRWeJA+/w==', /^secret /, /^secret holds \+ or \/, which is base64, not base64url: replace \+ with - and \/ with _, and drop the = padding$/],
  ['base64url with = inside', base64urlSecretSchema, 'abc=defg', /^secret /, /padding/],
  ['base64url with wrong padding', base64urlSecretSchema, 'abcdefg==', /^secret /, /padding/],
  ['base64url with spaces', base64urlSecretSchema, 'abcd efgh', /^secret /, /spaces/],
  ['base64url of impossible length', base64urlSecretSchema, 'abcde', /^secret /, /length/],
  ['base64url with other symbols', base64urlSecretSchema, 'abc!defg', /^secret /, /A-Z/],
  ['template without placeholder', templateSchema('md_with_macros'), 'Your code is ready', /^template /, /@@password@@/],
  ['empty template', templateSchema('md_with_macros'), '', /^template /, /empty/],
  ['5121-character template', templateSchema(undefined), `@@password@@${long(5109)}`, /^template /, /5120/],
  ['liquid placeholder on md_with_macros', templateSchema('md_with_macros'), 'Code: {{ code }}', /^template /, /liquid.*@@password@@/],
  ['@@password@@ on liquid', templateSchema('liquid'), 'Code: @@password@@', /^template /, /\{\{ code \}\}/],
  ['misspelt macro', templateSchema(null), 'Code: @@ password @@', /^template /, /placeholder/],
  ['no placeholder of any syntax', templateSchema('any'), 'Code: {{ otp }}', /^template /, /placeholder/],
  ['empty from', fromSchema, '', /^from /, /empty/],
  ['129-character phone', fromSchema, `+1${' '.repeat(120)}555 1234`, /^from /, /128/],
  ['from with a line break', fromSchema, '+1555\n1234', /^from /, /control characters/],
  ['from with an escape sequence', fromSchema, 'ACME\u001b[2J', /^from /, /control characters/],
  ['subject with a bidi override', subjectSchema, 'urn:\u202eAuth0', /^subject /, /control characters/],
  ['audience with a carriage return', audienceSchema, 'urn:gw\rstatus 200', /^audience /, /control characters/],
  ['template with an escape sequence', templateSchema('md_with_macros'), '\u001b]0;title\u0007@@password@@', /^template /, /control characters/],
];

describe('field schemas reject hostile input with a message naming the field', () => {
  it('has at least 25 cases', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(25);
  });
  for (const [what, schema, value, field, says] of hostile) {
    it(what, () => {
      const message = messageOf(schema, value);
      expect(message).toMatch(field);
      expect(message).toMatch(says);
      // Messages never echo the value: it may be a secret.
      if (typeof value === 'string' && value.length > 3) expect(message).not.toContain(value.trim());
    });
  }
});

describe('field schemas accept good input', () => {
  const good: [string, z.ZodType, string][] = [
    ['gateway URL', gatewayUrlSchema, 'https://sms.example.com/send?key=1'],
    ['gateway URL with port', gatewayUrlSchema, 'https://sms.example.com:8443/send'],
    ['255-character gateway URL', gatewayUrlSchema, `https://${long(242)}.com/`],
    ['subject', subjectSchema, 'urn:Auth0'],
    ['64-character subject', subjectSchema, long(64)],
    ['128-character audience', audienceSchema, long(128)],
    ['5120-character secret', secretSchema, long(5120)],
    ['base64url secret', base64urlSecretSchema, Buffer.alloc(32, 255).toString('base64url')],
    ['macro template', templateSchema('md_with_macros'), 'Your code: @@password@@'],
    ['template when syntax is absent', templateSchema(undefined), '@@password@@'],
    ['liquid {{ code }}', templateSchema('liquid'), 'Your code: {{ code }}'],
    ['liquid {{password}}', templateSchema('liquid'), '{{password}} is your code'],
    ['liquid with whitespace control and a filter', templateSchema('liquid'), '{{- code | upcase -}}'],
    ['either syntax before the connection is known', templateSchema('any'), '{{ code }}'],
    ['phone with spaces', fromSchema, '+1 234 567'],
    ['E.164 phone', fromSchema, '+17777777777'],
    ['phone with parentheses, dots and dashes', fromSchema, '(555) 123.45-67'],
    ['short code', fromSchema, '12345'],
    ['sender id', fromSchema, 'ACME'],
    ['sender id with space', fromSchema, 'Acme Inc 1'],
    ['one-letter sender id', fromSchema, 'A'],
  ];
  for (const [what, schema, value] of good) {
    it(what, () => {
      expect(schema.safeParse(value).success).toBe(true);
    });
  }
});

describe('desiredSettingsSchema', () => {
  it('accepts a full bearer setup', () => {
    const desired = {
      gatewayUrl: 'https://sms.example.com/send',
      authentication: { method: 'bearer', subject: 'urn:Auth0', audience: 'urn:gw', secret: 'c2VjcmV0', secretBase64Encoded: true },
      forwardReqInfo: true,
      from: '+15551234567',
      template: '{{ code }}',
      keepTwilio: false,
    };
    expect(desiredSettingsSchema.parse(desired)).toStrictEqual(desired);
  });

  it('reports each problem as a field: message line', () => {
    const message = messageOf(desiredSettingsSchema, {
      gatewayUrl: 'ftp://x.example.com',
      authentication: { method: 'bearer', subject: '', secret: 'abc+' , secretBase64Encoded: true },
      forwardReqInfo: 'yes',
      keepTwillio: true,
    });
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/^gatewayUrl: gateway URL must start with https:\/\//),
      expect.stringMatching(/^authentication\.subject: subject is empty/),
      expect.stringMatching(/^authentication\.secret: secret holds \+ or \//),
      expect.stringMatching(/^forwardReqInfo: /),
      'keepTwillio: unknown setting: check its spelling',
    ]);
  });

  it('names the allowed authentication methods', () => {
    expect(messageOf(desiredSettingsSchema, { authentication: { method: 'basic' } })).toBe(
      'authentication.method: authentication method must be "none" or "bearer"',
    );
  });

  it('rejects extra keys in an authentication setting', () => {
    expect(messageOf(desiredSettingsSchema, { authentication: { method: 'none', secret: 'x' } })).toBe(
      'authentication.secret: unknown setting: check its spelling',
    );
  });

  it('parseInput throws exit 2 with the same lines', () => {
    const error = cliErrorOf(() => parseInput(desiredSettingsSchema, { from: '' }, 'see --help'));
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message).toMatch(/^from: from is empty/);
    expect(error.hint).toBe('see --help');
  });
});

describe('fromWarnings: what carriers may reject is a warning, never a refusal', () => {
  it.each([
    ['15-character sender id', 'AcmeCorporation'],
    ['sender id with a dash', 'Acme-Corp'],
    ['phone with letters', '+1 (555) CALL-NOW'],
    ['two digits', '12'],
    ['21 digits', '+123456789012345678901'],
    ['+ in the middle', '1+5551234'],
    ['underscore in a number', '+1_555_1234'],
    ['leading space', ' +15551234'],
  ])('%s: accepted, with a warning', (_what, value) => {
    expect(fromSchema.safeParse(value).success).toBe(true);
    expect(fromWarnings(value)).toEqual([expect.stringMatching(/^from is neither a phone number .* carriers may reject/)]);
  });

  it.each(['+1 234 567', '+17777777777', '(555) 123.45-67', '12345', 'ACME', 'Acme Inc 1', 'A'])('%s: no warning', (value) => {
    expect(fromWarnings(value)).toEqual([]);
  });
});

describe('formatZodError', () => {
  it('writes array indexes in brackets', () => {
    const result = desiredSettingsSchema.array().safeParse([{}, { gatewayUrl: 'http://a.example.com' }]);
    expect(result.success).toBe(false);
    if (!result.success) expect(formatZodError(result.error)).toMatch(/^\[1\]\.gatewayUrl: gateway URL must use https/);
  });
});

describe('gatewayUrlWarnings', () => {
  const unreachable = [
    'https://localhost/sms',
    'https://localhost:8443/sms',
    'https://gw.localhost/sms',
    'https://127.0.0.1/sms',
    'https://127.10.20.30/sms',
    'https://2130706433/sms', // 127.0.0.1 written as one number
    'https://[::1]/sms',
    'https://[::ffff:127.0.0.1]/sms',
    'https://[::ffff:10.0.0.1]/sms',
    'https://[fd12:3456::1]/sms',
    'https://[fe80::1]/sms',
    'https://0.0.0.0/sms',
    'https://10.1.2.3/sms',
    'https://172.16.0.1/sms',
    'https://172.31.255.254/sms',
    'https://192.168.1.20/sms',
    'https://169.254.169.254/sms',
    'https://printer.local/sms',
    'https://sms.corp.internal/sms',
    'https://gateway/sms',
  ];
  for (const url of unreachable) {
    it(`warns for ${url}`, () => {
      const warnings = gatewayUrlWarnings(url);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^gateway URL host .* cannot reach it/);
    });
  }

  const reachable = ['https://sms.example.com/send', 'https://8.8.8.8/sms', 'https://172.32.0.1/sms', 'https://192.169.0.1/sms', 'https://[2001:db8::1]/sms', 'not a url'];
  for (const url of reachable) {
    it(`does not warn for ${url}`, () => {
      expect(gatewayUrlWarnings(url)).toEqual([]);
    });
  }
});

describe('secrets', () => {
  it('counts key bytes: UTF-8 bytes, or decoded bytes for base64url', () => {
    expect(secretKeyLength('é'.repeat(16))).toBe(32);
    expect(secretKeyLength(Buffer.alloc(31).toString('base64url'), true)).toBe(31);
    expect(secretKeyLength(Buffer.alloc(31).toString('base64url'), false)).toBe(42);
  });

  const rows: [string, string, boolean, number][] = [
    ['31 characters', long(31, 'k'), false, 1],
    ['32 characters', long(32, 'k'), false, 0],
    ['31 bytes base64url-encoded (42 characters)', Buffer.alloc(31, 9).toString('base64url'), true, 1],
    ['32 bytes base64url-encoded', Buffer.alloc(32, 9).toString('base64url'), true, 0],
  ];
  for (const [what, secret, base64, count] of rows) {
    it(`warns ${count === 0 ? 'nothing' : 'once'} for ${what}`, () => {
      const warnings = secretWarnings(secret, base64);
      expect(warnings).toHaveLength(count);
      for (const warning of warnings) {
        expect(warning).toMatch(/^secret .*32 bytes/);
        expect(warning).not.toContain(secret);
      }
    });
  }

  it('knows base64url from base64', () => {
    expect(isBase64url('c2VjcmV0')).toBe(true);
    expect(isBase64url('-_-_')).toBe(true);
    expect(isBase64url('abcdef==')).toBe(true); // padding is optional in base64url, and the JWT key code accepts it
    expect(isBase64url('abc')).toBe(true);
    expect(isBase64url('c2VjcmV0=')).toBe(false);
    expect(isBase64url('a+b/')).toBe(false);
    expect(isBase64url('abcde')).toBe(false);
    expect(isBase64url('')).toBe(false);
  });
});
