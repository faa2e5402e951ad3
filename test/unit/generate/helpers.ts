import { DEFAULT_CONFIG, type RepoConfig } from '../../../src/config/repo-config.js';
import { loadPrompts } from '../../../src/llm/prompts.js';
import type { RunRequest } from '../../../src/pipeline/types.js';

/** Shared fixtures for the generation unit tests. */
export const prompts = loadPrompts();

export function makeRequest(overrides: Partial<RepoConfig> = {}, runId = 'run-1'): RunRequest {
  return {
    runId,
    repo: 'acme/calc',
    issue: { number: 7, title: 'add() subtracts', body: 'add(2, 3) returns -1 instead of 5.' },
    snapshot: { dir: '/nonexistent', repo: 'acme/calc', commit: 'a'.repeat(40) },
    config: { ...DEFAULT_CONFIG, ...overrides },
  };
}

export const CALC_PY = 'def add(a, b):\n    return a - b\n';

export const GOOD_EDIT = [
  'The operator is wrong.',
  '<edit>',
  '<<<<<<< SEARCH calc.py',
  '    return a - b',
  '=======',
  '    return a + b',
  '>>>>>>> REPLACE',
  '</edit>',
].join('\n');

export const TEST_SCRIPT =
  'import sys\nfrom calc import add\nsys.exit(0 if add(2, 3) == 5 else 2)\n';

export function testReply(script: string = TEST_SCRIPT): string {
  return `I will check add(2, 3).\n<test>\n${script}</test>`;
}

export const DONE_REPLY = 'Looks right.\n<done>DONE</done>';
