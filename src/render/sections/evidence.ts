import { codeBlock, details, truncateMiddle } from '../markdown.js';
import { renderExecOutcome, renderExecOutput } from './exec-summary.js';
import type { BodySection, PrBodyInput } from './types.js';

/** The reproduction test that proves the edit: exit code and output on the original vs edited repo. */
export function renderEvidenceSection(input: PrBodyInput): BodySection {
  const evidence = input.report.selected?.evidence;
  if (evidence === undefined) {
    const text =
      '## Evidence\n\nNo generated test fails on the original repository and passes with this edit. ' +
      'The edit was chosen by the vote and selection below; check it with extra care.';
    return { id: 'evidence', full: text };
  }
  const build = (outputChars: number, scriptChars: number) =>
    [
      '## Evidence',
      '',
      `${evidence.source === 'selection' ? `The selector's test **${evidence.testId + 1}** (no voting test separated this edit from the original)` : `Generated test **T${evidence.testId}**`}: ${renderExecOutcome(evidence.original)} on the original repository, ` +
        `${renderExecOutcome(evidence.edited)} with the edit (2 = issue present, 0 = issue solved, 1 = crash).`,
      '',
      '**On the original repository**',
      '',
      renderExecOutput(evidence.original, outputChars),
      '',
      '**With the edit**',
      '',
      renderExecOutput(evidence.edited, outputChars),
      '',
      details('The reproduction test', codeBlock(truncateMiddle(evidence.script, scriptChars))),
    ].join('\n');
  return { id: 'evidence', full: build(3_000, 12_000), compact: build(600, 2_000) };
}
