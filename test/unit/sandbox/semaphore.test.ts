import { describe, expect, it } from 'vitest';
import { isCodemonkeysError } from '../../../src/errors.js';
import { Semaphore } from '../../../src/sandbox/semaphore.js';

describe('semaphore', () => {
  it('admits up to the limit and queues the rest in order', async () => {
    const semaphore = new Semaphore(2);
    const a = await semaphore.acquire();
    await semaphore.acquire();
    const order: string[] = [];
    const c = semaphore.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = semaphore.acquire().then(() => order.push('d'));
    expect(semaphore.running).toBe(2);
    a();
    a(); // releasing twice is harmless
    (await c)();
    await d;
    expect(order).toEqual(['c', 'd']);
  });

  it('rejects a waiter whose signal aborts, without leaking its slot', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort();
    const error = await waiting.catch((e: unknown) => e);
    expect(isCodemonkeysError(error, 'CANCELLED')).toBe(true);
    release();
    expect(semaphore.running).toBe(0);
    const again = await semaphore.acquire();
    expect(semaphore.running).toBe(1);
    again();
  });

  it('rejects at once when the signal already fired', async () => {
    const semaphore = new Semaphore(1);
    const error = await semaphore.acquire(AbortSignal.abort()).catch((e: unknown) => e);
    expect(isCodemonkeysError(error, 'CANCELLED')).toBe(true);
  });
});
