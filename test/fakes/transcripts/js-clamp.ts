import { fileURLToPath } from 'node:url';
import { repoConfigSchema, type RepoConfig } from '../../../src/config/repo-config.js';
import type { RunRequest } from '../../../src/pipeline/types.js';
import {
  buildTranscript,
  replies,
  type SampleTranscript,
  type SearchReplace,
} from './build-transcript.js';

/**
 * Scenario on test/fixtures/repos/js-clamp: `clamp` returns `min` for values above `max`.
 * Samples: correct edits (two identical), a plausible wrong edit that hard-codes the issue's
 * numbers, and a sample whose test is wrong. Tests run with `node {file}`.
 */
export const JS_CLAMP_DIR = fileURLToPath(
  new URL('../../fixtures/repos/js-clamp/', import.meta.url),
);

export const jsIssue = {
  number: 12,
  title: 'clamp returns the minimum for values above the maximum',
  body: '`clamp(15, 0, 10)` returns `0`; it should return `10`.',
};

export function jsConfig(overrides: Record<string, unknown> = {}): RepoConfig {
  return repoConfigSchema.parse({
    samples: 4,
    sandbox: { test: { command: 'node {file}', extension: '.js', language: 'JavaScript' } },
    ...overrides,
  });
}

/** A run request on the fixture repository; `commit` is the name the snapshot reports. */
export function jsRequest(
  runId: string,
  overrides: Record<string, unknown> = {},
  commit = 'fixture-js',
): RunRequest {
  return {
    runId,
    repo: 'fixtures/js-clamp',
    issue: jsIssue,
    snapshot: { dir: JS_CLAMP_DIR, repo: 'fixtures/js-clamp', commit },
    config: jsConfig(overrides),
  };
}

const header = "const { clamp } = require('/workspace/repo/src/clamp.js');\n";
export const jsTests = {
  issue: `${header}const got = clamp(15, 0, 10);\nconsole.log('clamp(15, 0, 10) =', got);\nprocess.exit(got === 10 ? 0 : 2);\n`,
  general: `${header}const a = clamp(15, 0, 10);\nconst b = clamp(99, -5, 42);\nconsole.log(a, b);\nprocess.exit(a === 10 && b === 42 ? 0 : 2);\n`,
  /** Wrong: checks a value inside the range, which already works. */
  wrong: `${header}const got = clamp(5, 0, 10);\nconsole.log(got);\nprocess.exit(got === 5 ? 0 : 2);\n`,
};

const above = '  if (value > max) {\n    return min;\n  }';
export const jsEdits: Record<'correct' | 'hardcoded', SearchReplace[]> = {
  correct: [
    { path: 'src/clamp.js', search: above, replace: '  if (value > max) {\n    return max;\n  }' },
  ],
  hardcoded: [
    { path: 'src/clamp.js', search: above, replace: '  if (value > max) {\n    return 10;\n  }' },
  ],
};

export function jsSamples(): SampleTranscript[] {
  const sample = (test: string, edit: SearchReplace[]): SampleTranscript => ({
    testing: [replies.test('Reproduce.', test), replies.done()],
    editing: [replies.edit('Return max above the range.', edit), replies.done('Fixed.')],
  });
  return [
    sample(jsTests.issue, jsEdits.correct),
    sample(jsTests.general, jsEdits.hardcoded),
    sample(jsTests.issue, jsEdits.correct),
    sample(jsTests.wrong, jsEdits.correct),
  ];
}

export function jsTranscript() {
  return buildTranscript({
    relevant: { 'src/clamp.js': 'Defines clamp, whose upper branch returns the wrong bound.' },
    ranking: ['src/clamp.js', 'src/index.js'],
    samples: jsSamples(),
    selection: [
      replies.test('Use a maximum other than 10.', jsTests.general),
      replies.choose(
        0,
        'Candidate 0 returns max for any range; candidate 1 only works when max is 10.',
      ),
    ],
  });
}
