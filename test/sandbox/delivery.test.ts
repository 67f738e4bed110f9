/**
 * The sandbox as Auth0's sending path: /passwordless/start on a legacy gateway connection (a real
 * local HTTPS gateway, the JWT checked independently), on a Unified Phone Experience tenant
 * running a deployed custom-phone-provider Action, and sandbox.deliver().
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createCertificate,
  SEED_CLIENTS,
  SEED_GATEWAY_SECRET,
  SEED_IDS,
  SEED_LOGIN_CLIENT_ID,
  seedConnections,
  seedCustomPhoneProvider,
  seedForeignPhoneAction,
  seedTwilioPhoneProvider,
  startSandbox,
  type ActionSeed,
  type SandboxConnection,
  type Sandbox,
  type SandboxOptions,
} from '../../src/sandbox/index.js';
import { startTestSandbox } from '../helpers/sandbox.js';
import { startTestGateway, verifyHs256, type TestGateway } from './gateway.js';
import { full, passwordlessStart } from './http.js';

const PHONE = '+15550100100';
const AUDIENCE = 'https://sms-gateway.example.com';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.close();
});

/** The seed connections with the gateway connection pointed at the local gateway. */
function connectionsWithGateway(patch: Record<string, unknown> = {}): SandboxConnection[] {
  return seedConnections().map((c) => (c.id === SEED_IDS.gateway ? { ...c, options: { ...c.options, gateway_url: gateway.url, ...patch } } : c));
}

/** An SMS connection created on a Unified Phone Experience tenant: no legacy keys at all. */
const UPE_CONNECTION: SandboxConnection = {
  id: 'con_UnifiedPhoneSms1',
  name: 'sms-upe',
  display_name: 'SMS',
  strategy: 'sms',
  options: { name: 'sms-upe', syntax: 'md_with_macros', template: 'Your code: @@password@@', totp: { time_step: 300, length: 6 }, brute_force_protection: true },
  enabled_clients: [SEED_LOGIN_CLIENT_ID],
};

/** A tiny forwarder: POSTs the message to GATEWAY_URL; 503 → retry, another non-200 → drop. */
const FORWARDER = `
exports.onExecuteCustomPhoneProvider = async (event, api) => {
  const response = await fetch(event.secrets.GATEWAY_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ recipient: event.notification.recipient, body: event.notification.as_text, type: event.notification.message_type }),
    signal: AbortSignal.timeout(5000),
  });
  console.log('gateway answered ' + response.status);
  if (response.status === 503) api.notification.retry('gateway busy: ' + response.status);
  else if (response.status !== 200) api.notification.drop('gateway refused: ' + response.status);
};
`;

const phoneAction = (code: string, secrets: Array<{ name: string; value: string }> = []): ActionSeed => ({
  name: 'test-phone-action',
  supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }],
  code,
  secrets,
  deployed: true,
});

/** A UPE tenant whose custom provider runs `code`. */
function upeTenant(code: string, extra: Partial<SandboxOptions> = {}): SandboxOptions {
  return {
    tenant: { phoneConsolidatedExperience: true },
    connections: [...seedConnections(), UPE_CONNECTION],
    phoneProvider: seedCustomPhoneProvider(),
    actions: [phoneAction(code, [{ name: 'GATEWAY_URL', value: gateway.url }])],
    bindings: { 'custom-phone-provider': [{ action: 'test-phone-action' }] },
    ...extra,
  };
}

async function withSandbox<T>(options: SandboxOptions, run: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await startTestSandbox(options);
  try {
    return await run(sandbox);
  } finally {
    await sandbox.close();
  }
}

