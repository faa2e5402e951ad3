import { codeBlock, details, escapeHtmlInline, escapeInline, truncateMiddle } from '../markdown.js';
import type { BodySection, PrBodyInput } from './types.js';

/** Every candidate considered, with its diff collapsed. */
export function renderCandidatesSection(input: PrBodyInput): BodySection {
  const candidates = input.report.evaluation?.candidates ?? [];
  if (candidates.length === 0)
    return {
      id: 'candidates',
      full: '## Candidates considered\n\nNo candidate edit was produced.',
    };
  const selectedId = input.report.selected?.candidateId;
  const perDiff = Math.max(2_000, Math.floor(40_000 / candidates.length));
  const describe = (
    id: number,
    votes: number,
    files: string[],
    lines: number,
    escape = escapeHtmlInline,
  ) =>
    escape(
      `C${id}${id === selectedId ? ' (selected)' : ''}: ${votes} vote${votes === 1 ? '' : 's'}, ${lines} diff lines, ${files.join(', ')}`,
      400,
    );
  const blocks = candidates.map((c) =>
    details(
      describe(
        c.id,
        c.votes,
        c.files.map((f) => f.path),
        c.diffLines,
      ),
      codeBlock(truncateMiddle(c.diff, perDiff), 'diff'),
    ),
  );
  const compact = candidates
    .map(
      (c) =>
        `- ${describe(
          c.id,
          c.votes,
          c.files.map((f) => f.path),
          c.diffLines,
          escapeInline,
        )}`,
    )
    .join('\n');
  return {
    id: 'candidates',
    full: ['## Candidates considered', '', ...blocks.flatMap((b) => [b, ''])].join('\n').trimEnd(),
    compact: `## Candidates considered\n\n${compact}`,
  };
}
