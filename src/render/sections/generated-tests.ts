import { codeBlock, details, escapeHtmlInline, truncateMiddle } from '../markdown.js';
import { renderExecOutcome } from './exec-summary.js';
import type { BodySection, PrBodyInput } from './types.js';

/** Every generated reproduction test, collapsed, with its result on the original repository. */
export function renderTestsSection(input: PrBodyInput): BodySection {
  const tests = input.report.evaluation?.tests ?? [];
  if (tests.length === 0)
    return { id: 'tests', full: '## Generated tests\n\nNo test was generated.' };
  const perTest = Math.max(1_500, Math.floor(30_000 / tests.length));
  const blocks = tests.map((t) => {
    const summary = escapeHtmlInline(
      `T${t.id} (sample ${t.sampleIndex}): ${renderExecOutcome(t.original)} on the original${t.reproduces ? ', reproduces the issue' : ''}`,
    );
    return details(summary, codeBlock(truncateMiddle(t.script, perTest)));
  });
  const compact = tests
    .map(
      (t) =>
        `- T${t.id} (sample ${t.sampleIndex}): ${renderExecOutcome(t.original)} on the original`,
    )
    .join('\n');
  return {
    id: 'tests',
    full: ['## Generated tests', '', ...blocks.flatMap((b) => [b, ''])].join('\n').trimEnd(),
    compact: `## Generated tests\n\n${compact}`,
  };
}
