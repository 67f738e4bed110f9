import { describe, expect, it } from 'vitest';
import { deepFreeze, type Change } from '../../src/core/diff.js';
import { ExitCode } from '../../src/core/errors.js';
import type { Connection } from '../../src/core/options.js';
import type { SmsOptions } from '../../src/core/options-schema.js';
import { planSmsUpdate, type DesiredSettings } from '../../src/core/plan.js';
import {
  GATEWAY_SECRET,
  NEW_SECRET,
  TWILIO_TOKEN,
  emailConnection,
  gatewayConnection,
  optionlessConnection,
  phoneProviderConnection,
  twilioConnection,
} from './fixtures.js';
import { cliErrorOf } from './helpers.js';

const GATEWAY_URL = 'https://sms.example.com/send';
const SECRETS = [TWILIO_TOKEN, GATEWAY_SECRET, NEW_SECRET];

const switchToGateway: DesiredSettings = {
  gatewayUrl: GATEWAY_URL,
  authentication: { method: 'bearer', audience: 'urn:MySmsGateway', secret: NEW_SECRET },
};

/** Plans again from the result: a second run with the same settings must change nothing. */
function replan(connection: Connection, next: SmsOptions, desired: DesiredSettings) {
  return planSmsUpdate({ ...connection, options: next }, desired);
}

