/**
 * The newer generation's endpoints through the real `auth0` SDK v7 over HTTPS: tenant settings,
 * the phone provider, Actions and trigger bindings, with the SDK's own types, paging and error
 * mapping.
 */
import { clientFor, rejection } from './sdk-client.js';
import { describe, expect, it } from 'vitest';
import { SEED_CLIENTS, SEED_IDS, SEED_PHONE_TWILIO_TOKEN, seedForeignPhoneAction, seedTwilioPhoneProvider } from '../../src/sandbox/index.js';
import { useSandbox } from '../helpers/sandbox.js';

const CODE = 'exports.onExecuteCustomPhoneProvider = async (event, api) => { console.log(event.notification.recipient); };';

describe('the real auth0 SDK: tenant settings and phone provider', () => {
  const sandbox = useSandbox({ phoneProvider: seedTwilioPhoneProvider() });

  it('reads and switches phone_consolidated_experience', async () => {
    const client = clientFor(sandbox());
    expect(await client.tenants.settings.get({ fields: 'phone_consolidated_experience', include_fields: true })).toEqual({ phone_consolidated_experience: false });
    expect(sandbox().requests.at(-1)?.query).toEqual({ fields: 'phone_consolidated_experience', include_fields: 'true' });
    const updated = await client.tenants.settings.update({ phone_consolidated_experience: true });
    expect(updated.phone_consolidated_experience).toBe(true);
    expect(sandbox().tenantSettings().phone_consolidated_experience).toBe(true);
    const denied = await rejection(clientFor(sandbox(), SEED_CLIENTS.connectionsOnly).tenants.settings.get());
    expect(denied.statusCode).toBe(403);
    expect(denied.body).toMatchObject({ errorCode: 'insufficient_scope', message: 'Insufficient scope, expected any of: read:tenant_settings' });
  });

  it('lists, gets, updates, tests and deletes the provider; maps 404, 409 and 400', async () => {
    const client = clientFor(sandbox());
    const id = seedTwilioPhoneProvider().id as string;
    const { providers } = await client.branding.phone.providers.list();
    expect(providers).toEqual([expect.objectContaining({ id, name: 'twilio', channel: 'phone', credentials: null })]);
    expect(JSON.stringify(providers)).not.toContain(SEED_PHONE_TWILIO_TOKEN);
    expect(await client.branding.phone.providers.get(id)).toMatchObject({ id, disabled: false });
    expect(await client.branding.phone.providers.update(id, { disabled: true })).toMatchObject({ id, disabled: true });
    expect(await client.branding.phone.providers.test(id, { to: '+15550100100' })).toEqual({ code: 202, message: 'Test notification successfully sent for processing' });
    const conflict = await rejection(client.branding.phone.providers.create({ name: 'twilio', credentials: { auth_token: 'x' }, configuration: { sid: 'AC1', default_from: '+1', delivery_methods: ['text'] } }));
    expect(conflict.statusCode).toBe(409);
    const custom = await rejection(client.branding.phone.providers.update(id, { name: 'custom', credentials: {}, configuration: { delivery_methods: ['text'] } }));
    expect(custom.statusCode).toBe(400);
    expect(custom.body).toMatchObject({ errorCode: 'custom_email_provider_deployed_action_not_found' });
    await client.branding.phone.providers.delete(id);
    expect((await rejection(client.branding.phone.providers.get(id))).statusCode).toBe(404);
    expect((await client.branding.phone.providers.list()).providers).toEqual([]);
    await sandbox().idle();
    expect(sandbox().phoneMessages.map((m) => [m.via, m.to])).toEqual([['none', '+15550100100']]); // disabled when tried
  });
});

