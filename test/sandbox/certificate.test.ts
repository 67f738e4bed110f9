import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificate, startSandbox } from '../../src/sandbox/index.js';
import { sharedTls, useSandbox } from '../helpers/sandbox.js';

describe('createCertificate', () => {
  it('makes a self-signed ECDSA P-256 server certificate for 127.0.0.1 and localhost, valid about a day', async () => {
    const before = Date.now();
    const { key, cert } = await createCertificate();
    const x509 = new X509Certificate(cert);

    expect(x509.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x509.verify(x509.publicKey)).toBe(true); // self-signed
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x509.ca).toBe(false);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
    const notBefore = Date.parse(x509.validFrom);
    const notAfter = Date.parse(x509.validTo);
    expect(notBefore).toBeLessThanOrEqual(before);
    expect(notAfter - before).toBeGreaterThan(23 * 3600_000);
    expect(notAfter - before).toBeLessThanOrEqual(24 * 3600_000 + 1000);
  });

  it('makes a different key and serial each time', async () => {
    const [a, b] = await Promise.all([createCertificate(), createCertificate()]);
    expect(a.key).not.toBe(b.key);
    expect(new X509Certificate(a.cert).serialNumber).not.toBe(new X509Certificate(b.cert).serialNumber);
    // and a subject of its own, so that several can be trusted at once
    expect(new X509Certificate(a.cert).subject).toMatch(/^CN=auth0-sms-gateway sandbox [0-9a-f]{8}$/);
    expect(new X509Certificate(a.cert).subject).not.toBe(new X509Certificate(b.cert).subject);
    expect(new X509Certificate(a.cert).issuer).toBe(new X509Certificate(a.cert).subject);
  });
});

describe('trust in test workers', () => {
  const sandbox = useSandbox();

  it('global fetch trusts the shared certificate through NODE_EXTRA_CA_CERTS', async () => {
    expect(process.env.NODE_EXTRA_CA_CERTS).toBeTruthy();
    expect(sandbox().certPem).toBe(sharedTls().cert);
    const response = await fetch(`${sandbox().url}/no-such-route`);
    expect(response.status).toBe(404);
  });

  it('does not trust a sandbox with a certificate of its own (so the test above proves the variable works)', async () => {
    const own = await startSandbox();
    try {
      await expect(fetch(`${own.url}/no-such-route`)).rejects.toThrow(/fetch failed/);
    } finally {
      await own.close();
    }
  });
});
