import type { SelectionReport } from '../../pipeline/types.js';
import {
  codeBlock,
  details,
  escapeHtmlInline,
  escapeInline,
  quoteBlock,
  truncateMiddle,
} from '../markdown.js';
import { renderExecOutcome } from './exec-summary.js';
import type { BodySection, PrBodyInput } from './types.js';

function why(selection: SelectionReport): string {
  switch (selection.method) {
    case 'single-candidate':
      return 'Only one candidate reached selection, so no selection model was needed.';
    case 'clear-winner':
      return 'One candidate had strictly more votes than every other, and this repository skips selection in that case.';
    case 'fallback':
      return `The selection model did not name a valid candidate (${escapeInline(selection.fallbackReason ?? 'no reason recorded', 200)}), so the top-voted candidate was taken.`;
    case 'model':
      return `The selection model compared the shortlisted candidates in ${selection.calls} call${selection.calls === 1 ? '' : 's'} and chose candidate C${selection.chosenCandidateId}.`;
  }
}

function selectionTests(selection: SelectionReport, scriptChars: number): string {
  return selection.tests
    .map((test, i) => {
      const results = Object.entries(test.candidates)
        .map(([id, exec]) => `C${id}: ${renderExecOutcome(exec)}`)
        .join(', ');
      const summary = `Selection test ${i + 1}: original ${renderExecOutcome(test.original)}; ${results}`;
      return details(
        escapeHtmlInline(summary, 400),
        codeBlock(truncateMiddle(test.script, scriptChars)),
      );
    })
    .join('\n\n');
}

/**
 * The selection model sees the shortlist renumbered 0..k-1; the PR names candidates by their
 * evaluation ids (C<n>). Say how one maps to the other so the quoted reasoning reads right.
 */
function numbering(
  selection: SelectionReport,
  shortlist: number[] | undefined,
): string | undefined {
  if (selection.method !== 'model' && selection.method !== 'fallback') return undefined;
  if (shortlist === undefined || shortlist.length < 2) return undefined;
  const pairs = shortlist.map((id, i) => `candidate ${i} = C${id}`).join(', ');
  return `The selector saw the shortlist numbered from 0: ${pairs}.`;
}

/** The selector's reasoning, quoted, or why no selection was needed. */
export function renderSelectionSection(input: PrBodyInput): BodySection {
  const selection = input.report.selection;
  if (selection === undefined)
    return { id: 'selection', full: '## Selection\n\nNo selection was recorded.' };
  const build = (reasonChars: number, scriptChars: number, withTests: boolean) => {
    const parts = ['## Selection', '', why(selection)];
    const mapping = numbering(selection, input.report.evaluation?.shortlist);
    if (mapping !== undefined) parts.push('', mapping);
    if (selection.reasoning !== undefined && selection.reasoning.trim().length > 0) {
      parts.push('', "The selector's reasoning:", '', quoteBlock(selection.reasoning, reasonChars));
    }
    if (withTests && selection.tests.length > 0)
      parts.push('', selectionTests(selection, scriptChars));
    return parts.join('\n');
  };
  return { id: 'selection', full: build(8_000, 6_000, true), compact: build(1_500, 0, false) };
}
