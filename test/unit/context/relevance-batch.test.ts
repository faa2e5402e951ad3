import { describe, it, expect, afterEach } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runContextStage } from '../../../src/pipeline/context/run-context.js';
import { runBatchFirstPass } from '../../../src/pipeline/context/relevance-batch.js';
import { walkRepository } from '../../../src/pipeline/context/files.js';
import { ScriptedLlm, type ScriptedRule } from '../../../src/llm/scripted.js';
import { createRunLlm } from '../../../src/llm/metered.js';
import { UsageLedger, getCostUsd, getPrice } from '../../../src/llm/usage.js';
import type { BatchOutcome, LlmBatchClient } from '../../../src/llm/batch.js';
import type { LlmCheckpoint } from '../../../src/llm/checkpoint.js';
import type { LlmRequest } from '../../../src/llm/client.js';
import { loadPrompts } from '../../../src/llm/prompts.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { DEFAULT_CONFIG } from '../../../src/config/repo-config.js';
import { CodemonkeysError, isCodemonkeysError } from '../../../src/errors.js';
import { createSilentLogger } from '../../../src/logger.js';
import type { RunRequest } from '../../../src/pipeline/types.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'context-repo');
const prompts = loadPrompts();
const RUN = 'acme/shapes#7@1';
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cm-ctx-batch-'));
  dirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

function runRequest(dir: string, batch = true): RunRequest {
  return {
    runId: RUN,
    repo: 'acme/shapes',
    issue: {
      number: 7,
      title: 'Circle area is four times too large',
      body: 'area_of(Circle(2)) returns 12.57, expected 3.14.',
    },
    snapshot: { dir, repo: 'acme/shapes', commit: 'a'.repeat(40) },
    config: { ...DEFAULT_CONFIG, context: { ...DEFAULT_CONFIG.context, batch } },
  };
}

const verdict = (summary: string) => `Reasoning.\n\nRELEVANCE: Relevant\nSUMMARY: ${summary}`;
function rules(): ScriptedRule[] {
  return [
    { key: 'relevance/shapes/area.py', reply: verdict('area_of uses the diameter.') },
    { key: 'relevance/shapes/models.py', reply: verdict('Circle defines diameter and radius.') },
    { key: 'relevance/shapes/perimeter.py', reply: 'I am not sure.' },
    {
      key: 'relevance/shapes/perimeter.py/retry',
      reply: 'RELEVANCE: Relevant\nSUMMARY: Same pattern for perimeters.',
    },
    { stage: 'relevance', reply: 'Unrelated.\nRELEVANCE: Not Relevant' },
    {
      stage: 'ranking',
      reply: '```json\n["shapes/area.py", "shapes/models.py", "shapes/perimeter.py"]\n```',
    },
  ];
}

/** A batch client answering like the scripted model; `fail` keys get an errored item. */
class FakeBatch implements LlmBatchClient {
  readonly submitted: string[][] = [];
  readonly model = new ScriptedLlm({ rules: rules() });
  constructor(
    private readonly fail: string[] = [],
    private readonly whole?: CodemonkeysError,
  ) {}
  async completeBatch(requests: readonly LlmRequest[]): Promise<Map<string, BatchOutcome>> {
    this.submitted.push(requests.map((r) => r.key));
    if (this.whole !== undefined) throw this.whole;
    const outcomes = new Map<string, BatchOutcome>();
    for (const r of requests) {
      if (this.fail.includes(r.key))
        outcomes.set(r.key, {
          ok: false,
          error: new CodemonkeysError('LLM_SERVER', 'item errored'),
        });
      else outcomes.set(r.key, { ok: true, response: await this.model.complete(r) });
    }
    return outcomes;
  }
}

function setup(batchClient: LlmBatchClient | undefined, store = new MemoryRunStore()) {
  const direct = new ScriptedLlm({ rules: rules() });
  const ledger = new UsageLedger();
  const llm = createRunLlm({
    client: direct,
    ...(batchClient ? { batchClient } : {}),
    store,
    runId: RUN,
    maxUsd: 5,
    ledger,
  });
  const deps = {
    llm,
    ...(llm.batch ? { llmBatch: llm.batch } : {}),
    prompts,
    logger: createSilentLogger(),
  };
  return { direct, ledger, store, deps };
}

const relevanceKeys = (client: ScriptedLlm) =>
  client.calls.filter((c) => c.stage === 'relevance').map((c) => c.key);

