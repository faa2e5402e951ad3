import type { RepoConfig } from '../../config/repo-config.js';
import type { PromptSet } from '../../llm/prompts.js';
import type { TagKind } from '../../llm/parse-tags.js';
import { getIssueVars, neutraliseClosingTags, quoteAttribute } from '../../llm/untrusted.js';
import type { RunRequest } from '../types.js';
import type { ContextFile } from './types.js';

/**
 * Renders the generation prompts that several machines share. The system prompts depend only on
 * run-level inputs (never on the sample index), so all N samples share one cached prefix.
 */
export function renderGuidelines(prompts: PromptSet, config: RepoConfig): string {
  return prompts.render('script-guidelines', {
    language: config.sandbox.test.language,
    test_command: config.sandbox.test.command
      .split('{file}')
      .join(`script${config.sandbox.test.extension}`),
    workdir: config.sandbox.workdir,
  });
}

export function renderContextFiles(files: readonly ContextFile[]): string {
  if (files.length === 0) return '(no files were selected)';
  return files
    .map(
      (f) =>
        `<file path="${quoteAttribute(f.path)}">\n${neutraliseClosingTags(f.content, ['file'])}\n</file>`,
    )
    .join('\n\n');
}

export function renderTestingSystem(prompts: PromptSet, request: RunRequest): string {
  return prompts.render('testing.system', {
    repo: request.repo,
    guidelines: renderGuidelines(prompts, request.config),
    ...getIssueVars(request.issue),
  });
}

export function renderEditingSystem(
  prompts: PromptSet,
  request: RunRequest,
  files: readonly ContextFile[],
): string {
  return prompts.render('editing.system', {
    repo: request.repo,
    guidelines: renderGuidelines(prompts, request.config),
    ...getIssueVars(request.issue),
    files: renderContextFiles(files),
  });
}

export function createFormatErrorRenderer(prompts: PromptSet, maxAttempts: number) {
  return (problem: string, allowed: readonly TagKind[], attemptsMade: number): string =>
    prompts.render('format-error', {
      problem,
      allowed: allowed
        .map((k) => (k === 'done' ? '<done>DONE</done>' : `<${k}>...</${k}>`))
        .join(', '),
      attempts_left: Math.max(0, maxAttempts - attemptsMade),
    });
}

/** Script text safe between `<test>` markers of a user turn. */
export function defuseScript(script: string): string {
  return neutraliseClosingTags(script, ['test']);
}