function expectNoSecretIn(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('planSmsUpdate: switching a Twilio connection', () => {
  it('rewrites exactly provider, gateway_url, gateway_authentication and the twilio keys', () => {
    const current = twilioConnection();
    const plan = planSmsUpdate(current, switchToGateway);
    // Written out in full, key order included: everything else is the current options as read.
    const expected: SmsOptions = {
      strategy: 'sms',
      name: 'sms',
      messaging_service_sid: null,
      from: '+1 234 567',
      template: 'Your verification code is: @@password@@',
      brute_force_protection: true,
      disable_signup: false,
      // Written back as the boolean the spec types, in passing (the diff shows it).
      forward_req_info: true,
      syntax: 'md_with_macros',
      totp: { time_step: 300, length: 6 },
      upstream_params: { screen_name: { alias: 'login_hint' } },
      authParams: { scope: 'openid profile' },
      non_persistent_attrs: ['ip', 'user_agent'],
      future_flag: { nested: [1, { deep: null }], enabled: false },
      provider: 'sms_gateway',
      gateway_url: GATEWAY_URL,
      gateway_authentication: {
        method: 'bearer',
        subject: 'urn:Auth0',
        audience: 'urn:MySmsGateway',
        secret: NEW_SECRET,
        secret_base64_encoded: false,
      },
    };
    expect(plan.next).toStrictEqual(expected);
    expect(Object.keys(plan.next)).toEqual(Object.keys(expected));
    expect(Object.keys(plan.next.gateway_authentication ?? {})).toEqual(['method', 'subject', 'audience', 'secret', 'secret_base64_encoded']);
    expect(plan.noop).toBe(false);
    expect(plan.warnings).toEqual([]);
    expect(plan.changes).toStrictEqual<Change[]>([
      { path: 'twilio_sid', kind: 'removed', before: 'AC0123456789abcdef0123456789abcdef', secret: false },
      { path: 'twilio_token', kind: 'removed', before: '[redacted]', secret: true },
      { path: 'forward_req_info', kind: 'changed', before: 'true', after: true, secret: false },
      { path: 'provider', kind: 'added', after: 'sms_gateway', secret: false },
      { path: 'gateway_url', kind: 'added', after: GATEWAY_URL, secret: false },
      { path: 'gateway_authentication.method', kind: 'added', after: 'bearer', secret: false },
      { path: 'gateway_authentication.subject', kind: 'added', after: 'urn:Auth0', secret: false },
      { path: 'gateway_authentication.audience', kind: 'added', after: 'urn:MySmsGateway', secret: false },
      { path: 'gateway_authentication.secret', kind: 'added', after: '[redacted]', secret: true },
      { path: 'gateway_authentication.secret_base64_encoded', kind: 'added', after: false, secret: false },
    ]);
    expectNoSecretIn(plan.changes);
    expectNoSecretIn(plan.warnings);
  });

  it('does not touch the connection it was given', () => {
    const current = twilioConnection();
    planSmsUpdate(current, switchToGateway);
    expect(current).toStrictEqual(twilioConnection());
  });

  it('is a no-op when planned again from its own result', () => {
    const current = twilioConnection();
    const first = planSmsUpdate(current, switchToGateway);
    const second = replan(current, first.next, switchToGateway);
    expect(second.noop).toBe(true);
    expect(second.changes).toEqual([]);
    expect(second.next).toStrictEqual(first.next);
  });

  it('without authentication switches provider and URL only, with no gateway_authentication', () => {
    const plan = planSmsUpdate(twilioConnection(), { gatewayUrl: GATEWAY_URL });
    expect(plan.next.gateway_authentication).toBeUndefined();
    expect(plan.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['removed twilio_sid', 'removed twilio_token', 'changed forward_req_info', 'added provider', 'added gateway_url']);
  });

  it('removes a messaging_service_sid that holds a value, as Twilio key; keeps a null one and all of them with keepTwilio', () => {
    const current = twilioConnection();
    const withService = { ...current, options: { ...current.options, messaging_service_sid: 'MG0123456789abcdef0123456789abcdef' } };
    const plan = planSmsUpdate(withService, switchToGateway);
    expect(plan.next).not.toHaveProperty('messaging_service_sid');
    expect(plan.changes).toContainEqual({ path: 'messaging_service_sid', kind: 'removed', before: 'MG0123456789abcdef0123456789abcdef', secret: false });
    expect(planSmsUpdate(current, switchToGateway).next.messaging_service_sid).toBeNull();
    expect(planSmsUpdate(withService, { ...switchToGateway, keepTwilio: true }).next.messaging_service_sid).toBe('MG0123456789abcdef0123456789abcdef');
  });

  it('a string forward_req_info alone is no reason to write', () => {
    const current = gatewayConnection();
    const options = { ...current.options, forward_req_info: 'true' };
    const plan = planSmsUpdate({ ...current, options }, {});
    expect(plan.noop).toBe(true);
    expect(plan.next.forward_req_info).toBe('true');
    // Nor is asking for the same value as a boolean (the apply file says true, the connection holds "true").
    for (const [stored, asked] of [['true', true], ['false', false]] as const) {
      const same = planSmsUpdate({ ...current, options: { ...current.options, forward_req_info: stored } }, { forwardReqInfo: asked });
      expect(same.noop).toBe(true);
      expect(same.next.forward_req_info).toBe(stored);
    }
  });

  it('keeps twilio_sid and twilio_token with keepTwilio', () => {
    const plan = planSmsUpdate(twilioConnection(), { ...switchToGateway, keepTwilio: true });
    expect(plan.next.twilio_sid).toBe('AC0123456789abcdef0123456789abcdef');
    expect(plan.next.twilio_token).toBe(TWILIO_TOKEN);
    expect(Object.keys(plan.next).slice(0, 4)).toEqual(['strategy', 'name', 'twilio_sid', 'twilio_token']);
    expect(plan.changes.some((c) => c.path.startsWith('twilio'))).toBe(false);
  });

  it('writes forward_req_info "true" back as a boolean on any rewrite, and as asked when asked', () => {
    expect(planSmsUpdate(twilioConnection(), switchToGateway).next.forward_req_info).toBe(true);
    const plan = planSmsUpdate(twilioConnection(), { ...switchToGateway, forwardReqInfo: true });
    expect(plan.next.forward_req_info).toBe(true);
    expect(plan.changes).toContainEqual({ path: 'forward_req_info', kind: 'changed', before: 'true', after: true, secret: false });
    const off = planSmsUpdate(twilioConnection(), { ...switchToGateway, forwardReqInfo: false });
    expect(off.next.forward_req_info).toBe(false);
  });

  it('writes from and template when given', () => {
    const plan = planSmsUpdate(twilioConnection(), { gatewayUrl: GATEWAY_URL, from: 'ACME', template: 'Code: @@password@@' });
    expect(plan.next.from).toBe('ACME');
    expect(plan.next.template).toBe('Code: @@password@@');
    expect(plan.changes).toContainEqual({ path: 'from', kind: 'changed', before: '+1 234 567', after: 'ACME', secret: false });
    expect(plan.changes).toContainEqual({
      path: 'template',
      kind: 'changed',
      before: 'Your verification code is: @@password@@',
      after: 'Code: @@password@@',
      secret: false,
    });
  });
});

describe('planSmsUpdate: a connection already on the gateway', () => {
  const table: { name: string; desired: DesiredSettings; changes: Change[]; check?: (next: SmsOptions) => void }[] = [
    {
      name: 'the same settings again',
      desired: {
        gatewayUrl: 'https://test.com/sms-gateway',
        authentication: { method: 'bearer', audience: 'test.com/sms-gateway', secret: GATEWAY_SECRET },
        forwardReqInfo: true,
      },
      changes: [],
    },
    { name: 'nothing at all', desired: {}, changes: [] },
    {
      name: 'a new URL only',
      desired: { gatewayUrl: GATEWAY_URL },
      changes: [{ path: 'gateway_url', kind: 'changed', before: 'https://test.com/sms-gateway', after: GATEWAY_URL, secret: false }],
    },
    {
      name: 'a new secret, everything else kept',
      desired: { authentication: { method: 'bearer', secret: NEW_SECRET } },
      changes: [{ path: 'gateway_authentication.secret', kind: 'changed', before: '[redacted]', after: '[redacted]', secret: true }],
      check: (next) =>
        expect(next.gateway_authentication).toStrictEqual({
          method: 'bearer',
          subject: 'test.us.auth0.com:sms',
          audience: 'test.com/sms-gateway',
          secret: NEW_SECRET,
          secret_base64_encoded: false,
        }),
    },
    {
      name: 'a new subject keeps the current audience and secret',
      desired: { authentication: { method: 'bearer', subject: 'urn:Auth0' } },
      changes: [{ path: 'gateway_authentication.subject', kind: 'changed', before: 'test.us.auth0.com:sms', after: 'urn:Auth0', secret: false }],
    },
    {
      name: '--auth none removes gateway_authentication, each key listed',
      desired: { authentication: { method: 'none' } },
      changes: [
        { path: 'gateway_authentication.method', kind: 'removed', before: 'bearer', secret: false },
        { path: 'gateway_authentication.subject', kind: 'removed', before: 'test.us.auth0.com:sms', secret: false },
        { path: 'gateway_authentication.audience', kind: 'removed', before: 'test.com/sms-gateway', secret: false },
        { path: 'gateway_authentication.secret', kind: 'removed', before: '[redacted]', secret: true },
        { path: 'gateway_authentication.secret_base64_encoded', kind: 'removed', before: false, secret: false },
      ],
      check: (next) => expect(Object.hasOwn(next, 'gateway_authentication')).toBe(false),
    },
    {
      name: 'forward_req_info off',
      desired: { forwardReqInfo: false },
      changes: [{ path: 'forward_req_info', kind: 'changed', before: true, after: false, secret: false }],
    },
    {
      name: 'a liquid template on a liquid connection',
      desired: { template: '{{ code }} is your code' },
      changes: [{ path: 'template', kind: 'changed', before: 'Your verification code is {{ code }}', after: '{{ code }} is your code', secret: false }],
    },
  ];

  for (const row of table) {
    it(row.name, () => {
      const current = gatewayConnection();
      const plan = planSmsUpdate(current, row.desired);
      expect(plan.changes).toStrictEqual(row.changes);
      expect(plan.noop).toBe(row.changes.length === 0);
      if (row.changes.length === 0) expect(plan.next).toStrictEqual(current.options);
      row.check?.(plan.next);
      expectNoSecretIn(plan.changes);
      expectNoSecretIn(plan.warnings);
      expect(replan(current, plan.next, row.desired).noop).toBe(true);
    });
  }

  it('after --auth none, bearer needs the audience and secret again', () => {
    const current = gatewayConnection();
    const { next } = planSmsUpdate(current, { authentication: { method: 'none' } });
    const error = cliErrorOf(() => replan(current, next, { authentication: { method: 'bearer', secret: NEW_SECRET } }));
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message).toContain('--audience');
  });

  it('leaves gateway_authentication: null alone for --auth none', () => {
    const current = gatewayConnection();
    const options = { ...current.options, gateway_authentication: null };
    const plan = planSmsUpdate({ ...current, options }, { authentication: { method: 'none' } });
    expect(plan.noop).toBe(true);
    expect(plan.next.gateway_authentication).toBeNull();
  });

  it('replaces gateway_authentication: null with a full bearer object', () => {
    const current = gatewayConnection();
    const options = { ...current.options, gateway_authentication: null };
    const plan = planSmsUpdate({ ...current, options }, { authentication: { method: 'bearer', audience: 'aud', secret: NEW_SECRET } });
    expect(plan.changes).toStrictEqual([
      {
        path: 'gateway_authentication',
        kind: 'changed',
        before: null,
        after: { method: 'bearer', subject: 'urn:Auth0', audience: 'aud', secret: '[redacted]', secret_base64_encoded: false },
        secret: false,
      },
    ]);
    expectNoSecretIn(plan.changes);
  });

  it('keeps unknown keys inside gateway_authentication', () => {
    const current = gatewayConnection();
    const options = { ...current.options, gateway_authentication: { ...(current.options?.gateway_authentication as object), future: { x: 1 } } };
    const plan = planSmsUpdate({ ...current, options }, { authentication: { method: 'bearer', subject: 'sub2' } });
    expect(plan.next.gateway_authentication).toMatchObject({ future: { x: 1 }, subject: 'sub2', secret: GATEWAY_SECRET });
  });

  it('rejects an @@password@@ template on a liquid connection', () => {
    const error = cliErrorOf(() => planSmsUpdate(gatewayConnection(), { template: 'Code: @@password@@' }));
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message).toMatch(/^template: .*liquid/);
  });

  it('rejects marking the current secret base64url when it is not', () => {
    const current = gatewayConnection();
    const options = { ...current.options, gateway_authentication: { method: 'bearer', audience: 'a', secret: 'not base64url!' } };
    const error = cliErrorOf(() => planSmsUpdate({ ...current, options }, { authentication: { method: 'bearer', secretBase64Encoded: true } }));
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message).toContain('base64url');
    expect(error.message).not.toContain('not base64url!');
  });

  it('accepts a base64url secret marked as such', () => {
    const secret = Buffer.alloc(32, 7).toString('base64url');
    const plan = planSmsUpdate(gatewayConnection(), { authentication: { method: 'bearer', secret, secretBase64Encoded: true } });
    expect(plan.next.gateway_authentication).toMatchObject({ secret, secret_base64_encoded: true });
    expect(plan.warnings).toEqual([]);
  });
});

