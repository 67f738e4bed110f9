// The grace period after the first signal, with a fake signal source as in interrupts.test.ts:
// a write that hangs ends the run when it runs out; a write that finishes in time cancels it.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { Interrupts } from '../../src/flow/interrupt.js';

function setUp(graceMs: number) {
  const signals = new EventEmitter();
  const exit = vi.fn();
  const said: string[] = [];
  const interrupts = new Interrupts({ signals, exit, say: (text) => void said.push(text), graceMs });
  return { signals, exit, said, interrupts };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Interrupts grace period', () => {
  it('a write still in flight when the grace runs out: the unknown outcome, exit 130', async () => {
    const { signals, exit, said, interrupts } = setUp(20);
    const beforeExit = vi.fn();
    void interrupts.guard(() => new Promise<never>(() => undefined), () => 'check with `show`', beforeExit);
    signals.emit('SIGINT');
    await sleep(80);
    expect(exit).toHaveBeenCalledWith(130);
    expect(said.at(-1)).toBe('error: the request in flight did not finish within 0 s: check with `show`');
    expect(beforeExit).toHaveBeenCalledWith('the request in flight did not finish within 0 s: check with `show`');
  });

  it('a write that finishes within the grace: the timer goes with it, no exit', async () => {
    const { signals, exit, said, interrupts } = setUp(20);
    let finish!: () => void;
    const written = interrupts.guard(() => new Promise<void>((resolve) => (finish = resolve)), () => 'unknown');
    signals.emit('SIGINT');
    finish();
    await written;
    await sleep(80);
    expect(exit).not.toHaveBeenCalled();
    expect(said).toHaveLength(1);
  });
});
