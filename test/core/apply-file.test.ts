import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { load as parseYaml } from 'js-yaml';
import { applyFileJsonSchema, closestKey, parseApplyFile, type ApplyEntry } from '../../src/core/apply-file.js';
import { ExitCode } from '../../src/core/errors.js';
import { cliErrorOf } from './helpers.js';

const EXAMPLE = new URL('../../examples/sms-gateway.yaml', import.meta.url);
const EXAMPLE_SCHEMA = new URL('../../examples/sms-gateway.schema.json', import.meta.url);
const SECRET = 'gw-secret-for-the-apply-file-tests-0123456789';
const ENV = { SMS_GATEWAY_SECRET: SECRET };
const URL_A = 'https://sms.example.com/send';

const parse = (text: string, env: Record<string, string | undefined> = ENV): ApplyEntry[] => parseApplyFile(text, { source: 'sms.yaml', env });
/** The message of the exit-2 error `text` must produce. */
function problems(text: string, env: Record<string, string | undefined> = ENV): string {
  const error = cliErrorOf(() => parse(text, env));
  expect(error.exitCode).toBe(ExitCode.input);
  expect(error.hint).toMatch(/auth0-sms-gateway schema/);
  return error.message;
}

/** One entry with a bearer gateway; `extra` lines are appended to it, `auth` replaces its authentication. */
function file({ extra = '', auth = `authentication:\n      method: bearer\n      audience: urn:gw\n      secret: \${SMS_GATEWAY_SECRET}` } = {}): string {
  return `connections:\n  - connection: sms\n    gateway_url: ${URL_A}\n    ${auth}\n${extra.replace(/^/gm, '    ')}`;
}

