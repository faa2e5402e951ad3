import type { ExecResult } from '../../sandbox/types.js';
import { summarizeExec, type ExecSummary } from '../types.js';

/** Characters of execution output shown to a model: head and tail halves (paper: 4,096 + 4,096). */
export const OUTPUT_CAP_CHARS = 8_192;

/**
 * Caps text for a prompt: the first half and the last half of `limit` characters, with a marker in
 * between that states how many characters were cut. Text within the limit is returned unchanged.
 */
export function capOutput(text: string, limit: number = OUTPUT_CAP_CHARS): string {
  if (text.length <= limit) return text;
  const half = Math.floor(limit / 2);
  const cut = text.length - 2 * half;
  return `${text.slice(0, half)}\n[... ${cut} characters cut from the middle of the output ...]\n${text.slice(text.length - half)}`;
}

/** A report-ready summary of an execution, its combined output capped like the model sees it. */
export function summarizeForModel(
  result: ExecResult,
  limit: number = OUTPUT_CAP_CHARS,
): ExecSummary {
  return summarizeExec(result, capOutput(result.combined, limit));
}

/**
 * Renders one execution for a prompt: exit code, whether it timed out, a patch failure, and the
 * capped output between <output> markers (the output is untrusted; a closing marker inside it is
 * defused so the model cannot be confused about where it ends).
 */
export function renderExecution(summary: ExecSummary, timeoutSeconds: number): string {
  const lines: string[] = [];
  if (summary.patchError !== undefined) {
    lines.push(
      `The edit could not be applied, so the script was not run (counted as exit code 1).`,
    );
    lines.push(`Patch error: ${summary.patchError.trim()}`);
    return lines.join('\n');
  }
  lines.push(`Exit code: ${summary.exitCode}`);
  lines.push(
    summary.timedOut
      ? `Timed out: yes (killed after ${timeoutSeconds} s; the output below is what it printed before that)`
      : 'Timed out: no',
  );
  if (summary.truncated)
    lines.push('Note: the output was longer than the sandbox keeps; only part of it was captured.');
  const output = summary.output.length === 0 ? '(no output)' : defuse(summary.output, 'output');
  lines.push('Output (stdout and stderr interleaved):', '<output>', output, '</output>');
  return lines.join('\n');
}

/** Neutralises a closing `</tag>` inside untrusted text placed between `<tag>` markers. */
export function defuse(text: string, tag: string): string {
  return text.split(`</${tag}>`).join(`<\\/${tag}>`);
}
