import type { RunReport } from '../pipeline/types.js';
import { details, escapeInline, formatUsd } from './markdown.js';
import { renderMatrixTable } from './sections/vote-matrix.js';

/**
 * Short Markdown for the status comment when the run abstains (no PR): why, what was tried, and
 * the vote matrix. Everything untrusted is escaped; safe to put in StatusState.summaryMarkdown.
 */
export function renderAbstentionSummary(report: RunReport, maxLength = 20_000): string {
  const evaluation = report.evaluation;
  const tests = evaluation?.tests ?? [];
  const candidates = evaluation?.candidates ?? [];
  const reproducing = tests.filter((t) => t.reproduces).length;
  const withEdit = report.samples.filter((s) => s.editing.hasEdit).length;
  const reason = escapeInline(
    report.outcomeReason ?? 'no candidate had evidence that it fixes the issue',
    500,
  );
  const lines = [
    `**No pull request was opened:** ${reason}.`,
    '',
    `What was tried: ${report.samples.length} samples, ${tests.length} generated test${tests.length === 1 ? '' : 's'} ` +
      `(${reproducing} reproduce${reproducing === 1 ? 's' : ''} the issue on the original, exit 2), ` +
      `${withEdit} sample${withEdit === 1 ? '' : 's'} produced an edit, ${candidates.length} distinct candidate${candidates.length === 1 ? '' : 's'} ` +
      `voted on, ${formatUsd(report.usage.total.usd)} spent.`,
  ];
  if (evaluation !== undefined && evaluation.dropped.length > 0) {
    lines.push(
      '',
      `Dropped before voting: ${evaluation.dropped.map((d) => `s${d.sampleIndex} (${escapeInline(d.reason, 100)})`).join('; ')}.`,
    );
  }
  if (report.budgetExhausted !== undefined) {
    lines.push(
      '',
      `The ${formatUsd(report.budgetExhausted.limitUsd)} budget stopped new work during ${report.budgetExhausted.stage}.`,
    );
  }
  if (evaluation !== undefined && candidates.length > 0 && tests.length > 0) {
    lines.push(
      '',
      details(
        'Vote matrix (✅ test passes with the candidate, ❌ n exits n; 🔁 reproduces on the original)',
        renderMatrixTable(evaluation),
      ),
    );
  }
  lines.push(
    '',
    'A clearer issue (exact steps, expected vs actual output, a failing snippet) usually helps; comment `/codemonkeys retry` to try again.',
  );
  const text = lines.join('\n');
  return text.length <= maxLength
    ? text
    : `${lines.slice(0, 3).join('\n')}\n\n_(Vote matrix left out: too large for a comment.)_`;
}
