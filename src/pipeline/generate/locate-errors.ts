import type { EditBlock } from './edit-blocks.js';
import type { FileLines } from './file-lines.js';
import {
  findExact,
  findWhitespaceInsensitive,
  type LineRange,
  type Location,
} from './locate-block.js';

/**
 * Error messages for blocks that cannot be located, sent to the model verbatim. They say what was
 * wrong and how to fix it, quoting the original lines of a near miss (which is never applied).
 */
export interface OtherFile {
  path: string;
  content: string;
}

const MAX_QUOTED_LINES = 40;

function quote(lines: FileLines, range: LineRange): string {
  const shown = lines.keys.slice(range.start, Math.min(range.end, range.start + MAX_QUOTED_LINES));
  const more =
    range.end - range.start > MAX_QUOTED_LINES
      ? `\n(... ${range.end - range.start - MAX_QUOTED_LINES} more lines)`
      : '';
  return `${shown.join('\n')}${more}`;
}

function span(range: LineRange): string {
  return range.end - range.start === 1
    ? `line ${range.start + 1}`
    : `lines ${range.start + 1}-${range.end}`;
}

/** Looks for the SEARCH lines in the other files: exact first, then ignoring whitespace. */
function findElsewhere(block: EditBlock, others: readonly OtherFile[]): string | undefined {
  const search = block.search.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  for (const pass of [findExact, findWhitespaceInsensitive]) {
    for (const other of others) {
      if (other.path === block.path) continue;
      const keys = other.content.replace(/\r\n/g, '\n').split('\n');
      const hits = pass(keys, search);
      const first = hits[0];
      if (first !== undefined)
        return `The SEARCH lines were found in file ${other.path} (${span(first)}). Did you mean to edit ${other.path}? Name that file in the SEARCH marker.`;
    }
  }
  return undefined;
}

export function describeLocateFailure(
  block: EditBlock,
  lines: FileLines | undefined,
  location: Location,
  others: readonly OtherFile[],
): string {
  const label = `Block ${block.index} (${block.path})`;
  if (location.kind === 'ambiguous') {
    const where = location.ranges.slice(0, 5).map(span).join(', ');
    return `${label}: the SEARCH lines are not specific enough: they match ${location.ranges.length} places in ${block.path} (${where}). Add surrounding lines to SEARCH (and REPLACE) so they match exactly one place.`;
  }
  if (location.kind === 'near' && lines !== undefined) {
    const how =
      location.how === 'whitespace'
        ? 'differ only in whitespace from'
        : 'are similar to, but not the same as,';
    const suggestions = location.ranges
      .map((r) => `${span(r)}:\n\`\`\`\n${quote(lines, r)}\n\`\`\``)
      .join('\n');
    return `${label}: the SEARCH lines do not exactly match any lines of ${block.path}. They ${how} the following original lines. Did you mean:\n${suggestions}\nSEARCH must copy whole original lines exactly, whitespace included; nothing was applied.`;
  }
  const elsewhere = findElsewhere(block, others);
  const missing =
    lines === undefined
      ? `${block.path} does not exist in the repository (to create a new file, leave SEARCH empty).`
      : `the SEARCH lines were not found in ${block.path}, not even approximately.`;
  return `${label}: ${missing}${elsewhere === undefined ? ' Check the file path and copy the lines exactly from the file shown to you.' : ` ${elsewhere}`}`;
}
