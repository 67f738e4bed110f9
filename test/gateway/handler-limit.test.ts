// createGatewayHandler takes a body of exactly maxBodyBytes, as startGatewayServer does
// (server.test.ts "a body exactly at the limit is read"); one byte more is 413.
import { describe, expect, it } from 'vitest';
import { createGatewayHandler } from '../../src/index.js';

const payload = { recipient: '+15550001', body: 'Your code is 1', sender: '' };

describe('createGatewayHandler body limit', () => {
  it('reads a body exactly at the limit, streamed or whole; one byte more is 413', async () => {
    const body = JSON.stringify(payload);
    const limit = Buffer.byteLength(body);
    const handler = createGatewayHandler({ allowUnauthenticated: true, maxBodyBytes: limit }, () => undefined);
    const whole = await handler(new Request('https://gw.example.com/', { method: 'POST', body }));
    expect(whole.status).toBe(200);
    const half = Math.floor(limit / 2);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body.slice(0, half)));
        controller.enqueue(new TextEncoder().encode(body.slice(half)));
        controller.close();
      },
    });
    const streamed = await handler(new Request('https://gw.example.com/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit));
    expect(streamed.status).toBe(200);
    const over = await handler(new Request('https://gw.example.com/', { method: 'POST', body: `${body} ` }));
    expect(over.status).toBe(413);
  });
});
