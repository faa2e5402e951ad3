import { fileURLToPath } from 'node:url';
import { repoConfigSchema, type RepoConfig } from '../../../src/config/repo-config.js';
import {
  buildTranscript,
  replies,
  type SampleTranscript,
  type SearchReplace,
} from './build-transcript.js';

/**
 * Scenario on test/fixtures/repos/py-intervals: `merge_intervals` does not merge intervals that
 * only touch. Four samples: a correct edit; a plausible wrong edit (merges intervals one apart);
 * a sample with malformed replies and an edit that does not apply before the correct edit again;
 * a sample whose TEST is wrong (expects touching intervals to stay apart) with a no-op edit.
 */
export const PY_INTERVALS_DIR = fileURLToPath(
  new URL('../../fixtures/repos/py-intervals/', import.meta.url),
);

export const pyIssue = {
  number: 7,
  title: 'merge_intervals does not merge intervals that touch',
  body: 'Intervals are closed, so `merge_intervals([(1, 3), (3, 5)])` should return `[(1, 5)]`, but it returns `[(1, 3), (3, 5)]`.',
};

export function pyConfig(overrides: Record<string, unknown> = {}): RepoConfig {
  return repoConfigSchema.parse({ samples: 4, ...overrides });
}

const header =
  "import sys\nsys.path.insert(0, '/workspace/repo')\nfrom intervals import merge_intervals\n";

export const pyTests = {
  touching: `${header}got = merge_intervals([(1, 3), (3, 5)])\nprint('merge [(1, 3), (3, 5)] ->', got)\nsys.exit(0 if got == [(1, 5)] else 2)\n`,
  disjoint: `${header}a = merge_intervals([(1, 3), (3, 5)])\nb = merge_intervals([(1, 3), (4, 5)])\nprint('touching ->', a, '; one apart ->', b)\nsys.exit(0 if a == [(1, 5)] and b == [(1, 3), (4, 5)] else 2)\n`,
  chain: `${header}got = merge_intervals([(2, 7), (0, 2), (2, 2)])\nprint('chain ->', got)\nsys.exit(0 if got == [(0, 7)] else 2)\n`,
  /** Wrong: the author misread the issue and asserts the buggy behaviour. */
  wrong: `${header}got = merge_intervals([(1, 3), (3, 5)])\nprint('got', got)\nsys.exit(0 if got == [(1, 3), (3, 5)] else 2)\n`,
};

const cond = '        if merged and start < merged[-1][1]:';
export const pyEdits: Record<'correct' | 'offByOne' | 'noop' | 'missing', SearchReplace[]> = {
  correct: [
    {
      path: 'intervals/merge.py',
      search: cond,
      replace: '        if merged and start <= merged[-1][1]:',
    },
  ],
  offByOne: [
    {
      path: 'intervals/merge.py',
      search: cond,
      replace: '        if merged and start <= merged[-1][1] + 1:',
    },
  ],
  noop: [
    {
      path: 'intervals/merge.py',
      search: '            merged[-1] = (last_start, max(last_end, end))',
      replace: '            merged[-1] = (last_start, max(last_end, end, start))',
    },
  ],
  missing: [
    {
      path: 'intervals/merge.py',
      search: '        if merged and start < merged[-1][0]:',
      replace: '        pass',
    },
  ],
};

export function pySamples(): SampleTranscript[] {
  return [
    {
      testing: [replies.test('Reproduce the reported call.', pyTests.touching), replies.done()],
      editing: [
        replies.edit('Touching closed intervals overlap: use <=.', pyEdits.correct),
        replies.done('Fixed.'),
      ],
    },
    {
      testing: [
        replies.noTag(),
        replies.test('Check touching and one-apart intervals.', pyTests.disjoint),
        replies.done(),
      ],
      editing: [
        replies.edit('Merge neighbours too.', pyEdits.offByOne),
        replies.done('Looks fixed.'),
      ],
    },
    {
      testing: [replies.test('A chain of touching intervals.', pyTests.chain), replies.done()],
      editing: [
        replies.twoTags(replies.edit('Fix.', pyEdits.correct), replies.done()),
        replies.edit('Try this.', pyEdits.missing),
        replies.edit('Copy the line exactly this time.', pyEdits.correct),
        replies.done('The test passes now.'),
      ],
    },
    {
      testing: [
        replies.test('Touching intervals should stay apart.', pyTests.wrong),
        replies.done(),
      ],
      editing: [replies.edit('Make the merge explicit.', pyEdits.noop), replies.done('Done.')],
    },
  ];
}

export const pySelectionTest = pyTests.disjoint;
export const pySelectionReasoning =
  'Candidate 0 merges touching intervals and keeps (1, 3) and (4, 5) apart; candidate 1 wrongly merges intervals that are one apart; candidate 2 changes nothing.';

export function pyTranscript() {
  return buildTranscript({
    relevant: {
      'intervals/merge.py': 'Defines merge_intervals, which decides when two intervals overlap.',
    },
    ranking: ['intervals/merge.py', 'intervals/__init__.py'],
    samples: pySamples(),
    selection: [
      replies.test(
        'Check the one-apart case that tells candidates 0 and 1 apart.',
        pySelectionTest,
      ),
      replies.choose(0, pySelectionReasoning),
    ],
  });
}