describe('the real auth0 SDK: Actions and bindings', () => {
  const sandbox = useSandbox({ actions: [seedForeignPhoneAction()], bindings: { 'custom-phone-provider': [{ action: 'acme-sms-provider' }] } });

  it('creates, waits for the build, deploys, binds in place of another Action, and lists versions', async () => {
    const client = clientFor(sandbox());
    const created = await client.actions.create({
      name: 'sms-gateway-forwarder',
      supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }],
      code: CODE,
      secrets: [{ name: 'GATEWAY_SECRET', value: 'sdk-secret-value-0123456789' }],
    });
    expect(created).toMatchObject({ status: 'pending', runtime: 'node22', secrets: [{ name: 'GATEWAY_SECRET' }] });
    const id = created.id as string;
    let status = created.status;
    while (status !== 'built') {
      status = (await client.actions.get(id)).status;
      expect(['pending', 'building', 'built']).toContain(status);
      if (status !== 'built') await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const version = await client.actions.deploy(id);
    expect(version).toMatchObject({ number: 1, action_id: id, status: 'built' });
    expect((await client.actions.get(id)).deployed_version).toMatchObject({ number: 1, deployed: true });

    const bound = await client.actions.triggers.bindings.updateMany('custom-phone-provider', { bindings: [{ ref: { type: 'action_id', value: id }, display_name: 'Gateway' }] });
    expect(bound.bindings?.map((b) => b.action?.id)).toEqual([id]);
    const listed = [];
    for await (const binding of await client.actions.triggers.bindings.list('custom-phone-provider')) listed.push(binding);
    expect(listed.map((b) => [b.display_name, b.action?.name])).toEqual([['Gateway', 'sms-gateway-forwarder']]);

    const versions = [];
    for await (const v of await client.actions.versions.list(id)) versions.push(v);
    expect(versions.map((v) => [v.number, v.deployed])).toEqual([[1, true]]);

    const found = [];
    for await (const action of await client.actions.list({ triggerId: 'custom-phone-provider' })) found.push(action.name);
    expect(found.sort()).toEqual(['acme-sms-provider', 'sms-gateway-forwarder']);
    expect(JSON.stringify(sandbox().requests.filter((r) => r.method === 'GET' && r.status === 200))).not.toContain('sdk-secret-value');
  });

  it('maps the Actions errors: 404, 400 binding of an undeployed Action, 403 without the Actions scopes', async () => {
    const client = clientFor(sandbox());
    const missing = await rejection(client.actions.get('00000000-0000-4000-8000-000000000000'));
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'That action does not exist.' });
    const draft = await client.actions.create({ name: 'draft', supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }], code: CODE });
    await sandbox().idle();
    const unbindable = await rejection(client.actions.triggers.bindings.updateMany('custom-phone-provider', { bindings: [{ ref: { type: 'action_id', value: draft.id } }] }));
    expect(unbindable.statusCode).toBe(400);
    const noActions = await rejection(clientFor(sandbox(), SEED_CLIENTS.noActions).actions.list());
    expect(noActions.statusCode).toBe(403);
    expect(noActions.body).toMatchObject({ errorCode: 'insufficient_scope', message: 'Insufficient scope, expected any of: read:actions' });
    await client.actions.delete(draft.id as string);
    expect((await rejection(client.actions.delete(draft.id as string))).statusCode).toBe(404);
  });
});

describe('the real auth0 SDK against a request that lands after it gave up', () => {
  const sandbox = useSandbox();

  it('times out (no retry), and the PATCH is applied a moment later', async () => {
    const client = clientFor(sandbox());
    await client.connections.get(SEED_IDS.email); // the token, outside the fault
    sandbox().inject({ kind: 'delayedApply', ms: 1000, method: 'PATCH' });
    await expect(client.connections.update(SEED_IDS.twilio, { display_name: 'After the timeout' }, { timeoutInSeconds: 0.1, maxRetries: 0 })).rejects.toThrow(/Timeout/i);
    expect((await client.connections.get(SEED_IDS.twilio)).display_name).toBe('SMS');
    await sandbox().idle();
    expect((await client.connections.get(SEED_IDS.twilio)).display_name).toBe('After the timeout');
    expect(sandbox().requests.filter((r) => r.method === 'PATCH')).toEqual([expect.objectContaining({ status: 200, dropped: true, abandoned: true })]);
  });
});