describe('POST /passwordless/start on a legacy tenant', () => {
  // Started in a hook: the connections need the gateway's URL, known once it listens.
  let legacy: Sandbox | undefined;
  beforeAll(async () => {
    legacy = await startTestSandbox({ connections: connectionsWithGateway() });
  });
  afterEach(() => legacy?.reset());
  afterAll(async () => {
    await legacy?.close();
  });
  const sandbox = (): Sandbox => {
    if (legacy === undefined) throw new Error('the legacy sandbox is not started');
    return legacy;
  };

  it('sends the gateway { recipient, body, sender, req } with an HS256 bearer JWT (sub, aud, iat, exp) and answers 200', async () => {
    gateway.hits.length = 0;
    gateway.answer = 200;
    const response = await passwordlessStart(
      sandbox(),
      { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms-gateway', phone_number: PHONE, send: 'code' },
      { headers: { 'user-agent': 'Mozilla/5.0 (sandbox test)' } },
    );
    expect(response).toMatchObject({ status: 200, body: { _id: expect.stringMatching(/^[0-9a-f]{24}$/), phone_number: PHONE } });
    expect(gateway.hits).toHaveLength(1);
    const hit = gateway.hits[0];
    expect(hit).toMatchObject({ method: 'POST', path: '/sms', headers: { 'content-type': 'application/json' } });
    expect(hit?.body).toEqual({
      recipient: PHONE,
      body: expect.stringMatching(/^Your code is \d{6}$/),
      sender: '+15557654321',
      req: { ip: '127.0.0.1', 'user-agent': 'Mozilla/5.0 (sandbox test)' },
    });
    const token = /^Bearer (.+)$/.exec(String(hit?.headers.authorization))?.[1] ?? '';
    const claims = verifyHs256(token, Buffer.from(SEED_GATEWAY_SECRET, 'utf8'));
    expect(claims).toEqual({ sub: 'urn:Auth0', aud: AUDIENCE, iat: expect.any(Number), exp: expect.any(Number) });
    expect((claims.exp as number) - (claims.iat as number)).toBeGreaterThan(0);
    expect(() => verifyHs256(token, Buffer.from(`${SEED_GATEWAY_SECRET}x`))).toThrow(/signature/);
    expect(sandbox().phoneMessages).toEqual([
      { at: expect.any(Number), via: 'gateway', connection: 'sms-gateway', to: PHONE, text: (hit?.body as { body: string }).body, outcome: 'delivered', status: 200, logs: [] },
    ]);
    expect(sandbox().requests.at(-1)).toMatchObject({ method: 'POST', path: '/passwordless/start', status: 200 });
  });

  it('maps gateway answers as Auth0 does: only 200 succeeds, 401 is an authentication failure', async () => {
    const start = () => passwordlessStart(sandbox(), { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms-gateway', phone_number: PHONE, send: 'code' });
    for (const [answer, description] of [
      [201, 'Unexpected response while calling the SMS gateway: 201'],
      [204, 'Unexpected response while calling the SMS gateway: 204'],
      [500, 'Unexpected response while calling the SMS gateway: 500'],
      [401, 'Authentication failed while calling the SMS gateway: 401'],
    ] as const) {
      gateway.answer = answer;
      expect(await start()).toMatchObject({ status: 400, body: { error: 'sms_provider_error', error_description: description } });
      expect(sandbox().phoneMessages.at(-1)).toMatchObject({ via: 'gateway', outcome: 'failed', status: answer, reason: description });
    }
    // no answer within the gateway timeout (Auth0's is 30 s; shortened here)
    await withSandbox({ connections: connectionsWithGateway(), gatewayTimeoutMs: 200 }, async (quick) => {
      gateway.answer = 'hang';
      const response = await passwordlessStart(quick, { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms-gateway', phone_number: PHONE, send: 'code' });
      expect(response).toMatchObject({ status: 400, body: { error: 'sms_provider_error', error_description: 'Timeout while calling the SMS gateway' } });
      expect(quick.phoneMessages).toEqual([expect.objectContaining({ via: 'gateway', outcome: 'failed', reason: 'Timeout while calling the SMS gateway' })]);
    });
    gateway.answer = 200;
  });

  it('takes a form body too, and refuses what Auth0 refuses', async () => {
    gateway.answer = 200;
    expect((await passwordlessStart(sandbox(), { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms', phone_number: PHONE, send: 'code' }, { form: true })).status).toBe(200);
    expect(sandbox().phoneMessages.at(-1)).toMatchObject({ via: 'twilio', connection: 'sms', outcome: 'delivered', text: expect.stringMatching(/^Your verification code is: \d{6}$/) });
    expect(await passwordlessStart(sandbox(), { client_id: SEED_LOGIN_CLIENT_ID, connection: 'nope', phone_number: PHONE })).toMatchObject({
      status: 400,
      body: { error: 'bad.connection', error_description: 'Connection does not exist' },
    });
    expect((await passwordlessStart(sandbox(), { client_id: SEED_CLIENTS.full.clientId, connection: 'sms-gateway', phone_number: PHONE })).body).toMatchObject({ error: 'bad.connection' });
    expect((await passwordlessStart(sandbox(), { connection: 'sms', phone_number: PHONE })).body).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('client_id') });
    expect((await passwordlessStart(sandbox(), { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms' })).body).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('phone_number') });
    expect(sandbox().phoneMessages).toHaveLength(1);
  });

  it('signs with the base64url-decoded secret when secret_base64_encoded, and leaves req out without forward_req_info', async () => {
    const key = Buffer.from('a-32-byte-signing-key-for-tests!');
    const connections = connectionsWithGateway({
      forward_req_info: false,
      gateway_authentication: { method: 'bearer', audience: 'urn:gw', secret: key.toString('base64url'), secret_base64_encoded: true },
    });
    await withSandbox({ connections }, async (sandbox) => {
      gateway.hits.length = 0;
      gateway.answer = 200;
      expect((await passwordlessStart(sandbox, { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms-gateway', phone_number: PHONE, send: 'code' })).status).toBe(200);
      const hit = gateway.hits[0];
      expect(hit?.body).not.toHaveProperty('req');
      const token = String(hit?.headers.authorization).slice('Bearer '.length);
      expect(verifyHs256(token, key)).toEqual({ aud: 'urn:gw', iat: expect.any(Number), exp: expect.any(Number) }); // no subject configured: no sub
      expect(() => verifyHs256(token, Buffer.from(key.toString('base64url')))).toThrow(/signature/);
    });
  });
});

describe('outbound TLS', () => {
  it('trusts the system CAs, the sandbox certificate and outboundCa, and nothing else', async () => {
    const foreign = await createCertificate();
    const other = await startTestGateway(foreign);
    try {
      const connections = seedConnections().map((c) => (c.id === SEED_IDS.gateway ? { ...c, options: { ...c.options, gateway_url: other.url } } : c));
      await withSandbox({ connections }, async (sandbox) => {
        expect(await sandbox.deliver({ to: PHONE, connection: 'sms-gateway' })).toMatchObject({
          via: 'gateway',
          outcome: 'failed',
          reason: expect.stringMatching(/^Unexpected error while calling the SMS gateway: \S*(SELF_SIGNED|CERT)/),
        });
      });
      await withSandbox({ connections, outboundCa: [foreign.cert] }, async (sandbox) => {
        expect(await sandbox.deliver({ to: PHONE, connection: 'sms-gateway' })).toMatchObject({ via: 'gateway', outcome: 'delivered', status: 200 });
      });
      // as in `demo`: the gateway serves the sandbox's own certificate, which no CA list of the process holds
      const own = await startSandbox({ tls: foreign, connections });
      try {
        expect(await own.deliver({ to: PHONE, connection: 'sms-gateway' })).toMatchObject({ via: 'gateway', outcome: 'delivered', status: 200 });
      } finally {
        await own.close();
      }
      expect(other.hits).toHaveLength(2);
    } finally {
      await other.close();
    }
  });
});

describe('routing: where a Passwordless code goes', () => {
  it('follows use_phone_provider, the tenant flag and the legacy keys as Auth0 does', async () => {
    const twilio = seedConnections()[0] as SandboxConnection;
    const withOptions = (options: Record<string, unknown>): SandboxConnection => ({ ...twilio, options: { ...twilio.options, ...options } });
    const rows: Array<[string, boolean | 'absent', SandboxConnection, string]> = [
      ['legacy tenant, Twilio options', false, twilio, 'twilio'],
      ['legacy tenant, gateway options', false, { ...twilio, options: { ...withOptions({}).options, provider: 'sms_gateway', gateway_url: gateway.url } }, 'gateway'],
      ['legacy tenant, use_phone_provider true', false, withOptions({ use_phone_provider: true }), 'provider'],
      ['legacy tenant, use_phone_provider "true"', false, withOptions({ use_phone_provider: 'true' }), 'provider'],
      ['legacy tenant, use_phone_provider "unified"', false, withOptions({ use_phone_provider: 'unified' }), 'provider'],
      ['legacy tenant, use_phone_provider false', false, withOptions({ use_phone_provider: false }), 'twilio'],
      ['legacy tenant, no legacy keys (absent provider means Twilio)', false, { ...UPE_CONNECTION, id: twilio.id, name: twilio.name }, 'twilio'],
      ['UPE tenant, connection with twilio_sid', true, twilio, 'twilio'],
      ['UPE tenant, connection without legacy keys', true, { ...UPE_CONNECTION, id: twilio.id, name: twilio.name }, 'provider'],
      ['flag absent, connection without legacy keys', 'absent', { ...UPE_CONNECTION, id: twilio.id, name: twilio.name }, 'provider'],
      ['flag absent, connection with twilio_sid', 'absent', twilio, 'twilio'],
    ];
    const seen: Array<[string, string]> = [];
    for (const [label, flag, connection] of rows) {
      await withSandbox({ tenant: { phoneConsolidatedExperience: flag }, connections: [connection], phoneProvider: seedTwilioPhoneProvider() }, async (sandbox) => {
        gateway.answer = 200;
        const record = await sandbox.deliver({ to: PHONE, connection: connection.name });
        // the Twilio phone provider also says "twilio": tell the two apart by the text (the connection's template vs the tenant's)
        const route = record.via === 'gateway' ? 'gateway' : record.text.includes('is your verification code for') ? 'provider' : record.via;
        seen.push([label, route]);
        expect(record.outcome).toBe('delivered');
      });
    }
    expect(seen).toEqual(rows.map(([label, , , expected]) => [label, expected]));
  });
});

describe('POST /passwordless/start on a Unified Phone Experience tenant', () => {
  it('runs the bound, deployed Action with Auth0\'s event and answers 200 before it finishes', async () => {
    // The event goes out through the Action's fetch (a log line would be cut at 256 characters).
    const code = `exports.onExecuteCustomPhoneProvider = async (event, api) => {
      const shape = { event, apiKeys: Object.keys(api), notification: Object.keys(api.notification), cache: Object.keys(api.cache) };
      await fetch(event.secrets.GATEWAY_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(shape) });
    };`;
    await withSandbox(upeTenant(code), async (sandbox) => {
      gateway.hits.length = 0;
      gateway.answer = 200;
      const response = await passwordlessStart(sandbox, { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms-upe', phone_number: PHONE, send: 'code' }, { headers: { 'user-agent': 'UA/1' } });
      expect(response).toMatchObject({ status: 200, body: { phone_number: PHONE } });
      await sandbox.idle();
      const [message] = sandbox.phoneMessages;
      expect(message).toMatchObject({ via: 'custom-action', connection: 'sms-upe', to: PHONE, outcome: 'delivered', text: expect.stringMatching(/^\d{6} is your verification code for Sandbox Tenant$/) });
      const logged = gateway.hits[0]?.body as { event: Record<string, Record<string, unknown>>; apiKeys: string[]; notification: string[]; cache: string[] };
      expect(logged.apiKeys.sort()).toEqual(['cache', 'notification']);
      expect(logged.notification.sort()).toEqual(['drop', 'retry']);
      expect(logged.cache.sort()).toEqual(['delete', 'get', 'set']);
      const { event } = logged;
      expect(event.notification).toEqual({
        recipient: PHONE,
        as_text: message?.text,
        as_voice: expect.stringContaining('Your verification code for Sandbox Tenant is'),
        delivery_method: 'text',
        message_type: 'otp_verify',
        code: expect.stringMatching(/^\d{6}$/),
        locale: 'en_US',
      });
      expect(message?.text.startsWith(String(event.notification?.code))).toBe(true);
      expect(event.request).toEqual({ ip: '127.0.0.1', method: 'POST', geoip: {}, hostname: sandbox.domain, language: expect.any(String), user_agent: 'UA/1' });
      expect(event.client).toEqual({ client_id: SEED_LOGIN_CLIENT_ID, name: expect.any(String), metadata: {} });
      expect(event.connection).toEqual({ id: UPE_CONNECTION.id, name: 'sms-upe', strategy: 'sms', metadata: {} });
      expect(event.tenant).toMatchObject({ id: expect.any(String), friendly_name: 'Sandbox Tenant' });
      expect(event.secrets).toEqual({ GATEWAY_URL: gateway.url });
      expect(event.user).toMatchObject({ user_id: expect.stringMatching(/^sms\|/), phone_number: PHONE });
    });
  });

  it('delivers through a forwarder Action to a gateway, and records the Action\'s retry and drop (Auth0 still answers 200)', async () => {
    await withSandbox(upeTenant(FORWARDER), async (sandbox) => {
      gateway.hits.length = 0;
      const start = () => passwordlessStart(sandbox, { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms-upe', phone_number: PHONE, send: 'code' });
      const outcomes = [];
      for (const answer of [200, 503, 400] as const) {
        gateway.answer = answer;
        expect((await start()).status).toBe(200);
        await sandbox.idle();
        outcomes.push(sandbox.phoneMessages.at(-1));
      }
      expect(outcomes).toEqual([
        expect.objectContaining({ via: 'custom-action', outcome: 'delivered', logs: ['gateway answered 200'] }),
        expect.objectContaining({ outcome: 'retry', reason: 'gateway busy: 503', logs: ['gateway answered 503'] }),
        expect.objectContaining({ outcome: 'drop', reason: 'gateway refused: 400' }),
      ]);
      expect(gateway.hits.map((h) => h.body)).toEqual(
        [0, 1, 2].map(() => ({ recipient: PHONE, body: expect.stringMatching(/^\d{6} is your verification code/), type: 'otp_verify' })),
      );
      gateway.answer = 200;
    });
  });

  it('answers 400 when the tenant has no usable provider, and records why', async () => {
    const { phoneProvider: _none, ...withoutProvider } = upeTenant(FORWARDER);
    await withSandbox(withoutProvider, async (sandbox) => {
      expect(await passwordlessStart(sandbox, { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms-upe', phone_number: PHONE })).toMatchObject({
        status: 400,
        body: { error: 'sms_provider_error', error_description: 'No phone provider configured for the tenant' },
      });
      expect(sandbox.phoneMessages).toEqual([expect.objectContaining({ via: 'none', outcome: 'error' })]);
    });
    await withSandbox({ ...upeTenant(FORWARDER), phoneProvider: { ...seedCustomPhoneProvider(), configuration: { delivery_methods: ['voice'] } } }, async (sandbox) => {
      expect((await passwordlessStart(sandbox, { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms-upe', phone_number: PHONE })).body).toMatchObject({
        error_description: expect.stringContaining('delivery method (sms/text) is not supported'),
      });
    });
  });
});

describe('sandbox.deliver() and the Action runtime', () => {
  const run = async (code: string, extra: Partial<SandboxOptions> = {}, input: Partial<Parameters<Sandbox['deliver']>[0]> = {}) =>
    withSandbox(upeTenant(code, extra), (sandbox) => sandbox.deliver({ to: PHONE, ...input }));

  it('resolves to the record of what the Action decided: last call wins, reason cut at 1,024', async () => {
    const record = await run(`exports.onExecuteCustomPhoneProvider = async (event, api) => {
      api.notification.retry('first');
      api.notification.drop('x'.repeat(2000));
    };`);
    expect(record).toMatchObject({ via: 'custom-action', outcome: 'drop', reason: 'x'.repeat(1024) });
  });

  it('ends an Action at the execution limit, asynchronous or endless', async () => {
    expect(await run('exports.onExecuteCustomPhoneProvider = async () => { await new Promise((resolve) => setTimeout(resolve, 60000)); };', { actionTimeoutMs: 150 })).toMatchObject({
      outcome: 'error',
      reason: expect.stringMatching(/timeout/i),
    });
    expect(await run('exports.onExecuteCustomPhoneProvider = async () => { for (;;) {} };', { actionTimeoutMs: 150 })).toMatchObject({
      outcome: 'error',
      reason: expect.stringMatching(/timed out/),
    });
  });

  it('gives require Node built-ins only', async () => {
    const builtins = await run(`const crypto = require('node:crypto'); const { createHash } = require('crypto');
      exports.onExecuteCustomPhoneProvider = async (event) => { console.log(crypto.createHash('sha256').update(event.notification.recipient).digest('hex'), typeof createHash); };`);
    expect(builtins).toMatchObject({ outcome: 'delivered', logs: [`${createHash('sha256').update(PHONE).digest('hex')} function`] });
    const npm = await run(`const jose = require('jose'); exports.onExecuteCustomPhoneProvider = async () => {};`);
    expect(npm).toMatchObject({ outcome: 'error', reason: "Error: Cannot find module 'jose'" });
    const caught = await run(`exports.onExecuteCustomPhoneProvider = async (event, api) => {
      try { require('twilio'); } catch (error) { api.notification.drop(error.code + ': ' + error.message); }
    };`);
    expect(caught).toMatchObject({ outcome: 'drop', reason: "MODULE_NOT_FOUND: Cannot find module 'twilio'" });
  });

  it('keeps each console call to 256 characters, reports a throw, and a missing handler', async () => {
    expect(await run("exports.onExecuteCustomPhoneProvider = async () => { console.log('y'.repeat(300)); console.error('second', 2); throw new TypeError('boom'); };")).toEqual(
      expect.objectContaining({ outcome: 'error', reason: 'TypeError: boom', logs: ['y'.repeat(256), 'second 2'] }),
    );
    expect(await run('exports.somethingElse = async () => {};')).toMatchObject({ outcome: 'error', reason: expect.stringContaining('onExecuteCustomPhoneProvider') });
  });

  it('keeps api.cache between runs of the trigger', async () => {
    const code = `exports.onExecuteCustomPhoneProvider = async (event, api) => {
      const seen = api.cache.get('count');
      const next = String(Number(seen ? seen.value : '0') + 1);
      console.log(next, JSON.stringify(api.cache.set('count', next).type), JSON.stringify(api.cache.set('big', 'z'.repeat(5000))));
    };`;
    await withSandbox(upeTenant(code), async (sandbox) => {
      const first = await sandbox.deliver({ to: PHONE });
      const second = await sandbox.deliver({ to: PHONE });
      expect([first.logs, second.logs]).toEqual([['1 "success" {"type":"error","code":"CacheValueSizeExceeded"}'], ['2 "success" {"type":"error","code":"CacheValueSizeExceeded"}']]);
      sandbox.reset();
      expect((await sandbox.deliver({ to: PHONE })).logs[0]).toMatch(/^1 /);
    });
  });

  it('takes deliveryMethod, messageType, code and from into the event, and runs only the deployed version', async () => {
    const code = "exports.onExecuteCustomPhoneProvider = async (event) => { const { as_text, as_voice, ...rest } = event.notification; console.log(JSON.stringify(rest)); };";
    await withSandbox(upeTenant(code), async (sandbox) => {
      const record = await sandbox.deliver({ to: PHONE, deliveryMethod: 'text', messageType: 'otp_enroll', code: '424242', from: '+15550009999' });
      expect(JSON.parse(record.logs[0] ?? '{}')).toMatchObject({ message_type: 'otp_enroll', code: '424242', from: '+15550009999', delivery_method: 'text' });
      expect(record.text).toBe('424242 is your verification code for Sandbox Tenant. Please enter this code to verify your enrollment.');
      // a voice message the provider does not deliver
      expect(await sandbox.deliver({ to: PHONE, deliveryMethod: 'voice' })).toMatchObject({ via: 'none', outcome: 'error' });
      // an edited but undeployed draft does not run
      const [action] = sandbox.actions();
      await full(sandbox, 'PATCH', `/actions/actions/${action?.id}`, { code: "exports.onExecuteCustomPhoneProvider = async () => { console.log('draft'); };" });
      await sandbox.idle();
      expect((await sandbox.deliver({ to: PHONE, code: '1' })).logs[0]).not.toBe('draft');
    });
  });

  it('reports an unbound provider Action, and Twilio and a missing provider without one', async () => {
    await withSandbox({ ...upeTenant(FORWARDER), bindings: {} }, async (sandbox) => {
      expect(await sandbox.deliver({ to: PHONE })).toMatchObject({ via: 'custom-action', outcome: 'error', reason: expect.stringContaining('No deployed Action is bound') });
    });
    await withSandbox({ phoneProvider: seedTwilioPhoneProvider() }, async (sandbox) => {
      expect(await sandbox.deliver({ to: PHONE })).toMatchObject({ via: 'twilio', outcome: 'delivered' });
    });
    await withSandbox({}, async (sandbox) => {
      expect(await sandbox.deliver({ to: PHONE })).toMatchObject({ via: 'none', outcome: 'error', reason: 'No phone provider configured for the tenant' });
      await expect(sandbox.deliver({ to: PHONE, connection: 'email' })).rejects.toThrow(/not an SMS connection/);
    });
  });

  it('runs another vendor\'s bound Action when that is what is bound', async () => {
    await withSandbox(
      { phoneProvider: seedCustomPhoneProvider(), actions: [seedForeignPhoneAction()], bindings: { 'custom-phone-provider': [{ action: 'acme-sms-provider' }] } },
      async (sandbox) => {
        expect(await sandbox.deliver({ to: PHONE })).toMatchObject({ via: 'custom-action', outcome: 'delivered', logs: [`acme: otp_verify for ${PHONE}`] });
      },
    );
  });
});

describe('the whole flow through the Management API, then a code', () => {
  it('create → build → deploy → bind → custom provider → …/try and /passwordless/start reach the gateway', async () => {
    await withSandbox({ tenant: { phoneConsolidatedExperience: true }, connections: [UPE_CONNECTION] }, async (sandbox) => {
      gateway.hits.length = 0;
      gateway.answer = 200;
      const created = await full(sandbox, 'POST', '/actions/actions', {
        name: 'sms-gateway-forwarder',
        supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }],
        code: FORWARDER,
        secrets: [{ name: 'GATEWAY_URL', value: gateway.url }],
      });
      const id = (created.body as { id: string }).id;
      await sandbox.idle();
      expect((await full(sandbox, 'POST', `/actions/actions/${id}/deploy`)).status).toBe(200);
      expect((await full(sandbox, 'PATCH', '/actions/triggers/custom-phone-provider/bindings', { bindings: [{ ref: { type: 'action_id', value: id } }] })).status).toBe(200);
      const provider = await full(sandbox, 'POST', '/branding/phone/providers', { name: 'custom', credentials: {}, configuration: { delivery_methods: ['text'] } });
      expect(provider.status).toBe(201);
      const tried = await full(sandbox, 'POST', `/branding/phone/providers/${(provider.body as { id: string }).id}/try`, { to: PHONE });
      expect(tried.status).toBe(202);
      expect((await passwordlessStart(sandbox, { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms-upe', phone_number: PHONE, send: 'code' })).status).toBe(200);
      await sandbox.idle();
      expect(sandbox.phoneMessages.map((m) => [m.via, m.connection ?? '-', m.outcome])).toEqual(
        expect.arrayContaining([
          ['custom-action', '-', 'delivered'],
          ['custom-action', 'sms-upe', 'delivered'],
        ]),
      );
      expect(gateway.hits).toHaveLength(2);
    });
  });
});
