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
  it('fails a phone write before it is sent, and not as a lost answer; connections are still read', async () => {
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

    for (const attempt of [() => api.createPhoneProvider({ name: 'custom', configuration: { delivery_methods: ['text'] } }), () => api.updateBindings('custom-phone-provider', [])]) {
      const error = await attempt().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      // The load failure itself (an internal error to report), never an error about Auth0's
      // answer, let alone "the answer was lost".
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(CliError);
    }
    expect(requestLines(s).filter((line) => !line.startsWith('GET ') && !line.startsWith('POST /oauth/token'))).toEqual([]);
  });
});
