import { escapeInline, inlineCode, table } from '../markdown.js';
import type { BodySection, PrBodyInput } from './types.js';

/** Files touched by the selected edit with added/removed line counts. */
export function renderEditSection(input: PrBodyInput): BodySection {
  const selected = input.report.selected;
  if (selected === undefined) return { id: 'edit', full: '## The edit\n\nNo edit was selected.' };
  const added = selected.files.reduce((sum, f) => sum + f.added, 0);
  const removed = selected.files.reduce((sum, f) => sum + f.removed, 0);
  const rows = selected.files.map((f) => [
    escapeInline(f.path, 200),
    `+${f.added}`,
    `-${f.removed}`,
  ]);
  const lines = [
    '## The edit',
    '',
    `Candidate **C${selected.candidateId}** changes ${selected.files.length} file${selected.files.length === 1 ? '' : 's'} ` +
      `(+${added} / -${removed} lines).`,
    '',
    table(['File', 'Added', 'Removed'], rows, ['l', 'r', 'r']),
  ];
  if (input.committedTestPath !== undefined) {
    lines.push('', `The reproduction test is committed as ${inlineCode(input.committedTestPath)}.`);
  }
  const compact = `## The edit\n\nCandidate **C${selected.candidateId}**: ${selected.files
    .slice(0, 20)
    .map((f) => escapeInline(f.path, 120))
    .join(', ')} (+${added} / -${removed}).`;
  return { id: 'edit', full: lines.join('\n'), compact };
}
