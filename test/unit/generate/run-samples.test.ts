import { describe, it, expect } from 'vitest';
import { ScriptedLlm, type ScriptedRule } from '../../../src/llm/scripted.js';
import { createRunLlm } from '../../../src/llm/metered.js';
import { UsageLedger } from '../../../src/llm/usage.js';
import type { LlmClient } from '../../../src/llm/client.js';
import { CodemonkeysError, isCodemonkeysError } from '../../../src/errors.js';
import { createSilentLogger } from '../../../src/logger.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { runGeneration } from '../../../src/pipeline/generate/run-samples.js';
import type { GenerationInput } from '../../../src/pipeline/generate/types.js';
import { FakeEnvironment, type FakeExecHandler } from '../../fakes/fake-environment.js';
import { CALC_PY, DONE_REPLY, GOOD_EDIT, makeRequest, prompts, testReply } from './helpers.js';

const fixWorks: FakeExecHandler = (req) =>
  req.patch === undefined ? { exitCode: 2 } : { exitCode: 0 };

/** Happy path for every sample: test, approve; edit, approve. */
const HAPPY: ScriptedRule[] = [
  { key: /^testing\/s\d+\/t0$/, reply: testReply() },
  { key: /^testing\/s\d+\/t1$/, reply: DONE_REPLY },
  { key: /^editing\/s\d+\/t0$/, reply: GOOD_EDIT },
  { key: /^editing\/s\d+\/t1$/, reply: DONE_REPLY },
];

/** Records when each call starts and ends, in one shared event list. */
function recording(llm: LlmClient, events: string[]): LlmClient {
  return {
    async complete(request) {
      events.push(`start ${request.key}`);
      try {
        return await llm.complete(request);
      } finally {
        events.push(`end ${request.key}`);
      }
    },
  };
}

function input(llm: LlmClient, over: Partial<GenerationInput> = {}, samples = 3): GenerationInput {
  return {
    request: makeRequest({ samples }),
    contextFiles: [{ path: 'calc.py', content: CALC_PY }],
    readFile: async (p) => (p === 'calc.py' ? CALC_PY : undefined),
    llm,
    env: new FakeEnvironment(fixWorks),
    prompts,
    store: new MemoryRunStore(),
    logger: createSilentLogger(),
    ...over,
  };
}