describe('parseApplyFile: valid files', () => {
  it('reads the example file into the settings the planner takes, secrets resolved', () => {
    expect(parse(readFileSync(EXAMPLE, 'utf8'))).toEqual([
      {
        path: 'connections[0]',
        line: 12,
        connection: 'sms',
        desired: {
          gatewayUrl: 'https://sms.example.com/v1/messages',
          authentication: { method: 'bearer', subject: 'urn:Auth0', audience: 'urn:my-sms-gateway', secret: SECRET, secretBase64Encoded: false },
          keepTwilio: false,
          forwardReqInfo: true,
          from: '+15551234567',
          template: 'Your verification code is @@password@@',
        },
      },
      {
        path: 'connections[1]',
        line: 25,
        connection: 'sms-gateway',
        desired: {
          gatewayUrl: 'https://sms-gateway.example.com/v2/messages',
          authentication: { method: 'bearer', subject: 'urn:Auth0', audience: 'https://sms-gateway.example.com', secret: SECRET, secretBase64Encoded: false },
          keepTwilio: false,
        },
      },
    ]);
  });

  it('reads JSON, with $schema, "none" authentication and every optional key', () => {
    const json = JSON.stringify({
      $schema: './sms-gateway.schema.json',
      connections: [
        { connection: 'con_A1b2C3d4E5f6G7h8', gateway_url: URL_A, authentication: 'none', forward_req_info: false, keep_twilio: true, from: 'Acme', template: 'Code: {{ code }}' },
      ],
    });
    expect(parse(json, {})).toEqual([
      {
        path: 'connections[0]',
        line: 1,
        connection: 'con_A1b2C3d4E5f6G7h8',
        desired: { gatewayUrl: URL_A, authentication: { method: 'none' }, keepTwilio: true, forwardReqInfo: false, from: 'Acme', template: 'Code: {{ code }}' },
      },
    ]);
  });

  it('takes 150 entries that share an anchored gateway_url and authentication (300 aliases)', () => {
    const entries = Array.from({ length: 150 }, (_, i) =>
      i === 0
        ? `  - connection: sms-${i}\n    gateway_url: &url ${URL_A}\n    authentication: &auth\n      method: bearer\n      audience: urn:gw\n      secret: \${SMS_GATEWAY_SECRET}\n`
        : `  - connection: sms-${i}\n    gateway_url: *url\n    authentication: *auth\n`,
    );
    const parsed = parse(`connections:\n${entries.join('')}`);
    expect(parsed).toHaveLength(150);
    expect(parsed[149]).toMatchObject({ connection: 'sms-149', desired: { gatewayUrl: URL_A } });
    expect(parsed[149]?.desired.authentication).toEqual(parsed[0]?.desired.authentication);
  });

  it('hands entries with the same settings one frozen object, and entries that differ (a key set or not) their own', () => {
    const entry = (name: string, extra = '') =>
      `  - connection: ${name}\n    gateway_url: ${URL_A}\n    authentication:\n      method: bearer\n      audience: urn:gw\n      secret: \${SMS_GATEWAY_SECRET}\n${extra}`;
    const [a, b, c, d] = parse(`connections:\n${entry('a')}${entry('b')}${entry('c', '    forward_req_info: false\n')}${entry('d', '    keep_twilio: true\n')}`);
    expect(b?.desired).toBe(a?.desired);
    expect(Object.isFrozen(a?.desired)).toBe(true);
    expect(Object.isFrozen(a?.desired.authentication)).toBe(true);
    expect(c?.desired).not.toBe(a?.desired);
    expect(d?.desired).not.toBe(a?.desired);
    expect(d?.desired).not.toBe(c?.desired);
  });

  it('takes one authentication shared by anchor and alias, each entry at its own line', () => {
    const text = [
      'connections:',
      '  - connection: sms',
      `    gateway_url: ${URL_A}`,
      '    authentication: &gateway',
      '      method: bearer',
      '      audience: urn:gw',
      '      secret: ${SMS_GATEWAY_SECRET}',
      '  - connection: sms-2',
      `    gateway_url: ${URL_A}`,
      '    authentication: *gateway',
    ].join('\n');
    const entries = parse(text);
    expect(entries.map((e) => [e.line, e.connection])).toEqual([
      [2, 'sms'],
      [8, 'sms-2'],
    ]);
    expect(entries[1]?.desired.authentication).toEqual(entries[0]?.desired.authentication);
  });

  it('reads a file saved with a byte order mark and CRLF line ends (Windows editors) as the same entries, at the same lines', () => {
    const text = `${file()}\n${file().replace('connections:\n', '').replace('connection: sms', 'connection: sms-2')}`;
    const plain = parse(text);
    const windows = parse(`\uFEFF${text.replace(/\n/g, '\r\n')}`);
    expect(windows).toEqual(plain);
    expect(windows.map((e) => e.line)).toEqual([2, 9]);
  });

  it('gives each entry of a flow-style file the line it starts on', () => {
    const text = `{ "connections": [\n  { "connection": "sms", "gateway_url": "${URL_A}", "authentication": "none" },\n\n  { "connection": "sms-2", "gateway_url": "${URL_A}", "authentication": "none" }\n] }`;
    expect(parse(text, {}).map((e) => e.line)).toEqual([2, 4]);
  });

  it('takes subject and secret_base64_encoded as written', () => {
    const base64 = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0x';
    const [entry] = parse(
      file({ auth: `authentication: { method: bearer, subject: "urn:me", audience: a, secret: "\${B64}", secret_base64_encoded: true }` }),
      { B64: base64 },
    );
    expect(entry?.desired.authentication).toEqual({ method: 'bearer', subject: 'urn:me', audience: 'a', secret: base64, secretBase64Encoded: true });
  });
});

