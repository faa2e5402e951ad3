import type { CandidateRecord, TestRecord } from '../types.js';
import { countDiffLines, getDiffFileStats } from './diff-stats.js';

/**
 * Test voting, pure. Candidates are the distinct non-trivial final diffs of the samples; tests are
 * ALL final tests of the samples (a test written identically by two samples votes twice, but runs
 * once). votes(edit) = number of tests exiting 0 on the edited repository. Only exit codes count.
 */
export interface SampleProduct {
  sampleIndex: number;
  test?: string | undefined;
  diff?: string | undefined;
}

export interface CollectedTest {
  id: number;
  sampleIndex: number;
  script: string;
}

export interface CollectedCandidate {
  id: number;
  sampleIndices: number[];
  diff: string;
}

export interface Collected {
  tests: CollectedTest[];
  candidates: CollectedCandidate[];
  dropped: Array<{ sampleIndex: number; reason: string }>;
}

/** Splits sample products into tests and distinct candidates; drops empty and single-line diffs. */
export function collectCandidates(samples: readonly SampleProduct[]): Collected {
  const tests: CollectedTest[] = [];
  const candidates: CollectedCandidate[] = [];
  const dropped: Collected['dropped'] = [];
  const byDiff = new Map<string, CollectedCandidate>();
  const ordered = [...samples].sort((a, b) => a.sampleIndex - b.sampleIndex);
  for (const sample of ordered) {
    if (sample.test !== undefined && sample.test.trim() !== '') {
      tests.push({ id: tests.length, sampleIndex: sample.sampleIndex, script: sample.test });
    }
    const diff = sample.diff ?? '';
    const lines = countDiffLines(diff);
    if (lines === 0) {
      dropped.push({ sampleIndex: sample.sampleIndex, reason: 'empty diff' });
      continue;
    }
    if (lines === 1) {
      dropped.push({ sampleIndex: sample.sampleIndex, reason: 'single-line diff' });
      continue;
    }
    const existing = byDiff.get(diff);
    if (existing !== undefined) {
      existing.sampleIndices.push(sample.sampleIndex);
      continue;
    }
    const candidate: CollectedCandidate = {
      id: candidates.length,
      sampleIndices: [sample.sampleIndex],
      diff,
    };
    byDiff.set(diff, candidate);
    candidates.push(candidate);
  }
  return { tests, candidates, dropped };
}

/** Exit code of every test on the original repository, by test id. */
export type OriginalExitCodes = ReadonlyArray<number | null>;

/** Builds candidate records from the exit codes of each candidate (by test id). */
export function tallyVotes(
  candidates: readonly CollectedCandidate[],
  exitCodes: ReadonlyArray<ReadonlyArray<number | null>>,
  original: OriginalExitCodes,
): CandidateRecord[] {
  return candidates.map((candidate) => {
    const codes = [...(exitCodes[candidate.id] ?? [])];
    return {
      id: candidate.id,
      sampleIndices: [...candidate.sampleIndices],
      diff: candidate.diff,
      diffLines: countDiffLines(candidate.diff),
      files: getDiffFileStats(candidate.diff),
      exitCodes: codes,
      votes: codes.filter((code) => code === 0).length,
      hasEvidence: findEvidenceTests(codes, original).length > 0,
    };
  });
}

/**
 * Tests that fail on the original (non-zero) and pass (0) with the edit, best first: tests that
 * reproduce the issue (exit 2 on the original) before tests that merely crash on it, then by id.
 */
export function findEvidenceTests(
  exitCodes: ReadonlyArray<number | null>,
  original: OriginalExitCodes,
): number[] {
  const ids: number[] = [];
  exitCodes.forEach((code, testId) => {
    const before = original[testId];
    if (code === 0 && before !== null && before !== undefined && before !== 0) ids.push(testId);
  });
  return ids.sort((a, b) => Number(original[b] === 2) - Number(original[a] === 2) || a - b);
}

/** A test claims to reproduce the issue when it exits 2 on the original. */
export function markReproducing(test: Omit<TestRecord, 'reproduces'>): TestRecord {
  return { ...test, reproduces: test.original.exitCode === 2 };
}
