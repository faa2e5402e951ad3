import { describe, it, expect } from 'vitest';
import { createRunLlm, estimateWorstCaseUsd } from '../../../src/llm/metered.js';
import { UsageLedger, getCostUsd, getPrice, DEFAULT_PRICES } from '../../../src/llm/usage.js';
import type { BatchOutcome, LlmBatchClient } from '../../../src/llm/batch.js';
import type { LlmRequest, LlmResponse } from '../../../src/llm/client.js';
import { ScriptedLlm } from '../../../src/llm/scripted.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { CodemonkeysError } from '../../../src/errors.js';
import { seedLedgerFromCheckpoints } from '../../../src/pipeline/run-usage.js';

const USAGE = {
  inputTokens: 1000,
  cacheWriteTokens: 2000,
  cacheReadTokens: 3000,
  outputTokens: 400,
};

function request(key: string, content = 'file body'): LlmRequest {
  return {
    model: 'claude-haiku-5-5',
    system: 'sys',
    cacheSystem: true,
    messages: [{ role: 'user', content }],
    maxTokens: 4096,
    temperature: 0,
    stage: 'relevance',
    key,
  };
}

/** Answers every request; remembers what was submitted. `fail` keys get an LLM_SERVER outcome. */
class FakeBatch implements LlmBatchClient {
  readonly submitted: string[][] = [];
  constructor(private readonly fail: string[] = []) {}
  completeBatch(requests: readonly LlmRequest[]): Promise<Map<string, BatchOutcome>> {
    this.submitted.push(requests.map((r) => r.key));
    const response = (r: LlmRequest): LlmResponse => ({
      text: `answer ${r.key}`,
      usage: USAGE,
      stopReason: 'end_turn',
      model: r.model,
    });
    return Promise.resolve(
      new Map(
        requests.map((r): [string, BatchOutcome] =>
          this.fail.includes(r.key)
            ? [r.key, { ok: false, error: new CodemonkeysError('LLM_SERVER', 'item errored') }]
            : [r.key, { ok: true, response: response(r) }],
        ),
      ),
    );
  }
}

describe('createRunLlm batch', () => {
  it('bills succeeded items at half price, counts batchCalls, checkpoints with batch: true; failed items are not billed', async () => {
    const batchClient = new FakeBatch(['k/2']);
    const store = new MemoryRunStore();
    const ledger = new UsageLedger();
    const llm = createRunLlm({
      client: new ScriptedLlm({ rules: [] }),
      batchClient,
      store,
      runId: 'r',
      maxUsd: 10,
      ledger,
    });
    const outcomes = await llm.batch!.completeBatch([
      request('k/0'),
      request('k/1'),
      request('k/2'),
    ]);
    expect([...outcomes.values()].map((o) => o.ok)).toEqual([true, true, false]);
    const full = getCostUsd(USAGE, getPrice('claude-haiku-5-5'));
    const usage = ledger.snapshot().byStage.relevance;
    expect(usage).toMatchObject({ calls: 2, batchCalls: 2, inputTokens: 2000, outputTokens: 800 });
    expect(usage.usd).toBeCloseTo(full, 12); // two calls at half price each
    const saved = await store.get<{ batch?: boolean; usd: number }>('r', 'llm/k/0');
    expect(saved).toMatchObject({ batch: true });
    expect(saved?.usd).toBeCloseTo(full / 2, 12);
    expect(await store.get('r', 'llm/k/2')).toBeUndefined();

    // A resumed run's ledger counts the earlier batch calls at what they cost.
    const resumed = new UsageLedger();
    expect(await seedLedgerFromCheckpoints(store, 'r', resumed)).toBe(2);
    expect(resumed.snapshot().byStage.relevance).toMatchObject({ calls: 2, batchCalls: 2 });
    expect(resumed.usd).toBeCloseTo(full, 12);
  });

  it('submits only requests without a matching checkpoint; the rest are $0 replays', async () => {
    const store = new MemoryRunStore();
    const first = new FakeBatch();
    await createRunLlm({
      client: new ScriptedLlm({ rules: [] }),
      batchClient: first,
      store,
      runId: 'r',
      maxUsd: 10,
      ledger: new UsageLedger(),
    }).batch!.completeBatch([request('a'), request('b')]);
    const second = new FakeBatch();
    const ledger = new UsageLedger();
    const llm = createRunLlm({
      client: new ScriptedLlm({ rules: [] }),
      batchClient: second,
      store,
      runId: 'r',
      maxUsd: 10,
      ledger,
    });
    const outcomes = await llm.batch!.completeBatch([
      request('a'),
      request('b', 'changed body'),
      request('c'),
    ]);
    expect(second.submitted).toEqual([['b', 'c']]);
    const a = outcomes.get('a');
    expect(a?.ok && a.response.text).toBe('answer a');
    expect(ledger.snapshot().byStage.relevance).toMatchObject({
      calls: 2,
      replays: 1,
      batchCalls: 2,
    });
  });

  it('admits requests while their half-price worst case fits the budget; the rest get BUDGET_EXCEEDED and are not submitted', async () => {
    const batchClient = new FakeBatch();
    const one = estimateWorstCaseUsd(request('x'), DEFAULT_PRICES);
    // Room for three at batch price, although fewer than two would fit at the direct price.
    const maxUsd = one * 1.6;
    const llm = createRunLlm({
      client: new ScriptedLlm({ rules: [] }),
      batchClient,
      store: new MemoryRunStore(),
      runId: 'r',
      maxUsd,
      ledger: new UsageLedger(),
    });
    const outcomes = await llm.batch!.completeBatch(
      ['a', 'b', 'c', 'd', 'e'].map((k) => request(k)),
    );
    expect(batchClient.submitted).toEqual([['a', 'b', 'c']]);
    const d = outcomes.get('d');
    expect(d?.ok === false && d.error.code).toBe('BUDGET_EXCEEDED');
    const e = outcomes.get('e');
    expect(e?.ok === false && e.error.code).toBe('BUDGET_EXCEEDED');
  });

  it('has no batch client when none is given', () => {
    const llm = createRunLlm({
      client: new ScriptedLlm({ rules: [] }),
      store: new MemoryRunStore(),
      runId: 'r',
      maxUsd: 1,
      ledger: new UsageLedger(),
    });
    expect(llm.batch).toBeUndefined();
  });
});
