import { describe, it, expect } from 'vitest';
import { runFirstThenRest } from '../../../src/llm/siblings.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runFirstThenRest', () => {
  it('finishes the first item before any sibling starts, then bounds concurrency', async () => {
    const events: string[] = [];
    let active = 0;
    let peak = 0;
    const results = await runFirstThenRest(
      [0, 1, 2, 3, 4, 5],
      async (item) => {
        events.push(`start ${item}`);
        active++;
        peak = Math.max(peak, active);
        await sleep(item === 0 ? 30 : 10);
        active--;
        events.push(`end ${item}`);
        return item * 2;
      },
      2,
    );
    expect(results).toEqual([0, 2, 4, 6, 8, 10]);
    expect(events.slice(0, 2)).toEqual(['start 0', 'end 0']);
    expect(peak).toBe(2);
  });

  it('returns [] for no items and starts no sibling when the first fails', async () => {
    expect(await runFirstThenRest([], async () => 1, 3)).toEqual([]);
    const started: number[] = [];
    await expect(
      runFirstThenRest(
        [0, 1],
        async (i) => {
          started.push(i);
          throw new Error('boom');
        },
        2,
      ),
    ).rejects.toThrow('boom');
    expect(started).toEqual([0]);
  });
});
