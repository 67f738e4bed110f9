import type { Sandbox } from '../../src/sandbox/index.js';
import { SEED_CLIENTS } from '../../src/sandbox/index.js';

type ClientName = keyof typeof SEED_CLIENTS;

/** The environment a user sets to point the CLI at a tenant: here, the sandbox. */
export function sandboxEnv(sandbox: Sandbox, client: ClientName = 'full', extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const c = SEED_CLIENTS[client];
  return { AUTH0_DOMAIN: sandbox.domain, AUTH0_CLIENT_ID: c.clientId, AUTH0_CLIENT_SECRET: c.clientSecret, ...extra };
}

/** Requests the tool sent to the Management API (token included), in order: "METHOD /path". */
export function requestLines(sandbox: Sandbox): string[] {
  return sandbox.requests.map((r) => `${r.method} ${r.path}`);
}

export function writes(sandbox: Sandbox): string[] {
  return requestLines(sandbox).filter((l) => /^(PATCH|POST|PUT|DELETE) \/api/.test(l));
}

/**
 * Makes the connection look as if it was created on a Unified Phone tenant: none of the keys
 * only the older generation writes (provider, twilio_sid, gateway_url), so its route is the
 * tenant's phone provider.
 */
export function asCreatedOnUnifiedPhone(sandbox: Sandbox, id: string): void {
  sandbox.inject({
    kind: 'concurrentWrite',
    id,
    afterReads: 0,
    mutate: (c) => {
      for (const key of ['twilio_sid', 'twilio_token', 'messaging_service_sid']) delete c.options![key];
    },
  });
}
