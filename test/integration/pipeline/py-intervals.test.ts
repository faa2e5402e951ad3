import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../../src/pipeline/run.js';
import { ScriptedLlm } from '../../../src/llm/scripted.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { loadPrompts } from '../../../src/llm/prompts.js';
import { createSandboxProvider } from '../../../src/sandbox/provider.js';
import { createSilentLogger } from '../../../src/logger.js';
import type { SandboxProvider } from '../../../src/sandbox/types.js';
import type { ProgressEvent, RunReport } from '../../../src/pipeline/types.js';
import {
  PY_INTERVALS_DIR,
  pyConfig,
  pyIssue,
  pySelectionReasoning,
  pyTranscript,
} from '../../fakes/transcripts/py-intervals.js';

/**
 * End to end on a real Python bug with real Docker sandboxes and a scripted model: a correct edit
 * (written by two samples), a plausible wrong edit, a no-op edit, a wrong test, malformed replies
 * and an edit that does not apply. The correct edit must win on votes AND in selection.
 */
describe('pipeline (py-intervals)', () => {
  let sandbox: SandboxProvider;
  let report: RunReport;
  let llm: ScriptedLlm;
  const events: ProgressEvent[] = [];

  beforeAll(async () => {
    sandbox = createSandboxProvider({
      kind: 'docker',
      concurrency: 4,
      logger: createSilentLogger(),
    });
    llm = new ScriptedLlm({ rules: pyTranscript() });
    report = await runPipeline(
      {
        runId: `it-py-${process.pid}-${Date.now()}`,
        repo: 'fixtures/py-intervals',
        issue: pyIssue,
        snapshot: { dir: PY_INTERVALS_DIR, repo: 'fixtures/py-intervals', commit: 'fixture-py' },
        config: pyConfig(),
      },
      {
        llm,
        sandbox,
        store: new MemoryRunStore(),
        prompts: loadPrompts(),
        logger: createSilentLogger(),
        onProgress: (e) => events.push(e),
      },
    );
  }, 180_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('selects the correct edit with evidence', () => {
    expect(report.outcome).toBe('selected');
    expect(report.selected?.candidateId).toBe(0);
    expect(report.selected?.diff).toContain('+        if merged and start <= merged[-1][1]:\n');
    expect(report.selected?.files).toEqual([{ path: 'intervals/merge.py', added: 1, removed: 1 }]);
    expect(report.selected?.evidence).toMatchObject({
      testId: 0,
      original: { exitCode: 2 },
      edited: { exitCode: 0 },
    });
    expect(report.selected?.evidence?.edited.output).toContain('-> [(1, 5)]');
  });

  it('votes by exit codes over every test, with identical diffs merged', () => {
    const evaluation = report.evaluation!;
    expect(evaluation.tests.map((t) => [t.sampleIndex, t.original.exitCode, t.reproduces])).toEqual(
      [
        [0, 2, true],
        [1, 2, true],
        [2, 2, true],
        [3, 0, false],
      ],
    );
    expect(
      evaluation.candidates.map((c) => [c.sampleIndices, c.exitCodes, c.votes, c.hasEvidence]),
    ).toEqual([
      [[0, 2], [0, 0, 0, 2], 3, true],
      [[1], [0, 2, 0, 2], 2, true],
      [[3], [2, 2, 2, 0], 1, false],
    ]);
    expect(evaluation.shortlist).toEqual([0, 1, 2]);
    // 4 distinct scripts on the original + 4 x 3 distinct diffs
    expect(evaluation.executions).toBe(16);
    expect(report.executions.evaluating).toBe(16);
  });

  it('lets the selector tell the candidates apart by running its own test', () => {
    const selection = report.selection!;
    expect(selection.method).toBe('model');
    expect(selection.chosenCandidateId).toBe(0);
    expect(selection.reasoning).toBe(pySelectionReasoning);
    expect(selection.calls).toBe(2);
    expect(selection.tests).toHaveLength(1);
    const [test] = selection.tests;
    expect(test?.original.exitCode).toBe(2);
    expect(
      Object.fromEntries(Object.entries(test!.candidates).map(([id, run]) => [id, run.exitCode])),
    ).toEqual({ 0: 0, 1: 2, 2: 2 });
    expect(report.executions.selecting).toBe(4);
    const first = llm.calls.find((c) => c.key === 'selection/t0');
    expect(first?.messages[0]?.content).toContain('def merge_intervals(intervals):');
    expect(first?.messages[0]?.content).toContain('merge [(1, 3), (3, 5)] ->');
  });

  it('re-asks malformed replies and reports edits that do not apply', () => {
    const keyOf = (key: string) => llm.calls.find((c) => c.key === key);
    expect(keyOf('testing/s1/t1')?.messages.at(-1)?.content).toMatch(/no tagged block/);
    expect(keyOf('editing/s2/t1')?.messages.at(-1)?.content).toMatch(/2 tagged blocks/);
    const afterMissing = keyOf('editing/s2/t2')?.messages.at(-1)?.content ?? '';
    expect(afterMissing).toContain('intervals/merge.py');
    expect(afterMissing).not.toContain('Exit code');
    expect(
      report.samples.map((s) => [s.testing.calls, s.editing.calls, s.testing.end, s.editing.end]),
    ).toEqual([
      [2, 2, 'DONE', 'DONE'],
      [3, 2, 'DONE', 'DONE'],
      [2, 4, 'DONE', 'DONE'],
      [2, 2, 'DONE', 'DONE'],
    ]);
  });

  it('accounts for usage, durations, prompts, settings and progress', () => {
    expect(report.usage.total.calls).toBe(llm.count());
    expect(report.usage.byStage.selection.calls).toBe(2);
    expect(report.usage.total.usd).toBeGreaterThan(0);
    for (const stage of [
      'preparing',
      'context',
      'generating',
      'evaluating',
      'selecting',
    ] as const) {
      expect(report.durations[stage]).toBeGreaterThanOrEqual(0);
    }
    expect(report.executions.testing).toBeGreaterThanOrEqual(4);
    expect(report.prompts['selection.system']).toMatch(/^[0-9a-f]{16}$/);
    expect(report.settings).toMatchObject({ samples: 4, topK: 3, sandboxKind: 'docker' });
    expect(report.budgetExhausted).toBeUndefined();
    const stages = [...new Set(events.map((e) => e.stage))];
    expect(stages).toEqual([
      'preparing',
      'context',
      'generating',
      'evaluating',
      'selecting',
      'done',
    ]);
    expect(events.filter((e) => e.stage === 'generating').map((e) => e.samplesDone)).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });
});
