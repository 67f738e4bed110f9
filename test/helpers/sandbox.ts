/**
 * Sandboxes for tests, all serving the one certificate that global-setup.ts made and that the
 * worker trusts through NODE_EXTRA_CA_CERTS.
 *
 *   const sandbox = useSandbox();                 // one per file: reset after each test, closed after all
 *   it('…', async () => { sandbox().domain … });
 *
 *   afterEach(closeTestSandboxes);                // or start your own per test
 *   const s = await startTestSandbox({ connections: generateConnections(1200) });
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export type TestSandboxOptions = Omit<SandboxOptions, 'tls'>;

let tls: { key: string; cert: string } | undefined;
const open = new Set<Sandbox>();

/** The certificate and key written by global-setup.ts. */
export function sharedTls(): { key: string; cert: string } {
  if (tls !== undefined) return tls;
  const keyFile = process.env.SANDBOX_TLS_KEY_FILE;
  const certFile = process.env.SANDBOX_TLS_CERT_FILE;
  if (keyFile === undefined || certFile === undefined) {
    throw new Error('SANDBOX_TLS_KEY_FILE / SANDBOX_TLS_CERT_FILE are not set: run the tests through vitest.config.ts (globalSetup test/helpers/global-setup.ts)');
  }
  tls = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  return tls;
}

export async function startTestSandbox(options: TestSandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ ...options, tls: sharedTls() });
  open.add(sandbox);
  const close = sandbox.close;
  return Object.assign(sandbox, {
    close: async () => {
      open.delete(sandbox);
      await close();
    },
  });
}

/** Closes every sandbox startTestSandbox() opened and that is still open; give it to afterEach or afterAll. */
export async function closeTestSandboxes(): Promise<void> {
  await Promise.all([...open].map((sandbox) => sandbox.close()));
}

/** One sandbox for the current file or describe block: started before all, reset after each test, closed after all. */
export function useSandbox(options: TestSandboxOptions = {}): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startTestSandbox(options);
  });
  afterEach(() => sandbox?.reset());
  afterAll(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  return () => {
    if (sandbox === undefined) throw new Error('useSandbox(): the sandbox is only available inside tests and hooks');
    return sandbox;
  };
}
