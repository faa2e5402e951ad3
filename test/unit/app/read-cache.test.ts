import { describe, it, expect } from 'vitest';
import { createReadCache } from '../../../src/app/read-cache.js';

describe('app/read-cache', () => {
  it('shares one in-flight load between concurrent callers and expires after the TTL', async () => {
    let t = 0;
    let loads = 0;
    const cache = createReadCache({ ttlMs: 1_000, now: () => t });
    const load = async () => {
      loads += 1;
      return loads;
    };
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    t = 999;
    expect(await cache.get('k', load)).toBe(1);
    t = 1_000;
    expect(await cache.get('k', load)).toBe(2);
  });

  it('never caches failures', async () => {
    const cache = createReadCache({ ttlMs: 60_000 });
    await expect(cache.get('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('k', async () => 'ok')).toBe('ok');
  });

  it('is off with ttlMs 0 and bounded in size', async () => {
    let loads = 0;
    const off = createReadCache({ ttlMs: 0 });
    await off.get('k', async () => ++loads);
    await off.get('k', async () => ++loads);
    expect(loads).toBe(2);
    const small = createReadCache({ ttlMs: 60_000, maxEntries: 2 });
    let n = 0;
    for (const k of ['a', 'b', 'c']) await small.get(k, async () => ++n);
    expect(await small.get('a', async () => 99)).toBe(99); // evicted (oldest)
    expect(await small.get('c', async () => 99)).toBe(3);
  });
});
