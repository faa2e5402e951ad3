import { fileURLToPath } from 'node:url';
import type { ScriptedRule } from '../llm/scripted.js';
import { repoConfigSchema, type RepoConfig } from '../config/repo-config.js';

/**
 * The scripted model transcript of the demo (examples/demo-repo, examples/demo-issue.md). It is
 * NOT a model: every reply below was written by hand, keyed by the model-call key convention.
 * Four samples: a correct edit (three times), a plausible wrong edit that breaks non-divisible
 * totals, a malformed reply (prose only) and a reply with two tags, one test that does not
 * reproduce the issue; the selector writes a test that tells the two candidates apart.
 */
export const DEMO_REPO_DIR = fileURLToPath(new URL('../../examples/demo-repo/', import.meta.url));
export const DEMO_ISSUE_FILE = fileURLToPath(
  new URL('../../examples/demo-issue.md', import.meta.url),
);
export const SCRIPTED_LABEL =
  'SCRIPTED DEMO TRANSCRIPT: these replies were written by hand, no model was called';

export function getDemoConfig(overrides: Record<string, unknown> = {}): RepoConfig {
  return repoConfigSchema.parse({ samples: 4, sandbox: { concurrency: 4 }, ...overrides });
}

const header = `import os
import sys
sys.path.insert(0, os.environ.get("CODEMONKEYS_WORKDIR", "/workspace/repo"))
from pagination import page_count
`;

const check = (cases: Array<[number, number, number]>) =>
  `${header}
failed = False
for total, per_page, expected in ${JSON.stringify(cases).replace(/\[/g, '(').replace(/\]/g, ')').replace(/^\(/, '[').replace(/\)$/, ']')}:
    got = page_count(total, per_page)
    print(f"page_count({total}, {per_page}) = {got}, expected {expected}")
    if got != expected:
        failed = True
sys.exit(2 if failed else 0)
`;

export const DEMO_TESTS = {
  /** The issue's own example. */
  even: check([[10, 5, 2]]),
  /** Even and uneven totals: tells the wrong edit apart. */
  mixed: check([
    [10, 5, 2],
    [7, 3, 3],
  ]),
  /** Zero items and another even case. */
  zero: check([
    [0, 10, 0],
    [6, 3, 2],
  ]),
  /** Only an uneven total: passes on the original, so it proves nothing (reported, not voted away). */
  uneven: check([
    [7, 3, 3],
    [11, 5, 3],
  ]),
};

const SEARCH = '    return total // per_page + 1';
const edit = (prose: string, replacement: string) =>
  `${prose}\n\n<edit>\n<<<<<<< SEARCH pagination/core.py\n${SEARCH}\n=======\n${replacement}\n>>>>>>> REPLACE\n</edit>`;
const test = (prose: string, script: string) => `${prose}\n\n<test>\n${script}</test>`;
const done = (prose: string) => `${prose}\n\n<done>DONE</done>`;

const CORRECT = edit(
  'Integer division rounds down and the `+ 1` over-counts whenever the total divides evenly. Ceiling division is exact in every case.',
  '    return (total + per_page - 1) // per_page',
);
const WRONG = edit(
  'When the total divides evenly there is no partial page, so skip the extra page in that case.',
  '    if total % per_page == 0:\n        return total // per_page\n    return total // per_page',
);

const SELECTION_REASONING =
  'Both candidates return 2 for page_count(10, 5), so the issue example cannot tell them apart. My test adds uneven totals: ' +
  'candidate 0 returns 3 for page_count(7, 3), candidate 1 returns 2 because both of its branches drop the partial page. ' +
  'Candidate 0 fixes the even case without breaking the uneven one.';

interface SampleScript {
  testing: string[];
  editing: string[];
}

export const DEMO_SAMPLES: SampleScript[] = [
  {
    testing: [
      test('Reproduce the example from the issue.', DEMO_TESTS.even),
      done('The script exits 2 on the original: it reproduces the issue.'),
    ],
    editing: [CORRECT, done('The test now exits 0.')],
  },
  {
    testing: [
      'The bug is clearly in page_count; I would check a few totals.',
      test('Check an even and an uneven total.', DEMO_TESTS.mixed),
      done('Exit 2 on the original, as expected.'),
    ],
    editing: [WRONG, done('Exit 0 with the edit on the even case.')],
  },
  {
    testing: [
      test('Zero items and an even total.', DEMO_TESTS.zero),
      done('Reproduces the issue.'),
    ],
    editing: [`${CORRECT}\n\nAlso:\n\n<done>DONE</done>`, CORRECT, done('Both cases pass now.')],
  },
  {
    testing: [test('Uneven totals.', DEMO_TESTS.uneven), done('The script runs.')],
    editing: [CORRECT, done('Done.')],
  },
];

const RELEVANT: Record<string, string> = {
  'pagination/core.py':
    'Defines page_count, whose formula total // per_page + 1 is the reported off-by-one.',
  'pagination/__init__.py': 'Re-exports page_count from core.',
};

/** ScriptedLlm rules for the demo (and the CLI's hidden CODEMONKEYS_SCRIPTED_TRANSCRIPT=demo). */
export function getDemoTranscript(): ScriptedRule[] {
  const rules: ScriptedRule[] = [
    {
      stage: 'relevance',
      key: /^relevance\//,
      reply: (request) => {
        const path = request.key.replace(/^relevance\//, '').replace(/\/retry$/, '');
        const summary = RELEVANT[path];
        return summary === undefined
          ? `${path} is not involved in computing page counts.\nRELEVANCE: Not Relevant`
          : `This file matters for the issue.\nRELEVANCE: Relevant\nSUMMARY: ${summary}`;
      },
    },
    {
      stage: 'ranking',
      key: /^ranking\//,
      reply: `page_count lives in core.py; __init__.py only re-exports it.\n\n\`\`\`json\n${JSON.stringify(Object.keys(RELEVANT))}\n\`\`\``,
    },
  ];
  DEMO_SAMPLES.forEach((sample, i) => {
    sample.testing.forEach((reply, turn) =>
      rules.push({ stage: 'testing', key: `testing/s${i}/t${turn}`, reply }),
    );
    sample.editing.forEach((reply, turn) =>
      rules.push({ stage: 'editing', key: `editing/s${i}/t${turn}`, reply }),
    );
  });
  rules.push(
    {
      stage: 'selection',
      key: 'selection/t0',
      reply: test('Uneven totals separate the candidates.', DEMO_TESTS.mixed),
    },
    {
      stage: 'selection',
      key: 'selection/t1',
      reply: `${SELECTION_REASONING}\n\n<chosen_candidate_fix_id>0</chosen_candidate_fix_id>`,
    },
  );
  return rules;
}
