/**
 * A throw-away TLS certificate for the sandbox: ECDSA P-256, self-signed, SAN IP:127.0.0.1 and
 * DNS:localhost, valid for one day.
 *
 * Encoded here with a few lines of DER rather than @peculiar/x509: that library resolves its
 * algorithms through tsyringe, which throws at import time unless a global Reflect metadata
 * polyfill (reflect-metadata) has been loaded first, and shipped code should not patch globals.
 * The structure is the fixed X.509 v3 layout of RFC 5280 §4.1; Node's own TLS stack and
 * X509Certificate parse and verify it (test/sandbox/certificate.test.ts).
 */
import { generateKeyPair, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface CertificateOptions {
  /** Subject alternative names; default ['127.0.0.1', 'localhost']. IPs become iPAddress entries. */
  hosts?: string[];
  /** Lifetime in milliseconds; default one day. */
  validForMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Tolerates a client clock a little behind ours. */
const BACKDATE_MS = 5 * 60 * 1000;

export async function createCertificate(options: CertificateOptions = {}): Promise<{ key: string; cert: string }> {
  const hosts = options.hosts ?? ['127.0.0.1', 'localhost'];
  const now = Date.now();
  const { publicKey, privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });

  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40; // positive, no leading zero byte (RFC 5280 §4.1.2.2)
  // A subject of its own: OpenSSL looks trust anchors up by subject name, so two trusted
  // certificates with one name (the sandbox's and a test gateway's, say) would shadow each other.
  const name = seq(set(seq(oid('2.5.4.3'), utf8(`auth0-sms-gateway sandbox ${serial.subarray(0, 4).toString('hex')}`))));

  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ecdsaWithSha256,
    name,
    seq(utcTime(new Date(now - BACKDATE_MS)), utcTime(new Date(now + (options.validForMs ?? DAY_MS)))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      seq(
        extension('2.5.29.19', true, seq()), // basicConstraints: not a CA
        extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x07, 0x80]))), // keyUsage: digitalSignature
        extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
        extension('2.5.29.17', false, seq(...hosts.map(generalName))), // subjectAltName
      ),
    ),
  );
  // Node's sign() emits the DER ECDSA-Sig-Value that X.509 expects (RFC 5480 §2.2).
  const signature = sign('sha256', tbs, privateKey);
  const certificate = seq(tbs, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));

  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: toPem('CERTIFICATE', certificate),
  };
}

function generalName(host: string): Buffer {
  const family = isIP(host);
  if (family === 4) return tlv(0x87, Buffer.from(host.split('.').map(Number))); // [7] iPAddress
  if (family === 6) throw new RangeError(`IPv6 subject alternative names are not supported: ${host}`);
  return tlv(0x82, Buffer.from(host, 'ascii')); // [2] dNSName
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
}

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (tagNumber: number, content: Buffer): Buffer => tlv(0xa0 | tagNumber, content);
const integer = (bytes: Buffer): Buffer => tlv(0x02, bytes);
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let n = arc >>> 7; n > 0; n >>>= 7) chunk.unshift((n & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime YYMMDDHHMMSSZ, valid for dates before 2050 (RFC 5280 §4.1.2.5.1). */
function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