describe('planSmsUpdate: warnings', () => {
  it.each([true, 'true', 'unified'])('warns that use_phone_provider %j bypasses the gateway', (value) => {
    const connection = phoneProviderConnection();
    const plan = planSmsUpdate({ ...connection, options: { ...connection.options, use_phone_provider: value } }, { gatewayUrl: GATEWAY_URL });
    expect(plan.next.use_phone_provider).toBe(value);
    expect(plan.warnings).toEqual([expect.stringMatching(/^Auth0 bypasses the gateway while use_phone_provider is on/)]);
  });

  it('warns that use_phone_provider bypasses the gateway, and keeps the flag', () => {
    const plan = planSmsUpdate(phoneProviderConnection(), { gatewayUrl: GATEWAY_URL });
    expect(plan.next.use_phone_provider).toBe(true);
    expect(plan.warnings).toEqual([expect.stringMatching(/^Auth0 bypasses the gateway while use_phone_provider is on/)]);
    expect(plan.next).toStrictEqual({
      name: 'sms-upe',
      syntax: 'md_with_macros',
      template: 'Your code is @@password@@',
      totp: { time_step: 300, length: 6 },
      use_phone_provider: true,
      brute_force_protection: true,
      provider: 'sms_gateway',
      gateway_url: GATEWAY_URL,
    });
  });

  it('warns about a gateway Auth0 cannot reach', () => {
    const plan = planSmsUpdate(twilioConnection(), { gatewayUrl: 'https://localhost:8443/sms' });
    expect(plan.warnings).toEqual([expect.stringContaining('localhost')]);
  });

  it('warns about a short secret without printing it', () => {
    const plan = planSmsUpdate(twilioConnection(), {
      gatewayUrl: GATEWAY_URL,
      authentication: { method: 'bearer', audience: 'aud', secret: 'shortsecret123' },
    });
    expect(plan.warnings).toEqual([expect.stringMatching(/^secret .*32 bytes/)]);
    expect(JSON.stringify(plan)).toContain('shortsecret123'); // it is in `next`, which is sent
    expect(JSON.stringify([plan.warnings, plan.changes])).not.toContain('shortsecret123');
  });

  it('warns when the kept gateway URL would not pass validation', () => {
    const current = gatewayConnection();
    const options = { ...current.options, gateway_url: 'http://test.com/sms-gateway' };
    const plan = planSmsUpdate({ ...current, options }, {});
    expect(plan.noop).toBe(true);
    expect(plan.warnings).toEqual([expect.stringMatching(/current gateway URL must use https/)]);
  });

  it('does not count removing the Twilio credentials as a warning', () => {
    expect(planSmsUpdate(twilioConnection(), { gatewayUrl: GATEWAY_URL }).warnings).toEqual([]);
  });
});

