// The sandbox tenant for the bench. It lives in src/sandbox (TypeScript, no public entry in
// dist/), so the bench bundles src/sandbox/index.ts with esbuild, as scripts/build.mjs bundles
// the CLI, into its temporary folder and imports that. The sandbox is the bench's fixture, not
// a thing it measures: the same sandbox answers the CLI and the floor it is compared with.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rawTextPlugin, REQUIRE_BANNER } from '../build.mjs';
import { cleanEnv, root } from './util.mjs';

/**
 * The part of src/sandbox/types.ts the bench uses.
 * @typedef {{ id: string, name: string, display_name?: string, strategy: string, options?: Record<string, unknown>, enabled_clients?: string[], realms?: string[] }} Connection
 * @typedef {{ method: string, path: string, query: Record<string, string | string[]>, status: number, body?: unknown, at: number }} RequestLogEntry
 * @typedef {{ perSecond: number, burst: number }} RateLimit
 * @typedef {object} Sandbox
 * @property {string} url
 * @property {string} domain
 * @property {RequestLogEntry[]} requests
 * @property {() => Connection[]} connections
 * @property {(limit: RateLimit | undefined) => void} setRateLimit
 * @property {() => Promise<void>} idle
 * @property {() => void} reset
 * @property {() => Promise<void>} close
 * @typedef {object} SandboxOptions
 * @property {Connection[]} [connections]
 * @property {{ key: string, cert: string }} [tls]
 * @property {RateLimit} [rateLimit]
 * @property {{ phoneConsolidatedExperience?: boolean | 'absent' }} [tenant]
 * @typedef {object} SandboxModule
 * @property {(options?: SandboxOptions) => Promise<Sandbox>} startSandbox
 * @property {() => Promise<{ key: string, cert: string }>} createCertificate
 * @property {(count: number, smsEvery?: number) => Connection[]} generateConnections
 * @property {() => Connection[]} seedConnections
 * @property {{ full: { clientId: string, clientSecret: string } }} SEED_CLIENTS
 */

/**
 * Bundles and imports the sandbox, and makes its certificate (written where children trust it
 * through NODE_EXTRA_CA_CERTS).
 * @param {string} work
 */
export async function loadSandbox(work) {
  const outfile = join(work, 'sandbox.mjs');
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'src', 'sandbox', 'index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: REQUIRE_BANNER,
    plugins: [rawTextPlugin()],
    logLevel: 'warning',
  });
  /** @type {SandboxModule} */
  const mod = await import(pathToFileURL(outfile).href);
  const tls = await mod.createCertificate();
  const certFile = join(work, 'sandbox-cert.pem');
  writeFileSync(certFile, tls.cert);
  const open = new Set(/** @type {Sandbox[]} */ ([]));

  return {
    mod,
    /**
     * A sandbox on 127.0.0.1 serving the bench's certificate.
     * @param {Omit<SandboxOptions, 'tls'>} [options]
     */
    async start(options = {}) {
      const sandbox = await mod.startSandbox({ ...options, tls });
      open.add(sandbox);
      return sandbox;
    },
    /** @param {Sandbox} sandbox */
    async stop(sandbox) {
      open.delete(sandbox);
      await sandbox.close();
    },
    async stopAll() {
      await Promise.all([...open].map((s) => s.close()));
      open.clear();
    },
    /**
     * What a user sets to point the CLI at the tenant (the full-access client), in a clean env.
     * @param {Sandbox} sandbox
     * @param {NodeJS.ProcessEnv} [extra]
     */
    env(sandbox, extra = {}) {
      return cleanEnv(work, {
        NODE_EXTRA_CA_CERTS: certFile,
        AUTH0_DOMAIN: sandbox.domain,
        AUTH0_CLIENT_ID: mod.SEED_CLIENTS.full.clientId,
        AUTH0_CLIENT_SECRET: mod.SEED_CLIENTS.full.clientSecret,
        ...extra,
      });
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof loadSandbox>>} BenchSandboxes */

/**
 * Requests of the log to the Management API (/api/v2), the rate-limited part.
 * @param {readonly RequestLogEntry[]} log
 */
export const apiRequests = (log) => log.filter((entry) => entry.path.startsWith('/api/v2/'));
