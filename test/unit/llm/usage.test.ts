import { describe, it, expect } from 'vitest';
import {
  UsageLedger,
  getCostUsd,
  getPrice,
  getPriceTable,
  UNKNOWN_MODEL_PRICE,
} from '../../../src/llm/usage.js';

describe('usage', () => {
  it('prices the documented models and lets config override them', () => {
    expect(getPrice('claude-haiku-5-5')).toEqual({
      input: 0.1,
      output: 0.5,
      cacheWrite: 0.125,
      cacheRead: 0.01,
    });
    expect(getPrice('scripted:claude-opus-5-5').input).toBe(4);
    expect(getPrice('some-new-model')).toEqual(UNKNOWN_MODEL_PRICE);
    const table = getPriceTable({
      'claude-haiku-5-5': { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 },
    });
    expect(getPrice('claude-haiku-5-5', table).input).toBe(1);
    expect(getPrice('claude-sonnet-5-5', table).input).toBe(2);
  });

  it('computes dollars from all four token kinds', () => {
    const usd = getCostUsd(
      {
        inputTokens: 1_000_000,
        cacheWriteTokens: 1_000_000,
        cacheReadTokens: 1_000_000,
        outputTokens: 1_000_000,
      },
      getPrice('claude-sonnet-5-5'),
    );
    expect(usd).toBeCloseTo(2 + 2.5 + 0.1 + 10, 9);
  });

  it('accumulates per stage and in total; replays are free and counted apart', () => {
    const ledger = new UsageLedger();
    ledger.record(
      'ranking',
      { inputTokens: 10, cacheWriteTokens: 20, cacheReadTokens: 30, outputTokens: 40 },
      0.5,
    );
    ledger.record(
      'editing',
      { inputTokens: 1, cacheWriteTokens: 0, cacheReadTokens: 0, outputTokens: 1 },
      0.25,
    );
    ledger.recordReplay('editing');
    const t = ledger.snapshot();
    expect(t.byStage.ranking).toMatchObject({
      inputTokens: 10,
      cacheReadTokens: 30,
      calls: 1,
      usd: 0.5,
    });
    expect(t.byStage.editing).toMatchObject({ calls: 1, replays: 1, usd: 0.25 });
    expect(t.total).toMatchObject({ calls: 2, replays: 1, outputTokens: 41 });
    expect(ledger.usd).toBeCloseTo(0.75);
    t.total.usd = 99;
    expect(ledger.usd).toBeCloseTo(0.75);
  });
});
