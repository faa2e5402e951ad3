import { it, expect } from 'vitest';
import type { RunStore } from '../../../src/store/run-store.js';

/** The behaviour every RunStore promises; run against each backend. */
export function runStoreContract(makeStore: () => RunStore, runId: (name: string) => string): void {
  it('round-trips JSON values per run and key, and returns undefined for unknown keys', async () => {
    const store = makeStore();
    const run = runId('roundtrip');
    const value = { text: 'caf\u00e9 \u{1F600}', n: 1.5, list: [1, null, { a: true }] };
    await store.set(run, 'llm/relevance/src/a.py', value);
    expect(await store.get(run, 'llm/relevance/src/a.py')).toEqual(value);
    expect(await store.get(run, 'missing')).toBeUndefined();
    expect(await store.get(runId('other'), 'llm/relevance/src/a.py')).toBeUndefined();
    await store.clear(run);
  });

  it('returns copies: mutating a returned value does not change the stored one', async () => {
    const store = makeStore();
    const run = runId('copies');
    await store.set(run, 'k', { a: 1 });
    const got = await store.get<{ a: number }>(run, 'k');
    got!.a = 2;
    expect(await store.get(run, 'k')).toEqual({ a: 1 });
    await store.clear(run);
  });

  it('lists by prefix in key order (glob characters are literal) and clears a run', async () => {
    const store = makeStore();
    const run = runId('list');
    await store.set(run, 'llm/ranking/1', 1);
    await store.set(run, 'llm/ranking/0', 0);
    await store.set(run, 'llm/relevance/[x]*.py', 'r');
    await store.set(run, 'state/editing/s0', 's');
    expect(await store.list(run, 'llm/ranking/')).toEqual([
      { key: 'llm/ranking/0', value: 0 },
      { key: 'llm/ranking/1', value: 1 },
    ]);
    expect((await store.list(run, 'llm/relevance/[x]')).map((e) => e.key)).toEqual([
      'llm/relevance/[x]*.py',
    ]);
    expect(await store.list(run, '')).toHaveLength(4);
    await store.clear(run);
    expect(await store.list(run, '')).toEqual([]);
  });

  it('overwrites a key', async () => {
    const store = makeStore();
    const run = runId('overwrite');
    await store.set(run, 'k', 'one');
    await store.set(run, 'k', 'two');
    expect(await store.get(run, 'k')).toBe('two');
    await store.clear(run);
  });
}
