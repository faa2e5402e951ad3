import { describe, it, expect } from 'vitest';
import {
  collectCandidates,
  findEvidenceTests,
  tallyVotes,
} from '../../../src/pipeline/evaluate/voting.js';
import { getShortlist, hasClearWinner } from '../../../src/pipeline/evaluate/shortlist.js';
import { getDiffFileStats } from '../../../src/pipeline/evaluate/diff-stats.js';

const diffA = [
  'diff --git a/m.py b/m.py',
  '--- a/m.py',
  '+++ b/m.py',
  '@@ -1,2 +1,2 @@',
  '-x = 1',
  '+x = 2',
  ' y = 3',
  '',
].join('\n');
const diffB = [
  'diff --git a/m.py b/m.py',
  '--- a/m.py',
  '+++ b/m.py',
  '@@ -1,2 +1,3 @@',
  '-x = 1',
  '+x = 2',
  '+z = 4',
  ' y = 3',
  '',
].join('\n');

describe('voting', () => {
  it('keeps every test, merges identical diffs and drops empty or single-line diffs', () => {
    const c = collectCandidates([
      { sampleIndex: 3, test: 't3', diff: diffA },
      { sampleIndex: 0, test: 't0', diff: diffA },
      { sampleIndex: 1, test: 't0', diff: '' },
      { sampleIndex: 2, diff: '+oops\n' },
      { sampleIndex: 4, test: 't4', diff: diffB },
    ]);
    expect(c.tests.map((t) => [t.id, t.sampleIndex, t.script])).toEqual([
      [0, 0, 't0'],
      [1, 1, 't0'],
      [2, 3, 't3'],
      [3, 4, 't4'],
    ]);
    expect(c.candidates.map((x) => [x.id, x.sampleIndices])).toEqual([
      [0, [0, 3]],
      [1, [4]],
    ]);
    expect(c.dropped).toEqual([
      { sampleIndex: 1, reason: 'empty diff' },
      { sampleIndex: 2, reason: 'single-line diff' },
    ]);
  });

  it('counts one vote per test exiting 0 and detects evidence only from a failing original', () => {
    const candidates = [
      { id: 0, sampleIndices: [0], diff: diffA },
      { id: 1, sampleIndices: [1], diff: diffB },
    ];
    const records = tallyVotes(
      candidates,
      [
        [0, 0, 1],
        [0, 137, 0],
      ],
      [0, 2, 1],
    );
    expect(records.map((r) => r.votes)).toEqual([2, 2]);
    expect(records[0]?.hasEvidence).toBe(true);
    expect(records[1]?.hasEvidence).toBe(true);
    const only = tallyVotes(candidates.slice(0, 1), [[0, 1, 1]], [0, 2, 1]);
    expect(only[0]?.hasEvidence).toBe(false);
    expect(only[0]?.files).toEqual([{ path: 'm.py', added: 1, removed: 1 }]);
  });

  it('prefers tests that reproduce the issue (exit 2) as evidence', () => {
    expect(findEvidenceTests([0, 0, 0, 0], [1, 0, 2, 2])).toEqual([2, 3, 0]);
    expect(findEvidenceTests([null, 1], [2, 2])).toEqual([]);
  });

  it('shortlists by votes desc, then shorter diff, then id, without duplicate diffs', () => {
    const base = { sampleIndices: [0], diffLines: 3, files: [], exitCodes: [], hasEvidence: false };
    const cands = [
      { ...base, id: 0, diff: 'long diff text', votes: 2 },
      { ...base, id: 1, diff: 'short', votes: 2 },
      { ...base, id: 2, diff: 'short', votes: 1 },
      { ...base, id: 3, diff: 'x', votes: 3 },
      { ...base, id: 4, diff: 'other', votes: 0 },
    ];
    expect(getShortlist(cands, 3)).toEqual([3, 1, 0]);
    expect(getShortlist(cands, 10)).toEqual([3, 1, 0, 4]);
    expect(getShortlist([], 3)).toEqual([]);
    expect(hasClearWinner(cands, [3, 1, 0])).toBe(true);
    expect(hasClearWinner(cands, [1, 0])).toBe(false);
  });

  it('counts lines per file, including new and deleted files', () => {
    const diff = [
      'diff --git a/new.py b/new.py',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/new.py',
      '@@ -0,0 +1,2 @@',
      '+a',
      '+--- not a header',
      'diff --git a/old.py b/old.py',
      '--- a/old.py',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-gone',
      '',
    ].join('\n');
    expect(getDiffFileStats(diff)).toEqual([
      { path: 'new.py', added: 2, removed: 0 },
      { path: 'old.py', added: 0, removed: 1 },
    ]);
  });
});
