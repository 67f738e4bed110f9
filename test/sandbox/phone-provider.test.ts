import { describe, expect, it } from 'vitest';
import {
  SEED_PHONE_TWILIO_TOKEN,
  seedCustomPhoneProvider,
  seedForeignPhoneAction,
  seedTwilioPhoneProvider,
  type SandboxPhoneProvider,
} from '../../src/sandbox/index.js';
import { startTestSandbox, useSandbox } from '../helpers/sandbox.js';
import { expectEachScopeNeeded, full } from './http.js';

const providers = '/branding/phone/providers';
const TWILIO = {
  name: 'twilio',
  disabled: false,
  configuration: { sid: 'AC0123456789abcdef0123456789abcdef', default_from: '+15550001111', delivery_methods: ['text'] },
  credentials: { auth_token: 'twilio-auth-token-for-the-test-0123' },
};
const CUSTOM = { name: 'custom', disabled: false, configuration: { delivery_methods: ['text'] }, credentials: {} };
const PROVIDER_KEYS = ['channel', 'configuration', 'created_at', 'disabled', 'id', 'name', 'tenant', 'updated_at'];

describe('phone provider, on a tenant without one', () => {
  const sandbox = useSandbox();

  it('lists none, creates a Twilio provider (201), never shows its token, and lists it with credentials null', async () => {
    expect(await full(sandbox(), 'GET', providers)).toMatchObject({ status: 200, body: { providers: [] } });
    const created = await full(sandbox(), 'POST', providers, TWILIO);
    expect(created.status).toBe(201);
    const body = created.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(PROVIDER_KEYS);
    expect(body).toMatchObject({ id: expect.stringMatching(/^pro_[A-Za-z0-9]{22}$/), tenant: sandbox().domain, name: 'twilio', channel: 'phone', disabled: false, configuration: TWILIO.configuration });
    expect(new Date(body.created_at as string).toISOString()).toBe(body.created_at);
    const id = body.id as string;

    const list = (await full(sandbox(), 'GET', providers)).body as { providers: Array<Record<string, unknown>> };
    expect(list.providers).toEqual([{ ...body, credentials: null }]);
    expect((await full(sandbox(), 'GET', `${providers}?disabled=true`)).body).toEqual({ providers: [] });
    expect((await full(sandbox(), 'GET', `${providers}?disabled=false`)).body).toEqual(list);
    expect((await full(sandbox(), 'GET', `${providers}/${id}`)).body).toEqual(body);
    expect(JSON.stringify(sandbox().requests.filter((r) => r.method === 'GET'))).not.toContain(TWILIO.credentials.auth_token);
    expect(sandbox().phoneProvider()).toMatchObject({ id, credentials: TWILIO.credentials });
  });

  it('refuses a second provider with 409', async () => {
    expect((await full(sandbox(), 'POST', providers, TWILIO)).status).toBe(201);
    expect(await full(sandbox(), 'POST', providers, TWILIO)).toMatchObject({
      status: 409,
      body: { statusCode: 409, error: 'Conflict', message: 'Custom phone provider conflict.' },
    });
  });

  it('validates the body like Auth0: name, credentials, Twilio configuration and default_from', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...TWILIO, name: 'vonage' }, /No enum match for: "vonage"' on property name/],
      [{ name: 'twilio', configuration: TWILIO.configuration }, /Missing required property: credentials/],
      [{ name: 'custom', configuration: CUSTOM.configuration }, /Missing required property: credentials/],
      [{ ...TWILIO, credentials: {} }, /Missing required property: auth_token' on property credentials/],
      [{ ...TWILIO, credentials: { auth_token: '' } }, /too short.* credentials.auth_token/],
      [{ ...TWILIO, credentials: { auth_token: 'x', api_key: 'y' } }, /Additional properties not allowed: api_key/],
      [{ ...TWILIO, configuration: { ...TWILIO.configuration, delivery_methods: [] } }, /minimum 1' on property configuration.delivery_methods/],
      [{ ...TWILIO, configuration: { ...TWILIO.configuration, delivery_methods: ['sms'] } }, /No enum match for: "sms"/],
      [{ ...CUSTOM, configuration: { delivery_methods: ['text'], sid: 'AC1' } }, /Additional properties not allowed: sid' on property configuration/],
      [{ ...CUSTOM, credentials: { auth_token: 'x' } }, /Additional properties not allowed: auth_token' on property credentials/],
      [{ ...TWILIO, disabled: 'no' }, /Expected type boolean/],
    ];
    for (const [body, message] of cases) {
      const response = await full(sandbox(), 'POST', providers, body);
      expect({ body, status: response.status, response: response.body }).toEqual({
        body,
        status: 400,
        response: { statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message), errorCode: 'invalid_body' },
      });
    }
    // Twilio without default_from: Auth0's own wording, no errorCode.
    const { default_from: _, ...withoutFrom } = TWILIO.configuration;
    expect(await full(sandbox(), 'POST', providers, { ...TWILIO, configuration: withoutFrom })).toMatchObject({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'Bad Operation on Notification Resource' },
    });
    expect(sandbox().phoneProvider()).toBeUndefined();
  });

  it('refuses name custom without a deployed custom-phone-provider Action (errorCode custom_email_provider_deployed_action_not_found)', async () => {
    expect(await full(sandbox(), 'POST', providers, CUSTOM)).toMatchObject({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', errorCode: 'custom_email_provider_deployed_action_not_found', message: expect.any(String) },
    });
    // a built but undeployed Action is not enough
    const action = await full(sandbox(), 'POST', '/actions/actions', {
      name: 'sms-forwarder',
      supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }],
      code: 'exports.onExecuteCustomPhoneProvider = async () => {};',
    });
    expect(action.status).toBe(201);
    await sandbox().idle();
    expect((await full(sandbox(), 'POST', providers, CUSTOM)).body).toMatchObject({ errorCode: 'custom_email_provider_deployed_action_not_found' });
    // once deployed (no binding needed), a custom provider is accepted
    expect((await full(sandbox(), 'POST', `/actions/actions/${(action.body as { id: string }).id}/deploy`)).status).toBe(200);
    expect(await full(sandbox(), 'POST', providers, CUSTOM)).toMatchObject({ status: 201, body: { name: 'custom', configuration: { delivery_methods: ['text'] } } });
  });

  it('needs the phone provider scopes, one per operation', async () => {
    const id = ((await full(sandbox(), 'POST', providers, TWILIO)).body as { id: string }).id;
    await expectEachScopeNeeded(sandbox(), ['read:phone_providers', 'create:phone_providers', 'update:phone_providers', 'delete:phone_providers'], [
      ['GET', providers, undefined, 'read:phone_providers'],
      ['POST', providers, TWILIO, 'create:phone_providers'],
      ['GET', `${providers}/${id}`, undefined, 'read:phone_providers'],
      ['PATCH', `${providers}/${id}`, { disabled: true }, 'update:phone_providers'],
      ['DELETE', `${providers}/${id}`, undefined, 'delete:phone_providers'],
      ['POST', `${providers}/${id}/try`, { to: '+15550100100' }, 'create:phone_providers'],
    ]);
    expect(sandbox().phoneProvider()).toMatchObject({ id, disabled: false });
  });
});

