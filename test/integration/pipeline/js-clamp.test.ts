import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../../src/pipeline/run.js';
import { ScriptedLlm, type ScriptedRule } from '../../../src/llm/scripted.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { loadPrompts } from '../../../src/llm/prompts.js';
import { createSandboxProvider } from '../../../src/sandbox/provider.js';
import { createSilentLogger } from '../../../src/logger.js';
import type { SandboxProvider } from '../../../src/sandbox/types.js';
import type { RunReport } from '../../../src/pipeline/types.js';
import { jsRequest, jsTranscript } from '../../fakes/transcripts/js-clamp.js';
import { buildTranscript, replies } from '../../fakes/transcripts/build-transcript.js';

/**
 * End to end on a real JavaScript bug (tests run with `node {file}`), including a run killed in
 * the middle of generation and restarted with the same run id and store: completed model calls
 * are never repeated. Also: a run where no sample produces an edit abstains.
 */
const prompts = loadPrompts();
const logger = createSilentLogger();

/** The same transcript, but the reply to `key` aborts the run (a kill mid-generation). */
function killingAt(key: string, controller: AbortController): ScriptedRule[] {
  return jsTranscript().map((rule) => {
    if (rule.key !== key) return rule;
    const reply = rule.reply;
    return {
      ...rule,
      reply: (req) => {
        controller.abort();
        return typeof reply === 'function' ? reply(req) : reply;
      },
    };
  });
}

describe('pipeline (js-clamp)', () => {
  let sandbox: SandboxProvider;
  const store = new MemoryRunStore();
  const runId = `it-js-${process.pid}-${Date.now()}`;
  const killer = new AbortController();
  const first = new ScriptedLlm({ rules: killingAt('editing/s1/t0', killer) });
  const second = new ScriptedLlm({ rules: jsTranscript() });
  let firstError: unknown;
  let report: RunReport;

  beforeAll(async () => {
    sandbox = createSandboxProvider({ kind: 'docker', concurrency: 4, logger });
    firstError = await runPipeline(
      jsRequest(runId),
      { llm: first, sandbox, store, prompts, logger },
      killer.signal,
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    report = await runPipeline(
      jsRequest(runId),
      { llm: second, sandbox, store, prompts, logger },
      new AbortController().signal,
    );
  }, 180_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('propagates the kill as CANCELLED', () => {
    expect(firstError).toMatchObject({ code: 'CANCELLED' });
    expect(first.calls.some((c) => c.key === 'editing/s1/t0')).toBe(true);
    expect(first.count('selection')).toBe(0);
  });

  it('resumes without repeating any completed model call', () => {
    const firstKeys = first.calls.map((c) => c.key);
    const secondKeys = second.calls.map((c) => c.key);
    expect(secondKeys.filter((k) => firstKeys.includes(k))).toEqual([]);
    expect(new Set(firstKeys).size).toBe(firstKeys.length);
    expect(new Set(secondKeys).size).toBe(secondKeys.length);
    // context (4 relevance calls; one relevant file, so no ranking) + 4 x (2 testing + 2 editing) + 2 selection
    expect(firstKeys.length + secondKeys.length).toBe(4 + 16 + 2);
    expect(secondKeys.some((k) => k.startsWith('relevance/'))).toBe(false);
    expect(report.usage.total.calls).toBe(22);
    // the kill happened mid-generation: generation work was left for the second run
    expect(secondKeys.some((k) => k.startsWith('editing/'))).toBe(true);
    expect(secondKeys).toContain('selection/t0');
  });

  it('selects the general fix over the one that hard-codes the issue numbers', () => {
    expect(report.outcome).toBe('selected');
    const evaluation = report.evaluation!;
    expect(evaluation.tests.map((t) => t.original.exitCode)).toEqual([2, 2, 2, 0]);
    expect(evaluation.candidates.map((c) => [c.sampleIndices, c.exitCodes, c.votes])).toEqual([
      [[0, 2, 3], [0, 0, 0, 0], 4],
      [[1], [0, 2, 0, 0], 3],
    ]);
    expect(report.selection).toMatchObject({ method: 'model', chosenCandidateId: 0, calls: 2 });
    expect(report.selected?.diff).toContain('+    return max;');
    expect(report.selected?.evidence).toMatchObject({
      original: { exitCode: 2 },
      edited: { exitCode: 0 },
    });
    expect(report.selected?.evidence?.edited.output).toContain('clamp(15, 0, 10) = 10');
  });

  it('abstains when no sample produces an edit', async () => {
    const none = buildTranscript({
      relevant: { 'src/clamp.js': 'Defines clamp.' },
      ranking: ['src/clamp.js'],
      samples: [0, 1].map(() => ({
        testing: [replies.test('Reproduce.', 'process.exit(2);\n'), replies.done()],
        editing: [replies.done('I could not find a fix.')],
      })),
    });
    const llm = new ScriptedLlm({ rules: none });
    const abstained = await runPipeline(jsRequest(`${runId}-none`, { samples: 2 }), {
      llm,
      sandbox,
      store: new MemoryRunStore(),
      prompts,
      logger,
    });
    expect(abstained.outcome).toBe('abstained');
    expect(abstained.outcomeReason).toMatch(/no sample produced/);
    expect(abstained.evaluation?.candidates).toEqual([]);
    expect(abstained.selection).toBeUndefined();
    expect(abstained.selected).toBeUndefined();
    expect(llm.count('selection')).toBe(0);
  }, 90_000);
});
