/**
 * Every prompt template in prompts/ and the placeholders the code supplies to it. The loader
 * checks files against this table at start-up. Keep prompts/README.md in step.
 */
export const PROMPT_SPECS = {
  // --- context stage (relevance, ranking) ---
  'relevance.system': ['repo', 'issue_title', 'issue_body'],
  'relevance.user': ['path', 'content'],
  'relevance.fix': ['problem'],
  'ranking.system': ['repo', 'budget_tokens', 'typical_tokens'],
  'ranking.user': ['issue_title', 'issue_body', 'file_count', 'files'],
  'ranking.fix': ['problem'],
  // --- generation (testing, editing) ---
  'script-guidelines': ['language', 'test_command', 'workdir'],
  'format-error': ['problem', 'allowed', 'attempts_left'],
  'testing.system': ['repo', 'guidelines', 'issue_title', 'issue_body'],
  'testing.first': ['max_attempts'],
  'testing.feedback': ['result', 'attempts_left'],
  'editing.system': ['repo', 'guidelines', 'issue_title', 'issue_body', 'files'],
  'editing.first': ['test', 'test_output', 'max_attempts'],
  'editing.first-no-test': ['max_attempts'],
  'editing.feedback': ['diff', 'original_result', 'edited_result', 'attempts_left'],
  'editing.test-feedback': ['diff', 'original_result', 'edited_result', 'attempts_left'],
  'editing.edit-error': ['errors', 'attempts_left'],
  // --- selection ---
  'selection.system': ['repo', 'language', 'test_command', 'workdir'],
  'selection.first': [
    'issue_title',
    'issue_body',
    'files',
    'candidates',
    'example_test',
    'max_attempts',
  ],
  'selection.feedback': ['results', 'attempts_left'],
  'selection.invalid': ['problem', 'valid_ids'],
} as const satisfies Record<string, readonly string[]>;

export type PromptName = keyof typeof PROMPT_SPECS;
