/**
 * A stand-in SMS gateway for the sandbox tests: HTTPS on 127.0.0.1 with the shared test
 * certificate (which the sandbox trusts as its own), recording every request it gets and answering
 * with the status the test chooses. Plus an independent HS256 check of the bearer JWT, written
 * with node:crypto so that it shares no code with the sandbox's signer.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { sharedTls } from '../helpers/sandbox.js';

export interface GatewayHit {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface TestGateway {
  url: string;
  hits: GatewayHit[];
  /** The status of the next answers; `'hang'` never answers. */
  answer: number | 'hang';
  close(): Promise<void>;
}

/** `tls`: default, the shared test certificate (the one the sandbox serves, hence trusts). */
export async function startTestGateway(tls: { key: string; cert: string } = sharedTls()): Promise<TestGateway> {
  const hits: GatewayHit[] = [];
  const gateway: Partial<TestGateway> = { hits, answer: 200 };
  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      hits.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const answer = gateway.answer ?? 200;
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: answer === 200 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  gateway.url = `https://127.0.0.1:${port}/sms`;
  gateway.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return gateway as TestGateway;
}

/** The claims of an HS256 JWT when its signature verifies with `key`; throws otherwise. */
export function verifyHs256(token: string, key: Buffer): Record<string, unknown> {
  const [header, payload, signature, extra] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined || extra !== undefined) throw new Error('not a JWT');
  const decoded = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (decoded.alg !== 'HS256') throw new Error(`alg is ${String(decoded.alg)}`);
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new Error('bad signature');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
