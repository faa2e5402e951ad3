import { describe, it, expect } from 'vitest';
import { decideOutcome, getSelectedEdit } from '../../../src/pipeline/report.js';
import {
  renderOriginalFiles,
  renderSelectionResults,
  getTouchedPaths,
} from '../../../src/pipeline/select/render-selection.js';
import type { EvaluationResult } from '../../../src/pipeline/evaluate/matrix.js';
import type { CandidateRecord, ExecSummary } from '../../../src/pipeline/types.js';

const run = (exitCode: number, output = ''): ExecSummary => ({
  exitCode,
  timedOut: false,
  truncated: false,
  durationMs: 1,
  output,
});
const cand = (id: number, hasEvidence: boolean): CandidateRecord => ({
  id,
  sampleIndices: [id],
  diff: `diff ${id}`,
  diffLines: 5,
  files: [{ path: `f${id}.py`, added: 1, removed: 1 }],
  exitCodes: [hasEvidence ? 0 : 2],
  votes: hasEvidence ? 1 : 0,
  hasEvidence,
});
const evaluation = (candidates: CandidateRecord[]): EvaluationResult => ({
  report: {
    tests: [{ id: 0, sampleIndex: 0, script: 'repro', original: run(2, 'bug'), reproduces: true }],
    candidates,
    dropped: [],
    shortlist: candidates.map((c) => c.id),
    executions: 0,
  },
  evidence: Object.fromEntries(
    candidates
      .filter((c) => c.hasEvidence)
      .map((c) => [c.id, { testId: 0, edited: run(0, 'fixed') }]),
  ),
});
const chose = (id: number) => ({
  method: 'model' as const,
  chosenCandidateId: id,
  calls: 1,
  tests: [],
});

describe('report', () => {
  it('selects only a chosen candidate that has evidence', () => {
    const ev = evaluation([cand(0, true), cand(1, false)]);
    const selected = decideOutcome(ev, chose(0));
    expect(selected.outcome).toBe('selected');
    expect(selected.selected?.evidence).toEqual({
      testId: 0,
      script: 'repro',
      original: run(2, 'bug'),
      edited: run(0, 'fixed'),
    });
    expect(decideOutcome(ev, chose(1))).toEqual({
      outcome: 'abstained',
      outcomeReason:
        "the selected candidate passes no generated test (voting or the selector's) that fails on the original code",
    });
    expect(decideOutcome(evaluation([cand(0, false)]), chose(0)).outcomeReason).toBe(
      'no candidate passed a generated test that fails on the original code',
    );
  });

  it("accepts evidence from the selector's own tests when voting had none for the chosen edit", () => {
    const ev = evaluation([cand(0, true), cand(1, false)]);
    const selection = {
      ...chose(1),
      tests: [
        // Passes on the original: proves nothing.
        { script: 'weak', original: run(0), candidates: { 0: run(0), 1: run(0) } },
        // Crashes on the original, passes with C1: evidence, but exit 2 is preferred.
        { script: 'crashy', original: run(1, 'boom'), candidates: { 0: run(1), 1: run(0) } },
        // Reproduces (exit 2) on the original and passes with C1: the best evidence.
        { script: 'sharp', original: run(2, 'bug'), candidates: { 0: run(2), 1: run(0, 'ok') } },
        // Times out with C1: never evidence.
        {
          script: 'slow',
          original: run(2),
          candidates: { 0: run(2), 1: { ...run(0), timedOut: true } },
        },
      ],
    };
    const outcome = decideOutcome(ev, selection);
    expect(outcome.outcome).toBe('selected');
    expect(outcome.selected?.candidateId).toBe(1);
    expect(outcome.selected?.evidence).toEqual({
      testId: 2,
      script: 'sharp',
      original: run(2, 'bug'),
      edited: run(0, 'ok'),
      source: 'selection',
    });
    // Without a separating selector test, the literal rule still abstains.
    expect(decideOutcome(ev, { ...selection, tests: selection.tests.slice(0, 1) }).outcome).toBe(
      'abstained',
    );
  });

  it('abstains with a reason when there are no candidates', () => {
    expect(decideOutcome(evaluation([]), undefined)).toEqual({
      outcome: 'abstained',
      outcomeReason: 'no sample produced an edit',
    });
    const dropped = evaluation([]);
    dropped.report.dropped.push({ sampleIndex: 0, reason: 'empty diff' });
    expect(decideOutcome(dropped, undefined).outcomeReason).toContain('1 empty or trivial');
    expect(getSelectedEdit(evaluation([]), 3)).toBeUndefined();
  });

  it('renders files within budget, never truncated, and neutralises closing tags', () => {
    const text = renderOriginalFiles(
      [
        { path: 'a.py', content: 'x = "</file>"\n' },
        { path: 'big.py', content: 'y'.repeat(10_000) },
        { path: 'new.py', content: undefined },
      ],
      100,
    );
    expect(text).toContain('<file path="a.py">\nx = "<\\/file>"\n</file>');
    expect(text).toContain('<file path="big.py">\n(omitted: too large');
    expect(text).toContain('(does not exist in the original repository)');
    expect(getTouchedPaths([cand(0, true), cand(0, false), cand(1, true)])).toEqual([
      'f0.py',
      'f1.py',
    ]);
  });

  it('summarises selection results with failing-to-apply candidates', () => {
    const text = renderSelectionResults(run(2, 'orig'), [
      run(0, 'ok'),
      { ...run(1), patchError: 'conflict' },
      { ...run(137), timedOut: true },
    ]);
    expect(text.split('\n').slice(0, 4)).toEqual([
      'original: exit 2',
      'candidate 0: exit 0',
      'candidate 1: did not apply',
      'candidate 2: exit 137 (timed out)',
    ]);
    expect(text).toContain('did not apply to the repository (counts as failing): conflict');
  });
});
