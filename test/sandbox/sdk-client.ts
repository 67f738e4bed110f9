/** The real `auth0` SDK (v7) pointed at a sandbox, for the tests that exercise it as the CLI's users would. */
import { ManagementClient, ManagementError } from 'auth0';
import { SEED_CLIENTS, type Sandbox } from '../../src/sandbox/index.js';

export const clientFor = (sandbox: Sandbox, client: { clientId: string; clientSecret: string } = SEED_CLIENTS.full, maxRetries?: number) =>
  new ManagementClient({ domain: sandbox.domain, clientId: client.clientId, clientSecret: client.clientSecret, ...(maxRetries === undefined ? {} : { maxRetries }) });

/** The SDK error a call rejects with; fails when it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<ManagementError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ManagementError)) throw new Error(`expected a ManagementError, got ${String(error)}`);
  return error;
}
