import { describe, expect, it } from 'vitest';
import { startTestSandbox, useSandbox } from '../helpers/sandbox.js';
import { full } from './http.js';

const settings = '/tenants/settings';

describe('GET /api/v2/tenants/settings', () => {
  const sandbox = useSandbox();

  it('returns realistic settings of a legacy tenant: phone_consolidated_experience false at the top level', async () => {
    const { status, body } = await full(sandbox(), 'GET', settings);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      friendly_name: 'Sandbox Tenant',
      support_email: expect.stringContaining('@'),
      flags: expect.objectContaining({ enable_client_connections: true }),
      phone_consolidated_experience: false,
    });
    expect((body as { flags: object }).flags).not.toHaveProperty('phone_consolidated_experience');
    expect(sandbox().tenantSettings()).toEqual(body);
  });

  it('honours fields and include_fields, and refuses unknown field names', async () => {
    expect((await full(sandbox(), 'GET', `${settings}?fields=phone_consolidated_experience&include_fields=true`)).body).toEqual({ phone_consolidated_experience: false });
    expect((await full(sandbox(), 'GET', `${settings}?fields=friendly_name,support_email`)).body).toEqual({
      friendly_name: 'Sandbox Tenant',
      support_email: 'support@sandbox.example.com',
    });
    const without = (await full(sandbox(), 'GET', `${settings}?fields=flags,phone_consolidated_experience&include_fields=false`)).body as object;
    expect(without).toHaveProperty('friendly_name');
    expect(without).not.toHaveProperty('flags');
    expect(without).not.toHaveProperty('phone_consolidated_experience');
    expect(await full(sandbox(), 'GET', `${settings}?fields=tenant_secret`)).toMatchObject({ status: 400, body: { errorCode: 'invalid_query_string', message: expect.stringContaining('fields') } });
    expect((await full(sandbox(), 'GET', `${settings}?include_fields=maybe`)).status).toBe(400);
    expect((await full(sandbox(), 'GET', `${settings}?page=1`)).body).toMatchObject({ errorCode: 'invalid_query_string' });
  });

  it('needs read:tenant_settings', async () => {
    expect(await full(sandbox(), 'GET', settings, undefined, ['read:connections', 'update:tenant_settings'])).toMatchObject({
      status: 403,
      body: { statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: read:tenant_settings', errorCode: 'insufficient_scope' },
    });
  });

  it('starts as configured: a Unified Phone Experience tenant, or one whose settings lack the field', async () => {
    const upe = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true, friendlyName: 'Acme' } });
    const absent = await startTestSandbox({ tenant: { phoneConsolidatedExperience: 'absent' } });
    try {
      expect((await full(upe, 'GET', settings)).body).toMatchObject({ phone_consolidated_experience: true, friendly_name: 'Acme' });
      const body = (await full(absent, 'GET', settings)).body as object;
      expect(body).not.toHaveProperty('phone_consolidated_experience');
      expect(body).toHaveProperty('friendly_name');
      expect((await full(absent, 'GET', `${settings}?fields=phone_consolidated_experience`)).body).toEqual({});
    } finally {
      await Promise.all([upe.close(), absent.close()]);
    }
  });
});

describe('PATCH /api/v2/tenants/settings', () => {
  const sandbox = useSandbox({ tenant: { phoneConsolidatedExperience: 'absent' } });

  it('sets phone_consolidated_experience both ways and answers the full settings; reset() restores', async () => {
    const on = await full(sandbox(), 'PATCH', settings, { phone_consolidated_experience: true });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ phone_consolidated_experience: true, friendly_name: 'Sandbox Tenant' });
    expect(sandbox().tenantSettings().phone_consolidated_experience).toBe(true);
    expect((await full(sandbox(), 'PATCH', settings, { phone_consolidated_experience: false })).body).toMatchObject({ phone_consolidated_experience: false });
    // other flags stay when one is changed
    const flags = (await full(sandbox(), 'PATCH', settings, { flags: { enable_apis_section: true } })).body as { flags: Record<string, boolean> };
    expect(flags.flags).toMatchObject({ enable_apis_section: true, enable_client_connections: true });
    sandbox().reset();
    expect(sandbox().tenantSettings()).not.toHaveProperty('phone_consolidated_experience');
  });

  it('refuses unknown keys, wrong types and an unknown flag with 400 invalid_body, and needs update:tenant_settings', async () => {
    expect(await full(sandbox(), 'PATCH', settings, { phone_consolidated_experience: true, legacy_passwordless_phone_provider: true })).toMatchObject({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: "Payload validation error: 'Additional properties not allowed: legacy_passwordless_phone_provider'", errorCode: 'invalid_body' },
    });
    expect((await full(sandbox(), 'PATCH', settings, { phone_consolidated_experience: 'true' })).body).toMatchObject({
      message: "Payload validation error: 'Expected type boolean but found type string' on property phone_consolidated_experience.",
    });
    expect((await full(sandbox(), 'PATCH', settings, { flags: { phone_consolidated_experience: true } })).body).toMatchObject({ errorCode: 'invalid_body' });
    expect(await full(sandbox(), 'PATCH', settings, { phone_consolidated_experience: true }, ['read:tenant_settings'])).toMatchObject({
      status: 403,
      body: { message: 'Insufficient scope, expected any of: update:tenant_settings', errorCode: 'insufficient_scope' },
    });
    expect(sandbox().tenantSettings()).not.toHaveProperty('phone_consolidated_experience');
  });
});
