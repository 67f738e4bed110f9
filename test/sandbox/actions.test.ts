import { describe, expect, it } from 'vitest';
import { SEED_ACTION_SECRET, SEED_FOREIGN_ACTION_ID, seedForeignPhoneAction, type Sandbox } from '../../src/sandbox/index.js';
import { startTestSandbox, useSandbox } from '../helpers/sandbox.js';
import { expectEachScopeNeeded, full } from './http.js';

const TRIGGER = { id: 'custom-phone-provider', version: 'v1' };
const CODE = 'exports.onExecuteCustomPhoneProvider = async (event, api) => { console.log(event.notification.recipient); };';
const SECRET = 'gateway-signing-secret-do-not-return-7f3a9c';
const bindings = '/actions/triggers/custom-phone-provider/bindings';

interface ActionBody {
  id: string;
  status: string;
  secrets: unknown[];
  deployed_version?: Record<string, unknown>;
  [key: string]: unknown;
}

async function createAction(sandbox: Sandbox, body: Record<string, unknown> = {}): Promise<ActionBody> {
  const response = await full(sandbox, 'POST', '/actions/actions', { name: 'gateway-forwarder', supported_triggers: [TRIGGER], code: CODE, secrets: [{ name: 'GATEWAY_SECRET', value: SECRET }], ...body });
  if (response.status !== 201) throw new Error(`create: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as ActionBody;
}

const getAction = async (sandbox: Sandbox, id: string) => (await full(sandbox, 'GET', `/actions/actions/${id}`)).body as ActionBody;

async function deployedAction(sandbox: Sandbox, body: Record<string, unknown> = {}): Promise<ActionBody> {
  const action = await createAction(sandbox, body);
  await sandbox.idle();
  const deployed = await full(sandbox, 'POST', `/actions/actions/${action.id}/deploy`);
  if (deployed.status !== 200) throw new Error(`deploy: ${deployed.status} ${JSON.stringify(deployed.body)}`);
  return getAction(sandbox, action.id);
}

describe('Actions: create, build, get, list', () => {
  const sandbox = useSandbox();

  it('creates (201, pending, node22 by default), builds asynchronously to built, and never returns a secret value', async () => {
    const created = await createAction(sandbox());
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      name: 'gateway-forwarder',
      supported_triggers: [TRIGGER],
      created_at: expect.any(String),
      updated_at: expect.any(String),
      code: CODE,
      dependencies: [],
      runtime: 'node22',
      status: 'pending',
      secrets: [{ name: 'GATEWAY_SECRET', updated_at: expect.any(String) }],
      all_changes_deployed: false,
    });
    await sandbox().idle();
    const built = await getAction(sandbox(), created.id);
    expect(built).toMatchObject({ status: 'built', built_at: expect.any(String), all_changes_deployed: false });
    expect(built).not.toHaveProperty('deployed_version');
    const list = await full(sandbox(), 'GET', '/actions/actions');
    expect(list.body).toEqual({ actions: [built], total: 1, page: 0, per_page: 20 });
    expect(JSON.stringify([created, built, list.body])).not.toContain(SECRET);
    expect(sandbox().actions()[0]?.secrets).toEqual([{ name: 'GATEWAY_SECRET', value: SECRET, updated_at: expect.any(String) }]);
  });

  it('goes pending → building → built', async () => {
    const slow = await startTestSandbox({ actionBuildMs: 1000 });
    try {
      const created = await createAction(slow);
      const seen = [created.status];
      while (seen.at(-1) !== 'built') {
        const status = (await getAction(slow, created.id)).status;
        if (status !== seen.at(-1)) seen.push(status);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(seen).toEqual(['pending', 'building', 'built']);
    } finally {
      await slow.close();
    }
  });

  it('fails the build of code that does not compile, with the error in `errors`, and refuses to deploy it', async () => {
    const broken = await createAction(sandbox(), { code: 'exports.onExecuteCustomPhoneProvider = async (event, api) => {' });
    await sandbox().idle();
    const failed = await getAction(sandbox(), broken.id);
    expect(failed).toMatchObject({ status: 'failed', errors: [{ id: 'build_failed', msg: expect.stringMatching(/^SyntaxError: /) }] });
    expect(failed).not.toHaveProperty('built_at');
    expect(await full(sandbox(), 'POST', `/actions/actions/${broken.id}/deploy`)).toMatchObject({ status: 400, body: { statusCode: 400, message: expect.stringContaining('failed') } });
  });

  it('refuses to deploy before the build is done', async () => {
    // a build far longer than the test, so that the deploy surely comes first; close() drops it
    const slow = await startTestSandbox({ actionBuildMs: 60_000 });
    try {
      const fresh = await createAction(slow);
      expect(await full(slow, 'POST', `/actions/actions/${fresh.id}/deploy`)).toMatchObject({
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: expect.stringContaining('pending') },
      });
      expect(slow.actions()[0]?.versions).toEqual([]);
    } finally {
      await slow.close();
    }
    const built = await createAction(sandbox());
    await sandbox().idle();
    expect((await full(sandbox(), 'POST', `/actions/actions/${built.id}/deploy`)).status).toBe(200);
  });

  it('filters the list by triggerId, actionName, deployed and installed, and pages it', async () => {
    await deployedAction(sandbox());
    await createAction(sandbox(), { name: 'login-hook', supported_triggers: [{ id: 'post-login', version: 'v3' }], code: 'exports.onExecutePostLogin = async () => {};' });
    await createAction(sandbox(), { name: 'draft-forwarder' });
    const names = async (query: string) => ((await full(sandbox(), 'GET', `/actions/actions${query}`)).body as { actions: Array<{ name: string }> }).actions.map((a) => a.name);
    expect(await names('')).toEqual(['gateway-forwarder', 'login-hook', 'draft-forwarder']);
    expect(await names('?triggerId=custom-phone-provider')).toEqual(['gateway-forwarder', 'draft-forwarder']);
    expect(await names('?triggerId=custom-phone-provider&deployed=true')).toEqual(['gateway-forwarder']);
    expect(await names('?actionName=login-hook')).toEqual(['login-hook']);
    expect(await names('?installed=true')).toEqual([]);
    expect(await names('?installed=false')).toHaveLength(3);
    expect((await full(sandbox(), 'GET', '/actions/actions?per_page=2&page=1')).body).toMatchObject({ actions: [{ name: 'draft-forwarder' }], total: 3, page: 1, per_page: 2 });
    expect((await full(sandbox(), 'GET', '/actions/actions?page=5')).body).toMatchObject({ actions: [], total: 3 });
    expect((await full(sandbox(), 'GET', '/actions/actions?triggerId=sms')).body).toMatchObject({ statusCode: 400, errorCode: 'invalid_query_string' });
    expect((await full(sandbox(), 'GET', '/actions/actions?per_page=0')).status).toBe(400);
    await sandbox().idle();
  });

  it('validates the create body like CreateActionRequestContent', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ supported_triggers: [TRIGGER] }, /Missing required property: name/],
      [{ name: 'x' }, /Missing required property: supported_triggers/],
      [{ name: 'x', supported_triggers: [] }, /minimum 1' on property supported_triggers/],
      [{ name: 'x', supported_triggers: [{ id: 'sms-gateway' }] }, /No enum match for: "sms-gateway"/],
      [{ name: 'x', supported_triggers: [TRIGGER], code: 5 }, /Expected type string but found type integer' on property code/],
      [{ name: 'x', supported_triggers: [TRIGGER], secrets: [{ value: 'v' }] }, /Missing required property: name' on property secrets\[0\]/],
      [{ name: 'x', supported_triggers: [TRIGGER], dependencies: [{ name: 'jose' }] }, /Missing required property: version/],
      [{ name: 'x', supported_triggers: [TRIGGER], status: 'built' }, /Additional properties not allowed: status/],
    ];
    for (const [body, message] of cases) {
      const response = await full(sandbox(), 'POST', '/actions/actions', body);
      expect({ body, status: response.status, response: response.body }).toEqual({
        body,
        status: 400,
        response: { statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message), errorCode: 'invalid_body' },
      });
    }
    expect(await full(sandbox(), 'POST', '/actions/actions', { name: 'x', supported_triggers: [TRIGGER], runtime: 'node12' })).toMatchObject({
      status: 400,
      body: { message: 'runtime not supported for version v1 of this trigger' },
    });
    await createAction(sandbox());
    expect((await full(sandbox(), 'POST', '/actions/actions', { name: 'gateway-forwarder', supported_triggers: [TRIGGER] })).status).toBe(409);
    expect(sandbox().actions()).toHaveLength(1);
    await sandbox().idle();
  });

  it('answers 404 "That action does not exist." and checks the Actions scopes', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['GET', `/actions/actions/${missing}`],
      ['PATCH', `/actions/actions/${missing}`],
      ['DELETE', `/actions/actions/${missing}`],
      ['POST', `/actions/actions/${missing}/deploy`],
      ['GET', `/actions/actions/${missing}/versions`],
    ] as const) {
      expect(await full(sandbox(), method, path, method === 'PATCH' ? { code: CODE } : undefined)).toMatchObject({
        status: 404,
        body: { statusCode: 404, error: 'Not Found', message: 'That action does not exist.' },
      });
    }
    const action = await createAction(sandbox());
    await expectEachScopeNeeded(sandbox(), ['read:actions', 'create:actions', 'update:actions', 'delete:actions'], [
      ['GET', '/actions/actions', undefined, 'read:actions'],
      ['POST', '/actions/actions', { name: 'y', supported_triggers: [TRIGGER] }, 'create:actions'],
      ['GET', `/actions/actions/${action.id}`, undefined, 'read:actions'],
      ['PATCH', `/actions/actions/${action.id}`, { code: CODE }, 'update:actions'],
      ['DELETE', `/actions/actions/${action.id}`, undefined, 'delete:actions'],
      ['POST', `/actions/actions/${action.id}/deploy`, undefined, 'create:actions'],
      ['GET', `/actions/actions/${action.id}/versions`, undefined, 'read:actions'],
      ['GET', bindings, undefined, 'read:actions'],
      ['PATCH', bindings, { bindings: [] }, 'update:actions'],
    ]);
    expect(sandbox().actions()).toHaveLength(1);
    await sandbox().idle();
  });
});

describe('Actions: update, deploy, versions, delete', () => {
  const sandbox = useSandbox();

  it('PATCH without secrets keeps them; with secrets replaces the whole array; either way the build starts over', async () => {
    const action = await deployedAction(sandbox(), { secrets: [{ name: 'A', value: 'value-a' }, { name: 'B', value: 'value-b' }] });
    const patched = await full(sandbox(), 'PATCH', `/actions/actions/${action.id}`, { code: `${CODE}\n// v2` });
    expect(patched).toMatchObject({ status: 200, body: { status: 'pending', all_changes_deployed: false, secrets: [{ name: 'A' }, { name: 'B' }] } });
    expect(sandbox().actions()[0]?.secrets.map((s) => [s.name, s.value])).toEqual([['A', 'value-a'], ['B', 'value-b']]);
    // the deployed version is untouched until the next deploy
    expect((patched.body as ActionBody).deployed_version).toMatchObject({ number: 1, code: CODE, deployed: true });

    const replaced = await full(sandbox(), 'PATCH', `/actions/actions/${action.id}`, { secrets: [{ name: 'B', value: 'value-b2' }, { name: 'C', value: 'value-c' }] });
    expect((replaced.body as ActionBody).secrets).toEqual([{ name: 'B', updated_at: expect.any(String) }, { name: 'C', updated_at: expect.any(String) }]);
    expect(sandbox().actions()[0]?.secrets.map((s) => [s.name, s.value])).toEqual([['B', 'value-b2'], ['C', 'value-c']]);
    // a name without a value keeps that secret's value; a new name needs one
    await full(sandbox(), 'PATCH', `/actions/actions/${action.id}`, { secrets: [{ name: 'C' }] });
    expect(sandbox().actions()[0]?.secrets.map((s) => [s.name, s.value])).toEqual([['C', 'value-c']]);
    expect((await full(sandbox(), 'PATCH', `/actions/actions/${action.id}`, { secrets: [{ name: 'D' }] })).body).toMatchObject({ errorCode: 'invalid_body' });
    expect((await full(sandbox(), 'PATCH', `/actions/actions/${action.id}`, { deploy: true })).body).toMatchObject({ message: expect.stringContaining('Additional properties not allowed: deploy') });
    expect(JSON.stringify(sandbox().requests.filter((r) => r.method === 'GET'))).not.toContain('value-');
    await sandbox().idle();
    expect((await getAction(sandbox(), action.id)).status).toBe('built');
  });

  it('deploy makes an immutable version (answered with deployed: false, then deployed), versions newest first', async () => {
    const action = await createAction(sandbox());
    await sandbox().idle();
    const first = await full(sandbox(), 'POST', `/actions/actions/${action.id}/deploy`);
    expect(first).toMatchObject({
      status: 200,
      body: {
        id: expect.any(String),
        action_id: action.id,
        number: 1,
        deployed: false,
        status: 'built',
        code: CODE,
        secrets: [{ name: 'GATEWAY_SECRET', updated_at: expect.any(String) }],
        action: { id: action.id, name: 'gateway-forwarder', all_changes_deployed: false },
      },
    });
    expect(JSON.stringify(first.body)).not.toContain(SECRET);
    const afterDeploy = await getAction(sandbox(), action.id);
    expect(afterDeploy).toMatchObject({ all_changes_deployed: true, deployed_version: { id: (first.body as { id: string }).id, number: 1, deployed: true, code: CODE } });

    await full(sandbox(), 'PATCH', `/actions/actions/${action.id}`, { code: 'exports.onExecuteCustomPhoneProvider = async () => {}; // v2' });
    await sandbox().idle();
    expect((await full(sandbox(), 'POST', `/actions/actions/${action.id}/deploy`)).body).toMatchObject({ number: 2 });
    const versions = (await full(sandbox(), 'GET', `/actions/actions/${action.id}/versions`)).body as { versions: Array<{ number: number; deployed: boolean; code: string }>; total: number };
    expect(versions.total).toBe(2);
    expect(versions.versions.map((v) => [v.number, v.deployed])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(versions.versions[1]?.code).toBe(CODE); // immutable
    expect(JSON.stringify(versions)).not.toContain(SECRET);
  });

  it('create with deploy: true deploys version 1 at once; it runs once built', async () => {
    const created = await createAction(sandbox(), { deploy: true });
    expect(created).toMatchObject({ status: 'pending', all_changes_deployed: true, deployed_version: { number: 1, deployed: true, status: 'pending' } });
    await sandbox().idle();
    expect(await getAction(sandbox(), created.id)).toMatchObject({ status: 'built', deployed_version: { status: 'built', built_at: expect.any(String) } });
  });

  it('DELETE answers 204; a bound Action needs force=true, which also drops its binding', async () => {
    const loose = await createAction(sandbox(), { name: 'unbound' });
    expect(await full(sandbox(), 'DELETE', `/actions/actions/${loose.id}`)).toMatchObject({ status: 204, body: undefined });
    const bound = await deployedAction(sandbox());
    expect((await full(sandbox(), 'PATCH', bindings, { bindings: [{ ref: { type: 'action_id', value: bound.id } }] })).status).toBe(200);
    expect(await full(sandbox(), 'DELETE', `/actions/actions/${bound.id}`)).toMatchObject({ status: 400, body: { message: expect.stringContaining('unbound') } });
    expect(sandbox().actions()).toHaveLength(1);
    expect((await full(sandbox(), 'DELETE', `/actions/actions/${bound.id}?force=true`)).status).toBe(204);
    expect(sandbox().actions()).toEqual([]);
    expect(sandbox().bindings('custom-phone-provider')).toEqual([]);
  });
});

