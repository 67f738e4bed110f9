/**
 * Runs once in vitest's main process, before any test worker exists: makes one temporary folder
 * for the whole run, makes the sandbox's TLS certificate there and points NODE_EXTRA_CA_CERTS at
 * it. Node reads that variable only when a process starts, so setting it here (not in a setup
 * file, which runs inside the workers) is what lets the forked workers, and the CLI processes
 * they spawn, trust the sandbox through plain `fetch` and the real `auth0` SDK. vitest builds the
 * workers' environment from process.env when it forks them, after global setup
 * (vitest.config.ts: pool 'forks').
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificate } from '../../src/sandbox/certificate.js';

// TMPDIR (TMP and TEMP on Windows) is where os.tmpdir() points, in the workers and in every CLI
// process they start: each test's mkdtemp lands in this run's folder, and the teardown removes it
// whole, so a run leaves nothing behind in the system's temporary directory.
const VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SANDBOX_TLS_KEY_FILE', 'SANDBOX_TLS_CERT_FILE', 'TMPDIR', 'TMP', 'TEMP'] as const;

export default async function setup(): Promise<() => Promise<void>> {
  const previous = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  const dir = await mkdtemp(join(tmpdir(), 'auth0-sms-gateway-test-'));
  const { key, cert } = await createCertificate();
  const keyFile = join(dir, 'sandbox-key.pem');
  const certFile = join(dir, 'sandbox-cert.pem');
  const caFile = join(dir, 'extra-ca-certs.pem');
  await writeFile(keyFile, key, { mode: 0o600 });
  await writeFile(certFile, cert);
  // Keep any CA the developer already trusts this way (a corporate proxy, say).
  const inherited = previous.NODE_EXTRA_CA_CERTS === undefined ? '' : await readFile(previous.NODE_EXTRA_CA_CERTS, 'utf8').catch(() => '');
  await writeFile(caFile, inherited === '' ? cert : `${inherited.trimEnd()}\n${cert}`);

  for (const name of ['TMPDIR', 'TMP', 'TEMP'] as const) process.env[name] = dir;
  process.env.NODE_EXTRA_CA_CERTS = caFile;
  process.env.SANDBOX_TLS_KEY_FILE = keyFile;
  process.env.SANDBOX_TLS_CERT_FILE = certFile;

  return async () => {
    for (const name of VARIABLES) {
      if (previous[name] === undefined) delete process.env[name];
      else process.env[name] = previous[name];
    }
    await rm(dir, { recursive: true, force: true }).catch((error: unknown) => {
      // A folder a test left unreadable: say where, rather than fail a run whose tests passed.
      process.stderr.write(`global-setup: could not remove ${dir}: ${(error as Error).message}\n`);
    });
  };
}