describe('runContextStage with context.batch', () => {
  it('sends the first pass as one batch at half price; re-asks and failed items are direct calls', async () => {
    const batch = new FakeBatch(['relevance/shapes/models.py']);
    const { direct, ledger, store, deps } = setup(batch);
    const { report } = await runContextStage(runRequest(repo()), deps);

    expect(batch.submitted).toHaveLength(1);
    const sent = batch.submitted[0]!;
    expect(sent).toContain('relevance/shapes/area.py');
    expect(sent.every((k) => k.startsWith('relevance/') && !k.endsWith('/retry'))).toBe(true);
    expect(sent.length).toBe(report.scanned);
    expect(relevanceKeys(direct).sort()).toEqual([
      'relevance/shapes/models.py',
      'relevance/shapes/perimeter.py/retry',
    ]);
    expect(report.relevant.map((r) => r.path)).toEqual([
      'shapes/area.py',
      'shapes/models.py',
      'shapes/perimeter.py',
    ]);
    expect(report.relevanceBatch).toEqual({
      used: true,
      batches: 1,
      requests: sent.length,
      itemFailures: 1,
      failedBatches: 0,
    });
    expect(report.fallback).toContain('1 relevance batch item(s)');

    // 50% accounting: every batch item billed at half of what the same usage costs directly.
    const price = getPrice('claude-haiku-5-5');
    const checkpoints = (await store.list<LlmCheckpoint>(RUN, 'llm/relevance/')).map(
      (c) => c.value,
    );
    const batched = checkpoints.filter((c) => c.batch === true);
    const directOnes = checkpoints.filter((c) => c.batch === undefined);
    expect(batched).toHaveLength(sent.length - 1);
    for (const c of batched) expect(c.usd).toBeCloseTo(getCostUsd(c.response.usage, price) / 2, 12);
    const relevance = ledger.snapshot().byStage.relevance;
    expect(relevance).toMatchObject({ calls: sent.length + 1, batchCalls: sent.length - 1 });
    const expected =
      batched.reduce((n, c) => n + getCostUsd(c.response.usage, price) / 2, 0) +
      directOnes.reduce((n, c) => n + getCostUsd(c.response.usage, price), 0);
    expect(relevance.usd).toBeCloseTo(expected, 12);
    expect(relevance.usd).toBeGreaterThan(0);
  });

  it('a retried run submits only the files whose verdicts were not checkpointed', async () => {
    const dir = repo();
    const first = setup(new FakeBatch());
    const a = await runContextStage(runRequest(dir), first.deps);
    // The crash lost two checkpoints; everything else survived.
    const lost = ['llm/relevance/shapes/area.py', 'llm/relevance/shapes/io/load.py'];
    const store = new MemoryRunStore();
    for (const { key, value } of await first.store.list(RUN, ''))
      if (!lost.includes(key)) await store.set(RUN, key, value);

    const batch = new FakeBatch();
    const second = setup(batch, store);
    const b = await runContextStage(runRequest(dir), second.deps);
    expect(batch.submitted.map((keys) => [...keys].sort())).toEqual([
      ['relevance/shapes/area.py', 'relevance/shapes/io/load.py'],
    ]);
    expect(second.direct.count()).toBe(0);
    expect(b.report).toEqual(a.report);
    const relevance = second.ledger.snapshot().byStage.relevance;
    expect(relevance).toMatchObject({ calls: 2, batchCalls: 2, replays: a.report.scanned - 2 + 1 });
  });

  it('without a batch client the scan makes normal calls and the report says so', async () => {
    const { direct, deps } = setup(undefined);
    const { report } = await runContextStage(runRequest(repo()), deps);
    expect(report.relevanceBatch).toEqual({
      used: false,
      batches: 0,
      requests: 0,
      itemFailures: 0,
      failedBatches: 0,
    });
    expect(report.fallback).toContain('no Message Batches client');
    expect(relevanceKeys(direct)).toContain('relevance/shapes/area.py');
    expect(report.relevant).toHaveLength(3);
  });

  it('context.batch off: the batch client is not used and the report has no batch field', async () => {
    const batch = new FakeBatch();
    const { deps } = setup(batch);
    const { report } = await runContextStage(runRequest(repo(), false), deps);
    expect(batch.submitted).toEqual([]);
    expect(report.relevanceBatch).toBeUndefined();
  });

  it('a batch that fails as a whole (timeout) falls back to normal calls; cancellation propagates', async () => {
    const timedOut = setup(
      new FakeBatch([], new CodemonkeysError('LLM_TIMEOUT', 'batch did not end')),
    );
    const { report } = await runContextStage(runRequest(repo()), timedOut.deps);
    expect(report.relevanceBatch).toMatchObject({ used: true, batches: 1, failedBatches: 1 });
    expect(report.relevant).toHaveLength(3);
    expect(relevanceKeys(timedOut.direct)).toContain('relevance/shapes/area.py');

    const cancelled = setup(new FakeBatch([], new CodemonkeysError('CANCELLED', 'cancelled')));
    const error = await runContextStage(runRequest(repo()), cancelled.deps).catch(
      (e: unknown) => e,
    );
    expect(isCodemonkeysError(error, 'CANCELLED')).toBe(true);
    expect(cancelled.direct.count()).toBe(0);
  });
});

describe('runBatchFirstPass', () => {
  it('chunks by request count, one request per distinct blob, awaiting each chunk before the next', async () => {
    const dir = repo();
    const { include, exclude, maxFileBytes, maxFiles } = DEFAULT_CONFIG.context;
    const walk = await walkRepository(dir, { include, exclude, maxFileBytes, maxFiles });
    const files = [...walk.files, { ...walk.files[0]!, path: 'copy/of-first.py' }]; // same sha: not sent twice
    const batch = new FakeBatch();
    const options = { root: dir, system: 'SYSTEM', model: 'claude-haiku-5-5', prompts };
    const pass = await runBatchFirstPass(
      files,
      options,
      batch,
      {},
      { maxRequests: 3, maxChars: 10_000_000 },
    );
    const distinct = new Set(walk.files.map((f) => f.sha)).size;
    expect(distinct).toBeGreaterThan(3);
    expect(batch.submitted.map((c) => c.length)).toEqual(
      Array.from({ length: Math.ceil(distinct / 3) }, (_, i) => Math.min(3, distinct - 3 * i)),
    );
    expect(batch.submitted.flat()).not.toContain('relevance/copy/of-first.py');
    expect(pass.stats).toEqual({
      batches: batch.submitted.length,
      requests: distinct,
      itemFailures: 0,
      failedBatches: 0,
    });
    expect(pass.replies.size).toBe(distinct);
  });
});
