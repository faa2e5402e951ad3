import type { RepoConfig } from '../config/repo-config.js';
import type { EvaluationResult } from './evaluate/matrix.js';
import type { RunReport, SelectedEdit, SelectionReport } from './types.js';

/** Pure builders for the parts of the RunReport that are decisions rather than measurements. */
export function getRunSettings(
  config: RepoConfig,
  sandboxKind: 'docker' | 'local',
): RunReport['settings'] {
  return {
    models: { primary: config.models.primary, relevance: config.models.relevance },
    samples: config.samples,
    maxAttempts: config.maxAttempts,
    topK: config.topK,
    rankings: config.rankings,
    budgetTokens: config.context.budgetTokens,
    maxUsdPerRun: config.budget.maxUsdPerRun,
    sandboxImage: config.sandbox.image,
    sandboxKind,
  };
}

/** The chosen candidate with its best evidence test (fails on the original, passes with the edit). */
export function getSelectedEdit(
  evaluation: EvaluationResult,
  candidateId: number,
): SelectedEdit | undefined {
  const candidate = evaluation.report.candidates.find((c) => c.id === candidateId);
  if (candidate === undefined) return undefined;
  const selected: SelectedEdit = { candidateId, diff: candidate.diff, files: candidate.files };
  const evidence = evaluation.evidence[candidateId];
  const test = evidence === undefined ? undefined : evaluation.report.tests[evidence.testId];
  if (evidence !== undefined && test !== undefined) {
    selected.evidence = {
      testId: test.id,
      script: test.script,
      original: test.original,
      edited: evidence.edited,
    };
  }
  return selected;
}

export interface Outcome {
  outcome: 'selected' | 'abstained';
  outcomeReason?: string;
  selected?: SelectedEdit;
}

/**
 * 'selected' only when the chosen candidate has evidence (a generated test that fails on the
 * original and passes with the edit); otherwise 'abstained' with a reason a maintainer can read.
 */
export function decideOutcome(
  evaluation: EvaluationResult | undefined,
  selection: SelectionReport | undefined,
): Outcome {
  if (evaluation === undefined || evaluation.report.candidates.length === 0) {
    const dropped = evaluation?.report.dropped.length ?? 0;
    return {
      outcome: 'abstained',
      outcomeReason:
        dropped > 0
          ? `no sample produced a usable edit (${dropped} empty or trivial edits were dropped)`
          : 'no sample produced an edit',
    };
  }
  if (selection === undefined)
    return { outcome: 'abstained', outcomeReason: 'no candidate was selected' };
  const candidate = evaluation.report.candidates.find((c) => c.id === selection.chosenCandidateId);
  if (candidate !== undefined && !candidate.hasEvidence) {
    // The selector's own tests are generated tests too: one that fails on the original and
    // passes with the chosen edit is evidence the vote lacked.
    const fromSelection = getSelectionEvidence(selection, candidate.id);
    if (fromSelection !== undefined) {
      return {
        outcome: 'selected',
        selected: {
          candidateId: candidate.id,
          diff: candidate.diff,
          files: candidate.files,
          evidence: fromSelection,
        },
      };
    }
  }
  if (candidate === undefined || !candidate.hasEvidence) {
    const anyEvidence = evaluation.report.candidates.some((c) => c.hasEvidence);
    return {
      outcome: 'abstained',
      outcomeReason: anyEvidence
        ? "the selected candidate passes no generated test (voting or the selector's) that fails on the original code"
        : 'no candidate passed a generated test that fails on the original code',
    };
  }
  const selected = getSelectedEdit(evaluation, candidate.id);
  return selected === undefined
    ? { outcome: 'abstained', outcomeReason: 'the selected candidate is missing' }
    : { outcome: 'selected', selected };
}

/**
 * Evidence from the selection stage: a selector test that fails on the original (exit 2
 * preferred, any non-zero otherwise; never a timeout) and exits 0 with the candidate.
 */
export function getSelectionEvidence(
  selection: SelectionReport,
  candidateId: number,
): SelectedEdit['evidence'] {
  let best: SelectedEdit['evidence'];
  selection.tests.forEach((test, index) => {
    const edited = test.candidates[candidateId];
    if (edited === undefined || edited.exitCode !== 0 || edited.timedOut) return;
    if (test.original.exitCode === 0 || test.original.timedOut) return;
    if (best !== undefined && (best.original.exitCode === 2 || test.original.exitCode !== 2))
      return;
    best = {
      testId: index,
      script: test.script,
      original: test.original,
      edited,
      source: 'selection',
    };
  });
  return best;
}