describe('planSmsUpdate: refusals', () => {
  it('refuses a read without options (exit 1) and names the scope', () => {
    const error = cliErrorOf(() => planSmsUpdate(optionlessConnection(), switchToGateway));
    expect(error.exitCode).toBe(ExitCode.remote);
    expect(`${error.message} ${error.hint}`).toContain('read:connections_options');
  });

  it('refuses options: null the same way', () => {
    const error = cliErrorOf(() => planSmsUpdate({ ...twilioConnection(), options: null }, switchToGateway));
    expect(error.exitCode).toBe(ExitCode.remote);
  });

  it('refuses a connection that is not sms (exit 2)', () => {
    const error = cliErrorOf(() => planSmsUpdate(emailConnection(), switchToGateway));
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message).toContain('"email"');
  });

  const missing: { name: string; desired: DesiredSettings; flag: string }[] = [
    { name: 'no gateway URL anywhere', desired: { authentication: { method: 'none' } }, flag: '--gateway-url' },
    { name: 'no audience anywhere', desired: { gatewayUrl: GATEWAY_URL, authentication: { method: 'bearer', secret: NEW_SECRET } }, flag: '--audience' },
    {
      name: 'no secret anywhere',
      desired: { gatewayUrl: GATEWAY_URL, authentication: { method: 'bearer', audience: 'aud' } },
      flag: '--secret-env/--secret-file/--generate-secret',
    },
  ];
  for (const row of missing) {
    it(`names ${row.flag} when there is ${row.name}`, () => {
      const error = cliErrorOf(() => planSmsUpdate(twilioConnection(), row.desired));
      expect(error.exitCode).toBe(ExitCode.input);
      expect(error.message).toContain(row.flag);
    });
  }

  it('rejects invalid settings with field: message lines, the secret never repeated', () => {
    const error = cliErrorOf(() =>
      planSmsUpdate(twilioConnection(), {
        gatewayUrl: 'http://sms.example.com',
        authentication: { method: 'bearer', audience: '', secret: 'a+b/c=', secretBase64Encoded: true },
      }),
    );
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message.split('\n')).toEqual([
      expect.stringMatching(/^gatewayUrl: gateway URL must use https:\/\//),
      expect.stringMatching(/^authentication\.audience: audience is empty/),
      expect.stringMatching(/^authentication\.secret: secret /),
    ]);
    expect(error.message).not.toContain('a+b/c=');
  });

  it('rejects a liquid placeholder on an md_with_macros connection', () => {
    const error = cliErrorOf(() => planSmsUpdate(twilioConnection(), { gatewayUrl: GATEWAY_URL, template: 'Code {{ code }}' }));
    expect(error.message).toMatch(/^template: .*@@password@@/);
  });
});

