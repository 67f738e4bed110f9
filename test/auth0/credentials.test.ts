import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeDomain, resolveCredentials } from '../../src/auth0/credentials.js';
import { CliError } from '../../src/core/errors.js';
import { REDACTED, redactText } from '../../src/core/redact.js';

describe('normalizeDomain', () => {
  it.each([
    ['acme.eu.auth0.com', 'acme.eu.auth0.com'],
    ['https://acme.eu.auth0.com', 'acme.eu.auth0.com'],
    ['https://acme.eu.auth0.com/', 'acme.eu.auth0.com'],
    ['  ACME.eu.auth0.com/ ', 'acme.eu.auth0.com'],
    ['https://acme.eu.auth0.com/api/v2/', 'acme.eu.auth0.com'],
    ['127.0.0.1:8443', '127.0.0.1:8443'],
    ['login.example.com:443', 'login.example.com:443'],
  ])('%s -> %s', (raw, expected) => {
    expect(normalizeDomain(raw)).toBe(expected);
  });

  it.each(['http://acme.auth0.com', 'acme.auth0.com/path', 'user@acme.auth0.com', 'acme auth0', '', 'acme.auth0.com:99999', 'acme.auth0.com?x=1'])(
    'rejects %j with exit 2',
    (raw) => {
      let error: unknown;
      try {
        normalizeDomain(raw);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
      // It may come from --domain, AUTH0_DOMAIN or the wizard's question: the message names none of them.
      expect((error as CliError).message).toMatch(/^the domain ".*" (uses http:\/\/|is not a tenant domain|has an invalid port)$/);
    },
  );
});

describe('resolveCredentials', () => {
  it('prefers flags over the environment', () => {
    const { credentials } = resolveCredentials(
      { domain: 'flag.auth0.com', clientId: 'flag-id' },
      { AUTH0_DOMAIN: 'env.auth0.com', AUTH0_CLIENT_ID: 'env-id', AUTH0_CLIENT_SECRET: 'env-secret-value' },
    );
    expect(credentials).toEqual({ domain: 'flag.auth0.com', kind: 'client-secret', clientId: 'flag-id', clientSecret: 'env-secret-value' });
  });

  it('uses a token, from AUTH0_ACCESS_TOKEN or AUTH0_API_TOKEN, before client credentials', () => {
    expect(resolveCredentials({}, { AUTH0_DOMAIN: 'a.auth0.com', AUTH0_API_TOKEN: 'tok-123456' }).credentials).toEqual({
      domain: 'a.auth0.com',
      kind: 'token',
      token: 'tok-123456',
    });
  });

  it('warns when a secret is passed as a flag', () => {
    const { warnings } = resolveCredentials({ domain: 'a.auth0.com', clientId: 'id', clientSecret: 'shh-secret' }, {});
    expect(warnings.join('\n')).toMatch(/shell history/);
  });

  it('accepts a private-key JWT signing key as PEM text', () => {
    // As a .env file holds it: one line, the line breaks written as \n.
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim().replaceAll('\n', '\\n');
    const { credentials } = resolveCredentials({}, { AUTH0_DOMAIN: 'a.auth0.com', AUTH0_CLIENT_ID: 'id', AUTH0_CLIENT_ASSERTION_SIGNING_KEY: pem });
    expect(credentials.kind).toBe('private-key-jwt');
    expect(credentials.kind === 'private-key-jwt' && credentials.signingKey).toContain('\n');
  });

  it('takes only the RSA keys and algorithms Auth0 takes for a Private Key JWT, as bad input naming the variable', () => {
    const pem = (type: 'rsa' | 'ec') =>
      (type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' })).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const env = (key: string, alg?: string) => ({ AUTH0_DOMAIN: 'a.auth0.com', AUTH0_CLIENT_ID: 'id', AUTH0_CLIENT_ASSERTION_SIGNING_KEY: key, ...(alg === undefined ? {} : { AUTH0_CLIENT_ASSERTION_SIGNING_ALG: alg }) });
    const rsa = pem('rsa');
    for (const alg of ['RS256', 'RS384', 'PS256']) expect(resolveCredentials({}, env(rsa, alg)).credentials).toMatchObject({ kind: 'private-key-jwt', signingAlg: alg });
    expect(resolveCredentials({}, env(rsa)).credentials).toMatchObject({ signingAlg: 'RS256' });
    for (const alg of ['ES256', 'rs256', 'XX999']) {
      expect(() => resolveCredentials({}, env(rsa, alg))).toThrow(expect.objectContaining({ exitCode: 2, message: `AUTH0_CLIENT_ASSERTION_SIGNING_ALG is "${alg}", which Auth0 does not take for a Private Key JWT`, hint: expect.stringContaining('RS256, RS384, PS256') as unknown }));
    }
    expect(() => resolveCredentials({}, env(pem('ec'), 'RS256'))).toThrow(expect.objectContaining({ exitCode: 2, message: 'AUTH0_CLIENT_ASSERTION_SIGNING_KEY holds an EC key, which cannot sign RS256' }));
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => resolveCredentials({}, env(small))).toThrow(expect.objectContaining({ exitCode: 2, message: 'AUTH0_CLIENT_ASSERTION_SIGNING_KEY holds an RSA key of 1024 bits; RS256 needs 2048 or more' }));
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(resolveCredentials({}, env(pss, 'PS256')).credentials).toMatchObject({ signingAlg: 'PS256' });
    expect(() => resolveCredentials({}, env(pss, 'RS256'))).toThrow(expect.objectContaining({ exitCode: 2, message: 'AUTH0_CLIENT_ASSERTION_SIGNING_KEY holds an RSA-PSS key, which cannot sign RS256', hint: expect.stringContaining('PS256') as unknown }));
    expect(() => resolveCredentials({}, env('-----BEGIN PRIVATE KEY-----\\nnot a key\\n-----END PRIVATE KEY-----'))).toThrow(expect.objectContaining({ exitCode: 2, message: 'AUTH0_CLIENT_ASSERTION_SIGNING_KEY does not hold a usable private key (not a PEM private key)' }));
  });

  it('hides the private key from free text once it is read, as it hides the client secret', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    resolveCredentials({}, { AUTH0_DOMAIN: 'a.auth0.com', AUTH0_CLIENT_ID: 'id', AUTH0_CLIENT_ASSERTION_SIGNING_KEY: pem });
    expect(redactText(`a dump: ${pem.trim()} end`)).toBe(`a dump: ${REDACTED} end`);
  });

  it('names everything missing at once', () => {
    expect(() => resolveCredentials({}, {})).toThrow(/AUTH0_DOMAIN.*AUTH0_CLIENT_ID.*AUTH0_CLIENT_SECRET/);
    expect(() => resolveCredentials({}, { AUTH0_DOMAIN: 'a.auth0.com', AUTH0_CLIENT_ID: 'x' })).toThrow(/missing Auth0 credentials: set AUTH0_CLIENT_SECRET/);
  });
});