describe('phone provider, on a tenant with a Twilio provider', () => {
  const sandbox = useSandbox({ phoneProvider: seedTwilioPhoneProvider(), actions: [seedForeignPhoneAction()] });
  const id = seedTwilioPhoneProvider().id as string;

  it('PATCH: changes what it is given, keeps the rest, and never returns credentials', async () => {
    const patched = await full(sandbox(), 'PATCH', `${providers}/${id}`, { disabled: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: 'twilio', disabled: true, configuration: seedTwilioPhoneProvider().configuration });
    expect(JSON.stringify(patched.body)).not.toContain(SEED_PHONE_TWILIO_TOKEN);
    expect(sandbox().phoneProvider()?.credentials).toEqual({ auth_token: SEED_PHONE_TWILIO_TOKEN });
    // switch to custom, as the tool does (a deployed custom-phone-provider Action exists)
    const custom = await full(sandbox(), 'PATCH', `${providers}/${id}`, { name: 'custom', credentials: {}, configuration: { delivery_methods: ['text'] } });
    expect(custom).toMatchObject({ status: 200, body: { id, name: 'custom', configuration: { delivery_methods: ['text'] } } });
    expect(sandbox().phoneProvider()).toMatchObject({ name: 'custom', credentials: {} });
    // and back: Twilio needs its token again, since it cannot be read back
    expect((await full(sandbox(), 'PATCH', `${providers}/${id}`, { name: 'twilio', configuration: seedTwilioPhoneProvider().configuration })).body).toMatchObject({
      errorCode: 'invalid_body',
      message: expect.stringContaining('auth_token'),
    });
  });

  it('PATCH: additionalProperties false, minProperties 1, 404 for another id, 400 for a malformed one', async () => {
    expect((await full(sandbox(), 'PATCH', `${providers}/${id}`, {})).body).toMatchObject({ errorCode: 'invalid_body', message: expect.stringContaining('minimum 1') });
    expect((await full(sandbox(), 'PATCH', `${providers}/${id}`, { channel: 'phone' })).body).toMatchObject({
      message: "Payload validation error: 'Additional properties not allowed: channel'",
    });
    const other = 'pro_AAAAAAAAAAAAAAAAAAAAAA';
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      expect(await full(sandbox(), method, `${providers}/${other}`, method === 'PATCH' ? { disabled: true } : undefined)).toMatchObject({
        status: 404,
        body: { statusCode: 404, error: 'Not Found', message: 'Notification Resource not found' },
      });
    }
    expect(await full(sandbox(), 'GET', `${providers}/twilio`)).toMatchObject({ status: 400, body: { message: 'Invalid id for provider.' } });
  });

  it('PATCH to custom without a deployed Action is refused', async () => {
    const bare = await startTestSandbox({ phoneProvider: seedTwilioPhoneProvider() });
    try {
      expect((await full(bare, 'PATCH', `${providers}/${id}`, { name: 'custom', credentials: {}, configuration: { delivery_methods: ['text'] } })).body).toMatchObject({
        statusCode: 400,
        errorCode: 'custom_email_provider_deployed_action_not_found',
      });
      expect(bare.phoneProvider()?.name).toBe('twilio');
    } finally {
      await bare.close();
    }
  });

  it('DELETE answers 204, then 404; reset() brings the seed back', async () => {
    expect(await full(sandbox(), 'DELETE', `${providers}/${id}`)).toMatchObject({ status: 204, body: undefined });
    expect((await full(sandbox(), 'DELETE', `${providers}/${id}`)).status).toBe(404);
    expect((await full(sandbox(), 'GET', providers)).body).toEqual({ providers: [] });
    sandbox().reset();
    expect(sandbox().phoneProvider()).toMatchObject({ id, name: 'twilio' });
  });

  it('…/try answers 202 and sends a test message through the provider', async () => {
    const response = await full(sandbox(), 'POST', `${providers}/${id}/try`, { to: '+15550100100', delivery_method: 'text' });
    expect(response).toMatchObject({ status: 202, body: { code: 202, message: 'Test notification successfully sent for processing' } });
    await sandbox().idle();
    expect(sandbox().phoneMessages).toEqual([
      { at: expect.any(Number), via: 'twilio', to: '+15550100100', text: expect.stringMatching(/^\d{6} is your verification code for Sandbox Tenant$/), outcome: 'delivered', logs: [] },
    ]);
  });

  it('…/try validates its body: to 1–16 characters, delivery_method text|voice, nothing else', async () => {
    for (const body of [{}, { to: '' }, { to: '+1234567890123456789' }, { to: '+15550100100', delivery_method: 'sms' }, { to: '+15550100100', from: '+1555' }]) {
      expect({ body, status: (await full(sandbox(), 'POST', `${providers}/${id}/try`, body)).status }).toEqual({ body, status: 400 });
    }
    expect((await full(sandbox(), 'POST', `${providers}/pro_AAAAAAAAAAAAAAAAAAAAAA/try`, { to: '+15550100100' })).status).toBe(404);
    await sandbox().idle();
    expect(sandbox().phoneMessages).toEqual([]);
  });

  it('phoneProvider() is a copy', () => {
    const copy = sandbox().phoneProvider() as SandboxPhoneProvider;
    copy.credentials.auth_token = 'changed';
    expect(sandbox().phoneProvider()?.credentials).toEqual({ auth_token: SEED_PHONE_TWILIO_TOKEN });
  });

  it('starts with a custom provider when seeded so', async () => {
    const custom = await startTestSandbox({ phoneProvider: seedCustomPhoneProvider() });
    try {
      expect((await full(custom, 'GET', providers)).body).toMatchObject({ providers: [{ name: 'custom', credentials: null }] });
    } finally {
      await custom.close();
    }
  });
});