describe('parseApplyFile: every malformed file is exit 2 with file:line: path: message', () => {
  const cases: [string, string, RegExp[], Record<string, string | undefined>?][] = [
    ['bad YAML', 'connections:\n  - connection: sms\n   gateway_url: x', [/^sms\.yaml:3: not valid YAML: /]],
    ['bad JSON', '{"connections": [{"connection": "sms",}', [/^sms\.yaml:1: not valid JSON: /]],
    ['a duplicate key', 'connections:\n  - connection: sms\n    connection: sms-2', [/^sms\.yaml:3: not valid YAML: duplicated mapping key$/]],
    ['two YAML documents', 'connections: []\n---\nconnections: []', [/^sms\.yaml:2: not valid YAML: the file holds more than one document \(---\): keep one$/]],
    // An empty document has no place in the text of its own: the line is its `---`.
    ['an empty second document at the end', 'connections:\n  - connection: sms\n---\n', [/^sms\.yaml:3: not valid YAML: the file holds more than one document \(---\): keep one$/]],
    ['two empty documents', '---\n---\n', [/^sms\.yaml:2: not valid YAML: the file holds more than one document \(---\): keep one$/]],
    ['a duplicate key in JSON', '{"connections": [], "connections": []}', [/^sms\.yaml:1: not valid JSON: duplicated mapping key$/]],
    ['an alias to nothing', 'connections: *nothing', [/^sms\.yaml:1: not valid YAML: unidentified alias "nothing"$/]],
    [
      'aliases that expand without end',
      `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`).join('\n')}\nconnections: []`,
      [/^sms\.yaml:1: not valid YAML: its aliases \(\*name\) expand to more than 100000 values: write the values out$/],
    ],
    ['more than 10,000 aliases', `x: &x 1\nconnections: [${Array(10_001).fill('*x').join(', ')}]`, [/^sms\.yaml:2: not valid YAML: aliases exceeded maxAliases \(10000\)$/]],
    ['an empty file', '# nothing yet\n', [/^sms\.yaml: the file is empty: write a `connections:` list, a `phone_provider:` entry, or both$/]],
    ['a list at the top', '- connection: sms', [/^sms\.yaml:1: the file must be a mapping with a `connections:` list$/]],
    ['no connections key', '$schema: x', [/^sms\.yaml:1: the file names nothing to configure: write a `connections:` list, a `phone_provider:` entry, or both$/]],
    ['an empty list', 'connections: []', [/^sms\.yaml:1: connections: connections is empty: list at least one connection$/]],
    ['connections not a list', 'connections: sms', [/^sms\.yaml:1: connections: connections must be a list of connections$/]],
    ['a boolean as a string', file({ extra: 'forward_req_info: "yes"' }), [/^sms\.yaml:8: connections\[0\]\.forward_req_info: forward_req_info must be true or false$/]],
    ['a number where text goes', file({ extra: 'from: +15551234567' }), [/^sms\.yaml:8: connections\[0\]\.from: from must be a string \(in YAML, put the value in quotes\)$/]],
    ['a list as the URL', 'connections:\n  - connection: sms\n    gateway_url: [a]\n    authentication: none', [/^sms\.yaml:3: connections\[0\]\.gateway_url: gateway URL must be a string/]],
    ['an http URL', file().replace('https://', 'http://'), [/^sms\.yaml:3: connections\[0\]\.gateway_url: gateway URL must use https:\/\//]],
    ['a template without the code', file({ extra: 'template: Hello' }), [/^sms\.yaml:8: connections\[0\]\.template: template has no placeholder for the code/]],
    ['a missing URL', 'connections:\n  - connection: sms\n    authentication: none', [/^sms\.yaml:2: connections\[0\]\.gateway_url: missing: this key is required$/]],
    ['a missing audience', file({ auth: 'authentication: { method: bearer, secret: "${SMS_GATEWAY_SECRET}" }' }), [/^sms\.yaml:4: connections\[0\]\.authentication\.audience: missing: this key is required$/]],
    ['an empty audience', file({ auth: 'authentication: { method: bearer, audience: "", secret: "${SMS_GATEWAY_SECRET}" }' }), [/^sms\.yaml:4: connections\[0\]\.authentication\.audience: audience is empty/]],
    ['authentication: bearer', file({ auth: 'authentication: bearer' }), [/^sms\.yaml:4: connections\[0\]\.authentication: authentication must be "none", or a mapping with method: bearer, audience and secret$/]],
    ['method: none', file({ auth: 'authentication:\n      method: none' }), [/^sms\.yaml:4: connections\[0\]\.authentication\.audience: missing/, /^sms\.yaml:4: connections\[0\]\.authentication\.secret: missing/, /^sms\.yaml:5: connections\[0\]\.authentication\.method: method must be "bearer" \(for no authentication, write `authentication: none`\)$/]],
    ['forward_request_info', file({ extra: 'forward_request_info: true' }), [/^sms\.yaml:8: connections\[0\]\.forward_request_info: unknown key: did you mean forward_req_info\?$/]],
    ['camelCase keys', file({ extra: 'keepTwilio: true' }), [/^sms\.yaml:8: connections\[0\]\.keepTwilio: unknown key: did you mean keep_twilio\?$/]],
    ['a misspelt authentication key', file({ auth: 'authentication: { method: bearer, audiance: a, secret: "${SMS_GATEWAY_SECRET}" }' }), [/connections\[0\]\.authentication\.audience: missing/, /connections\[0\]\.authentication\.audiance: unknown key: did you mean audience\?$/]],
    ['a misspelt top-level key', `${file()}\nconnection: sms`, [/^sms\.yaml:9: connection: unknown key: did you mean connections\?$/]],
    // A key from a pull request's file must not start a line of its own (a CI workflow command) or drive the terminal.
    ['an unknown key holding a line break and an escape', file({ extra: '"x\\n::error::pwned\\u001b[31m": 1' }), [/^sms\.yaml:8: connections\[0\]\.x\\x0a::error::pwned\\x1b\[31m: unknown key: /]],
    ['an unknown key with no near miss', file({ extra: 'colour: blue' }), [/^sms\.yaml:8: connections\[0\]\.colour: unknown key: the keys here are connection, gateway_url, authentication, forward_req_info, from, template, keep_twilio$/]],
    ['a literal secret', file({ auth: 'authentication: { method: bearer, audience: a, secret: hunter2-literal-secret }' }), [/^sms\.yaml:4: connections\[0\]\.authentication\.secret: a literal secret is not allowed in the file .*: put it in an environment variable and write \$\{NAME\}$/]],
    ['a secret without braces', file({ auth: 'authentication: { method: bearer, audience: a, secret: $GW_SECRET }' }), [/connections\[0\]\.authentication\.secret: write \$\{GW_SECRET\}, with braces$/]],
    ['a secret with text around the reference', file({ auth: 'authentication: { method: bearer, audience: a, secret: "x${GW_SECRET}" }' }), [/connections\[0\]\.authentication\.secret: the secret must be one \$\{NAME\} reference and nothing else$/]],
    ['a secret that is a number', file({ auth: 'authentication: { method: bearer, audience: a, secret: 1234567 }' }), [/connections\[0\]\.authentication\.secret: a literal secret is not allowed/]],
    ['an unset variable', file(), [/^sms\.yaml:7: connections\[0\]\.authentication\.secret: environment variable SMS_GATEWAY_SECRET \(from \$\{SMS_GATEWAY_SECRET\}\) is not set or empty/], {}],
    ['an empty variable', file(), [/environment variable SMS_GATEWAY_SECRET .* is not set or empty/], { SMS_GATEWAY_SECRET: '' }],
    ['a variable that is not base64url', file({ auth: 'authentication: { method: bearer, audience: a, secret: "${SMS_GATEWAY_SECRET}", secret_base64_encoded: true }' }), [/^sms\.yaml:4: connections\[0\]\.authentication\.secret: secret holds \+ or \/, which is base64, not base64url/], { SMS_GATEWAY_SECRET: 'abc+def/ghi' }],
    // Only authentication.secret reads the environment: elsewhere ${NAME} would be written as text, or fail for another reason.
    ['a reference in the audience', file({ auth: 'authentication: { method: bearer, audience: "${GW_AUDIENCE}", secret: "${SMS_GATEWAY_SECRET}" }' }), [/^sms\.yaml:4: connections\[0\]\.authentication\.audience: \$\{GW_AUDIENCE\} is not read here: the file reads environment variables only in authentication\.secret; write the value itself, or render the file before apply \(e\.g\. with envsubst\)$/]],
    ['a reference in the gateway URL, not "must start with https://"', file().replace(URL_A, '"${GW_URL}"'), [/^sms\.yaml:3: connections\[0\]\.gateway_url: \$\{GW_URL\} is not read here/]],
    ['a reference inside the sender', file({ extra: 'from: "+1${SENDER}"' }), [/^sms\.yaml:8: connections\[0\]\.from: \$\{SENDER\} is not read here/]],
    ['an empty phone_provider', 'phone_provider:\n', [/^sms\.yaml:1: phone_provider: phone_provider must be a mapping with gateway_url and authentication$/]],
    ['a YAML merge key', `auth: &auth\n  method: bearer\n  audience: urn:gw\n  secret: \${SMS_GATEWAY_SECRET}\nconnections:\n  - connection: sms\n    gateway_url: ${URL_A}\n    authentication:\n      <<: *auth\n`, [/^sms\.yaml:9: connections\[0\]\.authentication\.<<: YAML merge keys \(<<\) are not supported: write the keys out \(an alias of a whole value, \*name, works\)$/]],
    ['the same connection twice', `${file()}\n${file().replace('connections:\n', '')}`, [/^sms\.yaml:9: connections\[1\]\.connection: "sms" is already listed at connections\[0\]: list each connection once$/]],
  ];

  it.each(cases)('%s', (_label, text, expected, env) => {
    const lines = problems(text, env ?? ENV).split('\n');
    expect(lines).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(lines[i]).toMatch(pattern));
  });

  it('an unknown key in one entry and an unset variable in another: both, as the README shows', () => {
    const text = `${file({ extra: 'forward_request_info: true' })}\n${file({ auth: 'authentication: { method: bearer, audience: urn:gw, secret: "\${MISSING_SECRET_VAR}" }' }).replace('connections:\n', '').replace('sms', 'sms-gateway')}\nphone_provider:\n  gateway_url: ${URL_A}\n  authentication: { method: bearer, audience: urn:gw, secret: "\${ALSO_MISSING}" }`;
    expect(problems(text).split('\n')).toEqual([
      'sms.yaml:8: connections[0].forward_request_info: unknown key: did you mean forward_req_info?',
      'sms.yaml:11: connections[1].authentication.secret: environment variable MISSING_SECRET_VAR (from ${MISSING_SECRET_VAR}) is not set or empty: set it where apply runs',
      'sms.yaml:15: phone_provider.authentication.secret: environment variable ALSO_MISSING (from ${ALSO_MISSING}) is not set or empty: set it where apply runs',
    ]);
  });

  it('lists every problem of the file at once, in line order', () => {
    const text = file({ extra: 'forward_request_info: true\nfrom: +15551234567', auth: 'authentication: { method: bearer, audience: "", secret: literal-secret }' });
    expect(problems(text).split('\n')).toEqual([
      expect.stringMatching(/^sms\.yaml:4: connections\[0\]\.authentication\.audience: /),
      expect.stringMatching(/^sms\.yaml:4: connections\[0\]\.authentication\.secret: a literal secret/),
      expect.stringMatching(/^sms\.yaml:5: connections\[0\]\.forward_request_info: /),
      expect.stringMatching(/^sms\.yaml:6: connections\[0\]\.from: /),
    ]);
  });

  it('finds the secret in any other setting at once, each at its own line, and never prints it', () => {
    const text = `connections:\n  - connection: sms\n    gateway_url: ${URL_A}?k=${SECRET}\n    authentication:\n      method: bearer\n      audience: ${SECRET}\n      secret: \${SMS_GATEWAY_SECRET}\n    from: "${SECRET}"\n    template: "@@password@@ ${SECRET}"\nphone_provider:\n  gateway_url: ${URL_A}\n  authentication: { method: bearer, audience: urn:gw, subject: "${SECRET}", secret: "\${SMS_GATEWAY_SECRET}" }\n`;
    const message = problems(text);
    expect(message).not.toContain(SECRET);
    const held = 'holds the value of authentication.secret, which would be stored and shown in clear: give it its own value, and the secret only as the secret';
    expect(message.split('\n')).toEqual([
      `sms.yaml:3: connections[0].gateway_url: ${held}`,
      `sms.yaml:6: connections[0].authentication.audience: ${held}`,
      `sms.yaml:8: connections[0].from: ${held}`,
      `sms.yaml:9: connections[0].template: ${held}`,
      `sms.yaml:12: phone_provider.authentication.subject: ${held}`,
    ]);
  });

  it('reports a gateway setting shared by two entries at each of them', () => {
    const auth = 'authentication: { method: bearer, audience: a, secret: "${S}", secret_base64_encoded: true }';
    const text = `${file({ auth })}\n${file({ auth }).replace('connections:\n', '').replace('connection: sms', 'connection: sms-2')}`;
    expect(problems(text, { S: 'abc+def/ghi-0123456789-0123456789' }).split('\n')).toEqual([
      expect.stringMatching(/^sms\.yaml:4: connections\[0\]\.authentication\.secret: secret holds \+ or \//),
      expect.stringMatching(/^sms\.yaml:8: connections\[1\]\.authentication\.secret: secret holds \+ or \//),
    ]);
  });

  it('never repeats a secret, literal or resolved', () => {
    const literal = 'literal-secret-value-9f8e7d6c';
    expect(problems(file({ auth: `authentication: { method: bearer, audience: a, secret: ${literal} }` }))).not.toContain(literal);
    const notBase64 = 'not+base64/secret-value-1a2b3c';
    const message = problems(file({ auth: 'authentication: { method: bearer, audience: a, secret: "${S}", secret_base64_encoded: true }' }), { S: notBase64 });
    expect(message).not.toContain(notBase64);
  });
});

describe('closestKey', () => {
  const entryKeys = ['connection', 'gateway_url', 'authentication', 'forward_req_info', 'from', 'template', 'keep_twilio'];
  it.each([
    ['forward_request_info', 'forward_req_info'],
    ['forwardReqInfo', 'forward_req_info'],
    ['gateway-url', 'gateway_url'],
    ['url', 'gateway_url'],
    ['auth', 'authentication'],
    ['conection', 'connection'],
    ['tempalte', 'template'],
    ['keep_twillio', 'keep_twilio'],
  ])('%s → %s', (typed, meant) => expect(closestKey(typed, entryKeys)).toBe(meant));

  it.each(['name', 'foo', 'colour', 'x'])('%s → no suggestion', (typed) => expect(closestKey(typed, entryKeys)).toBeUndefined());
});

describe('applyFileJsonSchema', () => {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(applyFileJsonSchema());
  const example = parseYaml(readFileSync(EXAMPLE, 'utf8')) as { connections: Record<string, unknown>[] };
  const first = () => structuredClone(example.connections[0]!);

  it('is draft-07 with a title and description, and examples/ holds the current one', () => {
    const schema = applyFileJsonSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.title).toBe('auth0-sms-gateway apply file');
    expect(schema.description).toMatch(/\$\{ENV_VAR\}/);
    // The file the example's `# yaml-language-server: $schema=` line points at.
    expect(JSON.parse(readFileSync(EXAMPLE_SCHEMA, 'utf8'))).toEqual(schema);
    expect(readFileSync(EXAMPLE, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./sms-gateway.schema.json');
  });

  it('accepts the example file', () => {
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
  });

  it('accepts a file with only a phone provider, as apply does', () => {
    const phoneOnly = { phone_provider: { gateway_url: URL_A, authentication: 'none' } };
    expect(validate(phoneOnly), JSON.stringify(validate.errors)).toBe(true);
    expect(parse(JSON.stringify(phoneOnly))).toEqual([]);
  });

  it.each<[string, () => unknown]>([
    ['an unknown key', () => ({ connections: [{ ...first(), forward_request_info: true }] })],
    ['a literal secret', () => ({ connections: [{ ...first(), authentication: { method: 'bearer', audience: 'a', secret: 'literal' } }] })],
    ['an http URL', () => ({ connections: [{ ...first(), gateway_url: 'http://sms.example.com/send' }] })],
    ['a missing URL', () => ({ connections: [{ connection: 'sms', authentication: 'none' }] })],
    ['authentication: bearer', () => ({ connections: [{ ...first(), authentication: 'bearer' }] })],
    ['a string boolean', () => ({ connections: [{ ...first(), forward_req_info: 'true' }] })],
    ['an empty list', () => ({ connections: [] })],
    ['an unknown top-level key', () => ({ ...example, connection: 'sms' })],
    ['a file that names nothing ({})', () => ({})],
    ['a file with only $schema', () => ({ $schema: './sms-gateway.schema.json' })],
  ])('rejects %s, as apply does', (_label, make) => {
    const broken = make();
    expect(validate(broken)).toBe(false);
    expect(() => parse(JSON.stringify(broken))).toThrow();
  });
});
