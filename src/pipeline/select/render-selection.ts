import { neutraliseClosingTags, quoteAttribute } from '../../llm/untrusted.js';
import { estimateTokens } from '../context/tokens.js';
import type { CandidateRecord, ExecSummary } from '../types.js';

/**
 * Pure text builders for the selection prompts. Untrusted text (files, diffs, outputs) is put
 * inside delimiting tags; the prompt tells the model it is data.
 */
export interface OriginalFile {
  path: string;
  /** Undefined when the file does not exist on the original (a candidate creates it). */
  content: string | undefined;
}

/** Paths touched by any of the candidates, in first-seen order. */
export function getTouchedPaths(candidates: readonly Pick<CandidateRecord, 'files'>[]): string[] {
  return [...new Set(candidates.flatMap((c) => c.files.map((f) => f.path)))];
}

/**
 * Renders whole original files, in order, while they fit in `budgetTokens`; files that do not fit
 * are named but not shown (never truncated mid-file).
 */
export function renderOriginalFiles(files: readonly OriginalFile[], budgetTokens: number): string {
  let used = 0;
  const parts: string[] = [];
  for (const file of files) {
    if (file.content === undefined) {
      parts.push(
        `<file path="${quoteAttribute(file.path)}">\n(does not exist in the original repository)\n</file>`,
      );
      continue;
    }
    const tokens = estimateTokens(file.content);
    if (used + tokens > budgetTokens) {
      parts.push(
        `<file path="${quoteAttribute(file.path)}">\n(omitted: too large for the context budget; see the diffs)\n</file>`,
      );
      continue;
    }
    used += tokens;
    const content = neutraliseClosingTags(file.content, ['file']);
    parts.push(
      `<file path="${quoteAttribute(file.path)}">\n${content}${content.endsWith('\n') ? '' : '\n'}</file>`,
    );
  }
  return parts.length === 0 ? '(no files)' : parts.join('\n\n');
}

/** Renders the shortlisted diffs with their selection ids 0..k-1. */
export function renderCandidates(diffs: readonly string[]): string {
  return diffs
    .map((raw, id) => {
      const diff = neutraliseClosingTags(raw, ['candidate']);
      return `<candidate id="${id}">\n${diff}${diff.endsWith('\n') ? '' : '\n'}</candidate>`;
    })
    .join('\n\n');
}

function renderRun(label: string, run: ExecSummary): string {
  if (run.patchError !== undefined) {
    return `<result target="${label}">\nThe candidate did not apply to the repository (counts as failing): ${run.patchError}\n</result>`;
  }
  const output = neutraliseClosingTags(run.output, ['result']);
  const timedOut = run.timedOut ? ' timed_out="true"' : '';
  return `<result target="${label}" exit_code="${run.exitCode}"${timedOut}>\n${output}${output.endsWith('\n') || output === '' ? '' : '\n'}</result>`;
}

/** Renders one selection test's runs: original first, then every candidate by id. */
export function renderSelectionResults(
  original: ExecSummary,
  candidates: readonly ExecSummary[],
): string {
  const rows = [
    renderRun('original', original),
    ...candidates.map((run, id) => renderRun(`candidate ${id}`, run)),
  ];
  const summary = [
    `original: exit ${original.exitCode}${original.timedOut ? ' (timed out)' : ''}`,
    ...candidates.map(
      (run, id) =>
        `candidate ${id}: ${run.patchError !== undefined ? 'did not apply' : `exit ${run.exitCode}${run.timedOut ? ' (timed out)' : ''}`}`,
    ),
  ].join('\n');
  return `${summary}\n\n${rows.join('\n\n')}`;
}