describe('run-samples', () => {
  it('runs N samples and returns their reports, products and execution counts', async () => {
    const llm = new ScriptedLlm({ rules: HAPPY });
    const progress: string[] = [];
    const out = await runGeneration(
      input(llm, { onSampleDone: (k, n) => progress.push(`${k}/${n}`) }),
    );
    expect(out.samples).toHaveLength(3);
    for (const [i, s] of out.samples.entries()) {
      expect(s).toMatchObject({
        index: i,
        testing: { end: 'DONE', calls: 2, hasTest: true },
        editing: { end: 'DONE', calls: 2, hasEdit: true },
      });
      expect(s.error).toBeUndefined();
    }
    expect(out.products[2]).toMatchObject({
      sampleIndex: 2,
      test: expect.stringContaining('add(2, 3)'),
      diff: expect.stringContaining('+    return a + b'),
    });
    expect(out.products[2]?.testOutput?.exitCode).toBe(2);
    expect(out.products[2]?.edit).toContain('<<<<<<< SEARCH calc.py');
    expect(out.executions).toEqual({ testing: 3, editing: 6 });
    expect(progress).toEqual(['1/3', '2/3', '3/3']);
    expect(llm.count('testing')).toBe(6);
    expect(llm.count('editing')).toBe(6);
  });

  it("lets sample 0's first call of each machine finish before siblings make theirs", async () => {
    const events: string[] = [];
    const llm = recording(new ScriptedLlm({ rules: HAPPY, latencyMs: 15 }), events);
    await runGeneration(input(llm));
    const at = (e: string): number => events.indexOf(e);
    for (const s of [1, 2]) {
      expect(at('end testing/s0/t0')).toBeLessThan(at(`start testing/s${s}/t0`));
      expect(at('end editing/s0/t0')).toBeLessThan(at(`start editing/s${s}/t0`));
    }
    // Siblings are not serialised behind sample 0's whole trajectory.
    expect(at('start testing/s1/t0')).toBeLessThan(at('end editing/s0/t1'));
  });

  it('contains a failing sample: model error ends in ERROR and the others still finish', async () => {
    const llm = new ScriptedLlm({
      rules: [
        {
          key: 'editing/s1/t0',
          reply: () => {
            throw new CodemonkeysError('LLM_PROTOCOL', 'malformed response', { retryable: false });
          },
        },
        ...HAPPY,
      ],
    });
    const out = await runGeneration(input(llm));
    expect(out.samples[1]).toMatchObject({
      editing: { end: 'ERROR', hasEdit: false },
      testing: { end: 'DONE' },
    });
    expect(out.samples[1]?.error).toBe('LLM_PROTOCOL: malformed response');
    expect(out.products[1]?.test).toBeDefined();
    expect(out.products[1]?.diff).toBeUndefined();
    expect(out.samples[0]?.editing.end).toBe('DONE');
    expect(out.samples[2]?.editing.end).toBe('DONE');
  });

  it('stops a sample on budget exhaustion without running its editing machine', async () => {
    const budget = (): string => {
      throw new CodemonkeysError('BUDGET_EXCEEDED', 'run budget of $1 reached');
    };
    const llm = new ScriptedLlm({ rules: [{ key: 'testing/s2/t1', reply: budget }, ...HAPPY] });
    const out = await runGeneration(input(llm));
    expect(out.samples[2]).toMatchObject({
      testing: { end: 'BUDGET', calls: 1, hasTest: true },
      editing: { end: 'BUDGET', calls: 0 },
    });
    expect(out.products[2]?.test).toBeDefined();
    expect(llm.calls.some((c) => c.key.startsWith('editing/s2/'))).toBe(false);
  });

  it('propagates cancellation', async () => {
    const controller = new AbortController();
    const llm = new ScriptedLlm({
      rules: [
        {
          reply: () => {
            controller.abort();
            return testReply();
          },
        },
      ],
    });
    await expect(runGeneration(input(llm, { signal: controller.signal }))).rejects.toSatisfy(
      (e: unknown) => isCodemonkeysError(e, 'CANCELLED'),
    );
  });

  it('resumes a crashed run: finished machines make no call, a crashed one continues', async () => {
    const store = new MemoryRunStore();
    const first = new ScriptedLlm({
      rules: [
        {
          key: 'editing/s1/t1',
          reply: () => {
            throw new Error('connection reset');
          },
        },
        ...HAPPY,
      ],
    });
    const before = await runGeneration(input(first, { store }));
    expect(before.samples[1]?.editing.end).toBe('ERROR');
    const second = new ScriptedLlm({ rules: HAPPY });
    const after = await runGeneration(input(second, { store }));
    expect(second.calls.map((c) => c.key)).toEqual(['editing/s1/t1']);
    expect(after.samples.map((s) => s.editing.end)).toEqual(['DONE', 'DONE', 'DONE']);
    expect(after.products[1]?.diff).toBe(before.products[0]?.diff);
  });

  it('replays a model call made just before a crash from the metered checkpoint instead of paying again', async () => {
    // The store fails the write that would persist the reply of testing/s0/t0 (the PARSE snapshot).
    const base = new MemoryRunStore();
    let failNext = true;
    const flaky: RunStore = {
      get: (r, k) => base.get(r, k),
      list: (r, p) => base.list(r, p),
      clear: (r) => base.clear(r),
      async set(r, k, v) {
        if (failNext && k === 'sm/testing/s0' && (v as { state: string }).state === 'PARSE') {
          failNext = false;
          throw new CodemonkeysError('STORE_ERROR', 'redis went away');
        }
        await base.set(r, k, v);
      },
    };
    const metered = (client: ScriptedLlm): LlmClient =>
      createRunLlm({
        client,
        store: flaky,
        runId: 'run-1',
        maxUsd: 100,
        ledger: new UsageLedger(),
      });
    const first = new ScriptedLlm({ rules: HAPPY });
    const crashed = await runGeneration(input(metered(first), { store: flaky }, 1));
    expect(crashed.samples[0]?.testing.end).toBe('ERROR');
    expect(crashed.samples[0]?.editing).toEqual({ end: 'ERROR', calls: 0, hasEdit: false });
    expect(first.calls.map((c) => c.key)).toEqual(['testing/s0/t0']);
    const second = new ScriptedLlm({ rules: HAPPY });
    const resumed = await runGeneration(input(metered(second), { store: flaky }, 1));
    expect(resumed.samples[0]?.testing.end).toBe('DONE');
    expect(second.calls.map((c) => c.key)).not.toContain('testing/s0/t0');
    expect(second.calls.map((c) => c.key)).toEqual([
      'testing/s0/t1',
      'editing/s0/t0',
      'editing/s0/t1',
    ]);
    expect(resumed.products[0]?.diff).toContain('+    return a + b');
    expect(second.calls[1]?.messages[0]?.content).toContain('add(2, 3)');
  });
});
