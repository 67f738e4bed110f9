// The phone side's schemas (and zod with them) load on first use, before the request they
// check: a module that fails to load is no answer of Auth0's, so it must never be taken for a
// write whose answer was lost (which would send the run reading again and saying the outcome
// is unknown for a write that never left).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SEED_CLIENTS } from '../../src/sandbox/index.js';
import { requestLines } from '../helpers/env.js';
import { closeTestSandboxes, startTestSandbox } from '../helpers/sandbox.js';

afterEach(async () => {
  vi.doUnmock('../../src/core/phone-schemas.js');
  vi.resetModules();
  await closeTestSandboxes();
});

describe('the phone-side schemas failing to load', () => {
  it('fails each phone read and write as itself, before its request: no write is sent, none is taken for a lost answer; connections are still read', async () => {
    vi.resetModules();
    vi.doMock('../../src/core/phone-schemas.js', () => {
      throw new Error('Cannot find module chunks/phone-schemas.js');
    });
    const { connectToAuth0 } = await import('../../src/auth0/client.js');
    // The class of the module graph the client was loaded with (resetModules made a new one).
    const { CliError } = await import('../../src/core/errors.js');
    const s = await startTestSandbox({ tenant: { phoneConsolidatedExperience: true } });
    const api = await connectToAuth0({ domain: s.domain, kind: 'client-secret', ...SEED_CLIENTS.full });

    // Reading connections needs no zod: it works.
    expect((await api.listSmsConnections()).length).toBeGreaterThan(0);

    const attempts = [
      // The writes: none may be taken for one whose answer was lost.
      () => api.createPhoneProvider({ name: 'custom', configuration: { delivery_methods: ['text'] } }),
      () => api.updatePhoneProvider('pro_SbxCustomPhoneProv0001', { configuration: { delivery_methods: ['text'] } }),
      () => api.createAction({ name: 'sms-gateway', supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }], code: '' }),
      () => api.updateAction('act_1', { code: '' }),
      () => api.updateBindings('custom-phone-provider', []),
      // The reads: a load failure is no failure of Auth0's.
      () => api.listPhoneProviders(),
      () => api.getAction('act_1'),
      () => api.listTriggerActions('custom-phone-provider'),
      () => api.listBindings('custom-phone-provider'),
    ];
    for (const attempt of attempts) {
      const error = await attempt().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      // The load failure itself (an internal error to report), never an error about Auth0's
      // answer, let alone "the answer was lost".
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(CliError);
    }
    // Not a request of the phone side left: the token, and the listing of connections above.
    expect(requestLines(s).filter((line) => !line.startsWith('POST /oauth/token') && !line.startsWith('GET /api/v2/connections'))).toEqual([]);
  });
});
