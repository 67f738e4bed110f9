// The signal rule with a fake signal source: inside guard() a signal finishes the write in
// flight; outside it, stopOutsideWrites ends the run with its last word; after that, no write
// starts.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { Interrupts } from '../../src/flow/interrupt.js';

function setUp() {
  const signals = new EventEmitter();
  const exit = vi.fn();
  const said: string[] = [];
  const interrupts = new Interrupts({ signals, exit, say: (text) => void said.push(text), graceMs: 60_000 });
  return { signals, exit, said, interrupts };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Interrupts', () => {
  it('outside a write: the last word, then exit 130; listeners go with the returned function', async () => {
    const { signals, exit, interrupts } = setUp();
    const report = vi.fn();
    const stop = interrupts.stopOutsideWrites(report);
    signals.emit('SIGTERM');
    await tick();
    expect(report).toHaveBeenCalledWith('SIGTERM');
    expect(exit).toHaveBeenCalledWith(130);
    signals.emit('SIGINT');
    await tick();
    expect(report).toHaveBeenCalledTimes(1);
    stop();
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('during a write, the write answers the signal: no "no write in flight", the write finishes', async () => {
    const { signals, exit, said, interrupts } = setUp();
    const report = vi.fn();
    interrupts.stopOutsideWrites(report);
    let finish!: (value: string) => void;
    const written = interrupts.guard(() => new Promise<string>((resolve) => (finish = resolve)), () => 'unknown');
    signals.emit('SIGINT');
    await tick();
    expect(report).not.toHaveBeenCalled();
    expect(said).toEqual(['SIGINT: finishing the request in flight, then stopping (press Ctrl-C again to stop at once)']);
    finish('done');
    expect(await written).toBe('done');
    expect(interrupts.requested).toBe('SIGINT');
    expect(exit).not.toHaveBeenCalled();
  });

  it('once the run is stopping, no write starts', async () => {
    const { signals, interrupts } = setUp();
    interrupts.stopOutsideWrites(() => new Promise(() => undefined));
    signals.emit('SIGINT');
    const write = vi.fn(async () => 'written');
    void interrupts.guard(write, () => 'unknown');
    await tick();
    expect(write).not.toHaveBeenCalled();
  });
});
