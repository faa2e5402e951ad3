import { describe, it, expect } from 'vitest';
import { createRunLlm, estimateWorstCaseUsd } from '../../../src/llm/metered.js';
import { UsageLedger, getCostUsd, getPrice, DEFAULT_PRICES } from '../../../src/llm/usage.js';
import { ScriptedLlm } from '../../../src/llm/scripted.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { isCodemonkeysError } from '../../../src/errors.js';
import type { LlmRequest } from '../../../src/llm/client.js';

function request(key: string, content = 'hello', maxTokens = 100): LlmRequest {
  return {
    model: 'claude-sonnet-5-5',
    system: 'You are a helpful model.',
    cacheSystem: true,
    messages: [{ role: 'user', content, cache: true }],
    maxTokens,
    temperature: 0,
    stage: 'relevance',
    key,
  };
}

describe('createRunLlm', () => {
  it('records usage and dollars per stage and checkpoints without prompt text', async () => {
    const client = new ScriptedLlm({ rules: [{ reply: 'answer' }] });
    const store = new MemoryRunStore();
    const ledger = new UsageLedger();
    const llm = createRunLlm({ client, store, runId: 'r1', maxUsd: 10, ledger });
    const response = await llm.complete(request('relevance/a.py', 'secret-free file body'));
    expect(response.text).toBe('answer');
    const totals = ledger.snapshot();
    expect(totals.byStage.relevance.calls).toBe(1);
    const expected = getCostUsd(response.usage, getPrice('claude-sonnet-5-5'));
    expect(totals.byStage.relevance.usd).toBeCloseTo(expected, 12);
    expect(totals.total.usd).toBeGreaterThan(0);
    const saved = await store.get<Record<string, unknown>>('r1', 'llm/relevance/a.py');
    expect(saved).toBeDefined();
    expect(JSON.stringify(saved)).not.toContain('secret-free file body');
  });

  it('replays a checkpoint with the same content hash for $0 and calls the model when content changed', async () => {
    const store = new MemoryRunStore();
    const first = new ScriptedLlm({ rules: [{ reply: 'one' }] });
    await createRunLlm({
      client: first,
      store,
      runId: 'r',
      maxUsd: 10,
      ledger: new UsageLedger(),
    }).complete(request('k'));
    const second = new ScriptedLlm({ rules: [{ reply: 'two' }] });
    const ledger = new UsageLedger();
    const llm = createRunLlm({ client: second, store, runId: 'r', maxUsd: 10, ledger });
    expect((await llm.complete(request('k'))).text).toBe('one');
    expect(second.count()).toBe(0);
    expect(ledger.snapshot().byStage.relevance).toMatchObject({ calls: 0, replays: 1, usd: 0 });
    expect((await llm.complete(request('k', 'changed'))).text).toBe('two');
    expect(second.count()).toBe(1);
  });

  it('refuses a call whose worst case would exceed the budget, before calling the model', async () => {
    const client = new ScriptedLlm({ rules: [{ reply: 'x' }] });
    const req = request('big', 'y'.repeat(35_000), 4096);
    const worst = estimateWorstCaseUsd(req, DEFAULT_PRICES);
    // 10k input tokens at the cache-write rate + 4096 output tokens.
    expect(worst).toBeCloseTo((10_007 * 2.5 + 4096 * 10) / 1e6, 8);
    const llm = createRunLlm({
      client,
      store: new MemoryRunStore(),
      runId: 'r',
      maxUsd: worst * 0.9,
      ledger: new UsageLedger(),
    });
    const error = await llm.complete(req).catch((e: unknown) => e);
    expect(isCodemonkeysError(error, 'BUDGET_EXCEEDED')).toBe(true);
    expect(client.count()).toBe(0);
  });

  it('counts calls in flight against the budget', async () => {
    const client = new ScriptedLlm({ rules: [{ reply: 'x' }], latencyMs: 20 });
    const req = (k: string) => request(k, 'z'.repeat(3500), 1000);
    const worst = estimateWorstCaseUsd(req('a'), DEFAULT_PRICES);
    const llm = createRunLlm({
      client,
      store: new MemoryRunStore(),
      runId: 'r',
      maxUsd: worst * 1.5,
      ledger: new UsageLedger(),
    });
    const results = await Promise.allSettled([llm.complete(req('a')), llm.complete(req('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });
});
