import { checkEditPath } from './edit-paths.js';

/**
 * Parses the body of an `<edit>` into search/replace blocks:
 *
 *     <<<<<<< SEARCH path/to/file.py
 *     exact whole lines from the original file
 *     =======
 *     replacement lines
 *     >>>>>>> REPLACE
 *
 * Markers: at least 3 `<` / `>`, a divider of at least 5 `=`. Text outside blocks (prose, code
 * fences around blocks) is ignored. CRLF is normalised to LF.
 */
export interface EditBlock {
  /** 1-based position of the block in the edit, for error messages. */
  index: number;
  path: string;
  search: string[];
  replace: string[];
}

export type ParsedEdit = { ok: true; blocks: EditBlock[] } | { ok: false; errors: string[] };

const START = /^\s*<{3,}\s*SEARCH\b\s*(.*?)\s*$/;
const DIVIDER = /^\s*={5,}\s*$/;
const END = /^\s*>{3,}\s*REPLACE\b.*$/;

export function parseEditBlocks(body: string): ParsedEdit {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const blocks: EditBlock[] = [];
  const errors: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = START.exec(lines[i] as string);
    if (start === null) {
      if (DIVIDER.test(lines[i] as string) || END.test(lines[i] as string)) {
        errors.push(
          `Line ${i + 1} of the edit has a "${(lines[i] as string).trim()}" marker outside any block (each block starts with "<<<<<<< SEARCH path").`,
        );
      }
      i += 1;
      continue;
    }
    const index = blocks.length + errors.length + 1;
    const rawPath = start[1] ?? '';
    let j = i + 1;
    while (j < lines.length && !DIVIDER.test(lines[j] as string) && !START.test(lines[j] as string))
      j += 1;
    if (j >= lines.length || !DIVIDER.test(lines[j] as string)) {
      errors.push(
        `Block ${index} (line ${i + 1}) has no "=======" divider after its SEARCH lines.`,
      );
      i = j;
      continue;
    }
    let k = j + 1;
    while (k < lines.length && !END.test(lines[k] as string) && !START.test(lines[k] as string))
      k += 1;
    if (k >= lines.length || !END.test(lines[k] as string)) {
      errors.push(`Block ${index} (line ${i + 1}) is not closed with ">>>>>>> REPLACE".`);
      i = k;
      continue;
    }
    const checked = checkEditPath(rawPath);
    if (!checked.ok) {
      errors.push(
        rawPath.trim() === ''
          ? `Block ${index} (line ${i + 1}): the SEARCH marker must name the file, as in "<<<<<<< SEARCH path/to/file".`
          : `Block ${index} (${rawPath.trim()}): ${checked.reason}.`,
      );
    } else {
      blocks.push({
        index,
        path: checked.path,
        search: lines.slice(i + 1, j),
        replace: lines.slice(j + 1, k),
      });
    }
    i = k + 1;
  }
  if (errors.length > 0) return { ok: false, errors };
  if (blocks.length === 0) {
    return {
      ok: false,
      errors: [
        'The edit contains no search/replace block. Each block starts with "<<<<<<< SEARCH path/to/file".',
      ],
    };
  }
  return { ok: true, blocks };
}