describe('the signing secret in another setting', () => {
  it.each([
    ['gateway_authentication.audience', { authentication: { method: 'bearer', audience: NEW_SECRET, secret: NEW_SECRET } }],
    ['gateway_authentication.subject', { authentication: { method: 'bearer', subject: `urn:${NEW_SECRET}`, audience: 'urn:gw', secret: NEW_SECRET } }],
    ['template', { template: `Your code is @@password@@ ${NEW_SECRET}`, authentication: { method: 'bearer', audience: 'urn:gw', secret: NEW_SECRET } }],
    ['gateway_url', { gatewayUrl: `https://sms.example.com/send?k=${NEW_SECRET}`, authentication: { method: 'bearer', audience: 'urn:gw', secret: NEW_SECRET } }],
  ] as const)('is refused (exit 2) where it would be stored in clear: %s, never shown', (field, desired) => {
    const error = cliErrorOf(() => planSmsUpdate(twilioConnection(), { gatewayUrl: GATEWAY_URL, ...desired } as DesiredSettings));
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message).toContain(`${field} holds the gateway's signing secret`);
    expect(`${error.message} ${error.hint}`).not.toContain(NEW_SECRET);
  });

  it('what is already stored does not block an unrelated change; a new secret is checked against all of it', () => {
    const current = gatewayConnection();
    const stored = { ...current, options: { ...current.options, gateway_authentication: { ...(current.options!.gateway_authentication as object), audience: GATEWAY_SECRET } } };
    expect(planSmsUpdate(stored, { from: '+15550001111' }).noop).toBe(false);
    expect(planSmsUpdate(stored, { authentication: { method: 'bearer', secret: GATEWAY_SECRET } }).noop).toBe(true);
    // A new secret that a stored setting already holds would be newly exposed there.
    const holding = { ...current, options: { ...current.options, template: `Code {{ code }} ${NEW_SECRET}` } };
    const rotated = cliErrorOf(() => planSmsUpdate(holding, { authentication: { method: 'bearer', secret: NEW_SECRET } }));
    expect(rotated.exitCode).toBe(ExitCode.input);
    expect(rotated.message).toContain("template holds the gateway's signing secret");
  });

  it('a template placeholder is not the secret, even a secret spelt "password"', () => {
    const plan = planSmsUpdate(twilioConnection(), { gatewayUrl: GATEWAY_URL, template: 'Your code is @@password@@', authentication: { method: 'bearer', audience: 'urn:gw', secret: 'password' } });
    expect(plan.next.template).toBe('Your code is @@password@@');
  });
});

