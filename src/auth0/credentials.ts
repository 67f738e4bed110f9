import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inputError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { untrusted } from '../core/untrusted.js';

/** The global options that say which tenant to reach and how to authenticate. */
export interface CredentialFlags {
  domain?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  token?: string | undefined;
}

export type Credentials =
  | { domain: string; kind: 'token'; token: string }
  | { domain: string; kind: 'client-secret'; clientId: string; clientSecret: string }
  | { domain: string; kind: 'private-key-jwt'; clientId: string; signingKey: string; signingAlg: string };

export interface ResolvedCredentials {
  credentials: Credentials;
  warnings: string[];
}

/**
 * A tenant domain as people paste it (`https://acme.eu.auth0.com/`, `acme.eu.auth0.com`,
 * `127.0.0.1:8443`) reduced to the `host[:port]` the SDK wants: it rejects `/`, `?` and `#`.
 */
export function normalizeDomain(raw: string): string {
  let value = raw.trim();
  if (/^http:\/\//i.test(value)) {
    throw inputError(`the domain "${untrusted(raw)}" uses http://`, 'the Management API is served over https: give the bare tenant domain, e.g. acme.eu.auth0.com');
  }
  value = value.replace(/^https:\/\//i, '').replace(/\/+$/, '');
  if (value.endsWith('/api/v2')) value = value.slice(0, -'/api/v2'.length);
  if (value === '' || /[\s/?#@]/.test(value) || !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(value)) {
    throw inputError(`the domain "${untrusted(raw)}" is not a tenant domain`, 'give the host name only, e.g. acme.eu.auth0.com (or host:port)');
  }
  const port = value.match(/:(\d+)$/)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    throw inputError(`the domain "${untrusted(raw)}" has an invalid port`, 'use a port between 1 and 65535');
  }
  return value.toLowerCase();
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** Which credentials neither typed answers, flags nor environment give: a token stands in for client id and secret. */
export function missingCredentials(flags: CredentialFlags, env: NodeJS.ProcessEnv, typed: CredentialFlags = {}): { domain: boolean; clientId: boolean; clientSecret: boolean } {
  const token = nonEmpty(typed.token) ?? nonEmpty(flags.token) ?? nonEmpty(env.AUTH0_ACCESS_TOKEN) ?? nonEmpty(env.AUTH0_API_TOKEN);
  return {
    domain: (nonEmpty(typed.domain) ?? nonEmpty(flags.domain) ?? nonEmpty(env.AUTH0_DOMAIN)) === undefined,
    clientId: token === undefined && (nonEmpty(typed.clientId) ?? nonEmpty(flags.clientId) ?? nonEmpty(env.AUTH0_CLIENT_ID)) === undefined,
    clientSecret:
      token === undefined &&
      (nonEmpty(typed.clientSecret) ?? nonEmpty(flags.clientSecret) ?? nonEmpty(env.AUTH0_CLIENT_SECRET) ?? nonEmpty(env.AUTH0_CLIENT_ASSERTION_SIGNING_KEY)) === undefined,
  };
}

/**
 * Answers typed in the wizard win, then flags, then the environment. One error names everything
 * that is missing, so a person fixes it in one go rather than one variable at a time. Typed
 * answers draw no "shell history" warning: they never were on a command line.
 */
export function resolveCredentials(flags: CredentialFlags, env: NodeJS.ProcessEnv, typed: CredentialFlags = {}): ResolvedCredentials {
  const warnings: string[] = [];
  const domainRaw = nonEmpty(typed.domain) ?? nonEmpty(flags.domain) ?? nonEmpty(env.AUTH0_DOMAIN);
  const token = nonEmpty(typed.token) ?? nonEmpty(flags.token) ?? nonEmpty(env.AUTH0_ACCESS_TOKEN) ?? nonEmpty(env.AUTH0_API_TOKEN);
  const clientId = nonEmpty(typed.clientId) ?? nonEmpty(flags.clientId) ?? nonEmpty(env.AUTH0_CLIENT_ID);
  const clientSecret = nonEmpty(typed.clientSecret) ?? nonEmpty(flags.clientSecret) ?? nonEmpty(env.AUTH0_CLIENT_SECRET);
  const signingKeyRaw = nonEmpty(env.AUTH0_CLIENT_ASSERTION_SIGNING_KEY);
  for (const secret of [token, clientSecret]) registerSecret(secret);

  if (nonEmpty(flags.clientSecret) !== undefined && nonEmpty(typed.clientSecret) === undefined) {
    warnings.push('--client-secret ends up in shell history and `ps`; prefer the AUTH0_CLIENT_SECRET environment variable');
  }
  if (nonEmpty(flags.token) !== undefined && nonEmpty(typed.token) === undefined) {
    warnings.push('--token ends up in shell history and `ps`; prefer the AUTH0_ACCESS_TOKEN environment variable');
  }

  const gaps = missingCredentials(flags, env, typed);
  const missing = [
    ...(gaps.domain ? ['AUTH0_DOMAIN (or --domain)'] : []),
    ...(gaps.clientId ? ['AUTH0_CLIENT_ID (or --client-id)'] : []),
    ...(gaps.clientSecret ? ['AUTH0_CLIENT_SECRET (or AUTH0_CLIENT_ASSERTION_SIGNING_KEY)'] : []),
  ];
  if (missing.length > 0) {
    throw inputError(
      `missing Auth0 credentials: set ${missing.join(', ')}`,
      token === undefined && clientId === undefined
        ? 'use a Machine-to-Machine app authorised for the Auth0 Management API (the README, "Set up a Machine-to-Machine application", lists the scopes each command needs), or set AUTH0_ACCESS_TOKEN'
        : undefined,
    );
  }
  const domain = normalizeDomain(domainRaw as string);

  if (token !== undefined) return { credentials: { domain, kind: 'token', token }, warnings };
  if (clientSecret !== undefined) {
    return { credentials: { domain, kind: 'client-secret', clientId: clientId as string, clientSecret }, warnings };
  }
  const signingAlg = signingAlgorithm(nonEmpty(env.AUTH0_CLIENT_ASSERTION_SIGNING_ALG));
  const signingKey = readSigningKey(signingKeyRaw as string, signingAlg);
  return { credentials: { domain, kind: 'private-key-jwt', clientId: clientId as string, signingKey, signingAlg }, warnings };
}

/**
 * The algorithms Auth0 takes for a Private Key JWT credential, all of them RSA
 * (https://auth0.com/docs/get-started/applications/configure-private-key-jwt): anything else
 * would fail inside the SDK's signing with an error that reads like a network problem.
 */
const SIGNING_ALGORITHMS = ['RS256', 'RS384', 'PS256'];

function signingAlgorithm(value: string | undefined): string {
  if (value === undefined) return 'RS256';
  if (!SIGNING_ALGORITHMS.includes(value)) {
    throw inputError(`AUTH0_CLIENT_ASSERTION_SIGNING_ALG is "${untrusted(value)}", which Auth0 does not take for a Private Key JWT`, `set it to ${SIGNING_ALGORITHMS.join(', ')} (the algorithm of the credential on the application), or leave it unset for RS256`);
  }
  return value;
}

/**
 * AUTH0_CLIENT_ASSERTION_SIGNING_KEY holds the PEM itself or a path to it. The key is parsed
 * here: a malformed one would otherwise fail deep inside the SDK's signing with an error that
 * reads like a TLS problem.
 */
function readSigningKey(value: string, alg: string): string {
  const fix = 'set AUTH0_CLIENT_ASSERTION_SIGNING_KEY to the PKCS#8 PEM text of the private key or to the path of its .pem file';
  let pem: string;
  if (value.includes('-----BEGIN')) {
    pem = value.replace(/\\n/g, '\n');
  } else {
    try {
      pem = readFileSync(value, 'utf8');
    } catch {
      throw inputError('AUTH0_CLIENT_ASSERTION_SIGNING_KEY is neither a PEM private key nor a readable PEM file', fix);
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    // The key text is never repeated: it is a secret.
    throw inputError('AUTH0_CLIENT_ASSERTION_SIGNING_KEY does not hold a usable private key (not a PEM private key)', fix);
  }
  // As the SDK's JOSE library signs: RS256 and RS384 with an RSA key, PS256 with an RSA or
  // RSA-PSS key, of 2048 bits or more.
  const type = key.asymmetricKeyType;
  if (!(type === 'rsa' || (type === 'rsa-pss' && alg === 'PS256'))) {
    throw inputError(`AUTH0_CLIENT_ASSERTION_SIGNING_KEY holds ${type === undefined ? 'no asymmetric' : `an ${type.toUpperCase()}`} key, which cannot sign ${alg}`, type === 'rsa-pss' ? 'set AUTH0_CLIENT_ASSERTION_SIGNING_ALG=PS256, or use an RSA key' : 'use an RSA private key of 2048 bits or more (the one whose public key is on the application)');
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw inputError(`AUTH0_CLIENT_ASSERTION_SIGNING_KEY holds an RSA key of ${bits} bits; ${alg} needs 2048 or more`, 'use an RSA private key of 2048 bits or more');
  // Hidden from every message from here on, as the client secret is.
  registerSecret(pem);
  return pem;
}
