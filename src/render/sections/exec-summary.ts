import type { ExecSummary } from '../../pipeline/types.js';
import { codeBlock, escapeInline, truncateMiddle } from '../markdown.js';

/** "exit 2", "timed out (exit 137)", "patch did not apply". */
export function renderExecOutcome(exec: ExecSummary): string {
  if (exec.patchError !== undefined) return 'patch did not apply';
  if (exec.timedOut) return `timed out (exit ${exec.exitCode})`;
  return `exit ${exec.exitCode}`;
}

/** Output excerpt as a code block, capped to `maxChars` (head + tail). */
export function renderExecOutput(exec: ExecSummary, maxChars: number): string {
  if (exec.patchError !== undefined) {
    return `The patch did not apply: ${escapeInline(exec.patchError, 500)}`;
  }
  const text = exec.output.length === 0 ? '(no output)' : truncateMiddle(exec.output, maxChars);
  const note = exec.truncated
    ? '\n\n_Output was longer than the sandbox output cap and was cut._'
    : '';
  return `${codeBlock(text, 'text')}${note}`;
}