describe('planSmsUpdate: frozen desired settings (apply shares one object among entries)', () => {
  const template = (syntax: string, text: string): Connection => ({ ...twilioConnection(), options: { ...twilioConnection().options, syntax, template: text } });

  it('plans as an unfrozen copy does, connection after connection', () => {
    const frozen = deepFreeze(structuredClone(switchToGateway));
    for (const connection of [twilioConnection(), gatewayConnection(), twilioConnection()]) {
      expect(planSmsUpdate(connection, frozen)).toEqual(planSmsUpdate(connection, structuredClone(switchToGateway)));
    }
  });

  it('is still checked for each connection\'s syntax: a liquid template passes for liquid, not for md_with_macros', () => {
    const frozen = deepFreeze({ ...structuredClone(switchToGateway), template: 'Your code: {{ code }}' });
    expect(planSmsUpdate(template('liquid', 'Code: {{ code }}'), frozen).next.template).toBe('Your code: {{ code }}');
    const error = cliErrorOf(() => planSmsUpdate(template('md_with_macros', 'Code: @@password@@'), frozen));
    expect(error.exitCode).toBe(ExitCode.input);
    expect(error.message).toMatch(/uses a liquid placeholder, but this connection's syntax is md_with_macros/);
    // And a third time, after the refusal: the same answer, not a kept one.
    expect(planSmsUpdate(template('liquid', 'Code: {{ code }}'), frozen).next.template).toBe('Your code: {{ code }}');
  });
});
