// After a 413 the node:http gateway closes the connection, so a client cannot keep streaming
// the body it declared (nothing past the limit is read).
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayServer, type GatewayServer } from '../../src/gateway/server.js';

let server: GatewayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startGatewayServer, 413', () => {
  it('answers with connection: close and closes the socket while the client still sends the body', async () => {
    server = await startGatewayServer({ verify: null, maxBodyBytes: 1024 });
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n');
    // Keep streaming the declared body, as a slow uploader would.
    const timer = setInterval(() => socket.writable && socket.write('x'.repeat(16 * 1024)), 5);
    const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('still open'), 2000))]);
    clearInterval(timer);
    socket.destroy();
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    expect(received.toLowerCase()).toContain('connection: close');
    expect(outcome).toBe('closed');
  });
});