describe('trigger bindings', () => {
  const sandbox = useSandbox();

  it('binds a deployed Action (replacing the list), lists it, and unbinds with an empty list', async () => {
    const action = await deployedAction(sandbox());
    expect((await full(sandbox(), 'GET', bindings)).body).toEqual({ bindings: [], total: 0, page: 0, per_page: 20 });
    const bound = await full(sandbox(), 'PATCH', bindings, { bindings: [{ ref: { type: 'action_name', value: 'gateway-forwarder' }, display_name: 'Gateway' }] });
    expect(bound.status).toBe(200);
    const body = bound.body as { bindings: Array<Record<string, unknown>> };
    expect(body.bindings).toEqual([
      {
        id: expect.any(String),
        trigger_id: 'custom-phone-provider',
        display_name: 'Gateway',
        action: expect.objectContaining({ id: action.id, deployed_version: expect.objectContaining({ deployed: true }) }),
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    ]);
    expect(JSON.stringify(body)).not.toContain(SECRET);
    expect((await full(sandbox(), 'GET', bindings)).body).toEqual({ bindings: body.bindings, total: 1, page: 0, per_page: 20 });
    expect(sandbox().bindings('custom-phone-provider')).toEqual([expect.objectContaining({ action_id: action.id, display_name: 'Gateway' })]);
    // the same Action by id keeps the binding's id; binding_id refers to it too
    const again = (await full(sandbox(), 'PATCH', bindings, { bindings: [{ ref: { type: 'action_id', value: action.id } }] })).body as { bindings: Array<{ id: string; display_name: string }> };
    expect(again.bindings[0]).toMatchObject({ id: body.bindings[0]?.id, display_name: 'Gateway' });
    expect((await full(sandbox(), 'PATCH', bindings, { bindings: [{ ref: { type: 'binding_id', value: body.bindings[0]?.id } }] })).status).toBe(200);
    expect(await full(sandbox(), 'PATCH', bindings, { bindings: [] })).toMatchObject({ status: 200, body: { bindings: [] } });
    expect(sandbox().bindings('custom-phone-provider')).toEqual([]);
  });

  it('refuses an undeployed, unknown or other-trigger Action, and a second Action on custom-phone-provider', async () => {
    const deployed = await deployedAction(sandbox());
    const draft = await createAction(sandbox(), { name: 'draft' });
    await sandbox().idle();
    const login = await deployedAction(sandbox(), { name: 'login', supported_triggers: [{ id: 'post-login', version: 'v3' }], code: 'exports.onExecutePostLogin = async () => {};' });
    const refuse = async (refs: Array<Record<string, unknown>>, message: RegExp) => {
      const response = await full(sandbox(), 'PATCH', bindings, { bindings: refs.map((ref) => ({ ref })) });
      expect({ refs, status: response.status, body: response.body }).toEqual({ refs, status: 400, body: expect.objectContaining({ statusCode: 400, message: expect.stringMatching(message) }) });
    };
    await refuse([{ type: 'action_id', value: draft.id }], /^Trying to create a binding for an action that has not been deployed yet\.$/);
    await refuse([{ type: 'action_name', value: 'nope' }], /does not exist/);
    await refuse([{ type: 'action_id', value: login.id }], /does not support/);
    await refuse([{ type: 'binding_id', value: 'b0000000-0000-4000-8000-000000000000' }], /binding does not exist/);
    await refuse([{ type: 'action_alias', value: deployed.id }], /No enum match/);
    const second = await deployedAction(sandbox(), { name: 'second' });
    await refuse(
      [
        { type: 'action_id', value: deployed.id },
        { type: 'action_id', value: second.id },
      ],
      /at most one Action bound to the custom-phone-provider trigger/,
    );
    expect(sandbox().bindings('custom-phone-provider')).toEqual([]);
    // post-login takes several
    const other = await deployedAction(sandbox(), { name: 'login-2', supported_triggers: [{ id: 'post-login', version: 'v3' }], code: 'exports.onExecutePostLogin = async () => {};' });
    expect((await full(sandbox(), 'PATCH', '/actions/triggers/post-login/bindings', { bindings: [{ ref: { type: 'action_id', value: login.id } }, { ref: { type: 'action_id', value: other.id } }] })).status).toBe(200);
    expect(sandbox().bindings('post-login')).toHaveLength(2);
  });

  it('answers 400 to an unknown trigger and to bodies outside UpdateActionBindingsRequestContent', async () => {
    expect(await full(sandbox(), 'GET', '/actions/triggers/sms-gateway/bindings')).toMatchObject({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', errorCode: 'invalid_uri', message: expect.stringContaining('No enum match for: "sms-gateway"') },
    });
    expect((await full(sandbox(), 'PATCH', '/actions/triggers/sms-gateway/bindings', { bindings: [] })).status).toBe(400);
    expect((await full(sandbox(), 'PATCH', bindings, { bindings: [], trigger: 'x' })).body).toMatchObject({ errorCode: 'invalid_body' });
    expect((await full(sandbox(), 'PATCH', bindings, { bindings: [{ display_name: 'no ref' }] })).body).toMatchObject({ message: expect.stringContaining('Missing required property: ref') });
    expect((await full(sandbox(), 'GET', '/actions/triggers/custom-token-exchange/bindings')).body).toMatchObject({ message: 'cannot list action bindings for an entity-bound trigger' });
  });
});

describe('seeded Actions and bindings: "another Action is bound"', () => {
  const sandbox = useSandbox({ actions: [seedForeignPhoneAction()], bindings: { 'custom-phone-provider': [{ action: 'acme-sms-provider' }] } });

  it('start deployed and bound, secrets hidden in the API and visible through actions()', async () => {
    const listed = (await full(sandbox(), 'GET', bindings)).body as { bindings: Array<{ action: { id: string; name: string } }> };
    expect(listed.bindings.map((b) => b.action.id)).toEqual([SEED_FOREIGN_ACTION_ID]);
    expect(await getAction(sandbox(), SEED_FOREIGN_ACTION_ID)).toMatchObject({ status: 'built', deployed_version: { number: 1, deployed: true } });
    expect(JSON.stringify((await full(sandbox(), 'GET', '/actions/actions?triggerId=custom-phone-provider')).body)).not.toContain(SEED_ACTION_SECRET);
    expect(sandbox().actions()[0]?.versions[0]?.secrets[0]?.value).toBe(SEED_ACTION_SECRET);
    // replacing it is one PATCH of the list
    const mine = await deployedAction(sandbox());
    await full(sandbox(), 'PATCH', bindings, { bindings: [{ ref: { type: 'action_id', value: mine.id } }] });
    expect(sandbox().bindings('custom-phone-provider').map((b) => b.action_id)).toEqual([mine.id]);
    sandbox().reset();
    expect(sandbox().bindings('custom-phone-provider').map((b) => b.action_id)).toEqual([SEED_FOREIGN_ACTION_ID]);
    expect(sandbox().actions()).toHaveLength(1);
  });

  it('refuses seeds Auth0 could not be in', async () => {
    await expect(startTestSandbox({ actions: [{ ...seedForeignPhoneAction(), deployed: false }], bindings: { 'custom-phone-provider': [{ action: SEED_FOREIGN_ACTION_ID }] } })).rejects.toThrow(/not deployed/);
    await expect(startTestSandbox({ bindings: { 'custom-phone-provider': [{ action: 'ghost' }] } })).rejects.toThrow(/no action/);
  });
});
