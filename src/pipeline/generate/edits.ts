import { parseEditBlocks, type EditBlock } from './edit-blocks.js';
import { splitFileLines, joinFileLines, toRawLines, type FileLines } from './file-lines.js';
import { locateBlock, type LineRange } from './locate-block.js';
import { describeLocateFailure, type OtherFile } from './locate-errors.js';
import { createGitDiff, verifyDiff, type FileChange } from './unified-diff.js';

/**
 * Turns the body of an `<edit>` into a unified git diff, or into error messages for the model.
 * Pure: originals are passed in. All blocks are located against the ORIGINAL content (each edit
 * replaces the previous one entirely). Every problem of every block is reported at once.
 */
export interface EditFileStat {
  path: string;
  added: number;
  removed: number;
  created: boolean;
}

export type EditOutcome =
  | { ok: true; diff: string; files: EditFileStat[]; changedLines: number }
  | { ok: false; errors: string[] };

export interface EditInputs {
  /** Original content of every path the blocks name (undefined: the file does not exist). */
  originals: ReadonlyMap<string, string | undefined>;
  /** Other files searched when a block matches nothing ("found in file X"): the context files. */
  otherFiles: readonly OtherFile[];
}

interface Located {
  block: EditBlock;
  range: LineRange;
}

/** The paths an edit body names (to load their originals first); [] when it does not parse. */
export function getEditPaths(body: string): string[] {
  const parsed = parseEditBlocks(body);
  return parsed.ok ? [...new Set(parsed.blocks.map((b) => b.path))] : [];
}

export function applyEditBlocks(body: string, inputs: EditInputs): EditOutcome {
  const parsed = parseEditBlocks(body);
  if (!parsed.ok) return parsed;
  const errors: string[] = [];
  const located = new Map<string, Located[]>();
  const created = new Map<string, EditBlock>();
  for (const block of parsed.blocks) {
    const original = inputs.originals.get(block.path);
    const emptySearch = block.search.every((l) => l.trim() === '');
    const label = `Block ${block.index} (${block.path})`;
    if (emptySearch) {
      if (original !== undefined && original.trim() !== '') {
        errors.push(
          `${label}: the SEARCH part is empty, but ${block.path} already exists. To change it, copy the exact lines to replace into SEARCH; an empty SEARCH only creates a new file.`,
        );
      } else if (created.has(block.path) || located.has(block.path)) {
        errors.push(
          `${label}: ${block.path} is created by an earlier block; put all of a new file's content in one block.`,
        );
      } else if (block.replace.length === 0 || block.replace.every((l) => l.trim() === '')) {
        errors.push(`${label}: a new file needs content in the REPLACE part.`);
      } else if (original !== undefined) {
        // An existing but empty file: fill it (not a creation).
        located.set(block.path, [{ block, range: { start: 0, end: 0 } }]);
      } else created.set(block.path, block);
      continue;
    }
    if (created.has(block.path)) {
      errors.push(
        `${label}: ${block.path} is created by block ${created.get(block.path)?.index}; put all of a new file's content in that one block.`,
      );
      continue;
    }
    if (original === undefined) {
      errors.push(describeLocateFailure(block, undefined, { kind: 'none' }, inputs.otherFiles));
      continue;
    }
    const lines = splitFileLines(original);
    const location = locateBlock(lines.keys, block.search.map(stripCr));
    if (location.kind !== 'exact') {
      errors.push(describeLocateFailure(block, lines, location, inputs.otherFiles));
      continue;
    }
    located.set(block.path, [...(located.get(block.path) ?? []), { block, range: location.range }]);
  }
  for (const [path, blocks] of located) errors.push(...findOverlaps(path, blocks));
  if (errors.length > 0) return { ok: false, errors };

  const changes: FileChange[] = [];
  for (const [path, block] of created)
    changes.push({ path, before: undefined, after: `${block.replace.join('\n')}\n` });
  for (const [path, blocks] of located) {
    const before = inputs.originals.get(path) as string;
    const after = replaceRanges(splitFileLines(before), blocks);
    if (after !== before) changes.push({ path, before, after });
  }
  if (changes.length === 0)
    return {
      ok: false,
      errors: ['The edit changes nothing: every REPLACE part equals its SEARCH part.'],
    };
  changes.sort((a, b) => a.path.localeCompare(b.path));
  const diff = createGitDiff(changes);
  const problem = verifyDiff(diff, changes);
  if (problem !== undefined) {
    return {
      ok: false,
      errors: [
        `The edit could not be turned into a patch that applies cleanly (${problem}). Rewrite the edit with whole, unchanged lines in SEARCH.`,
      ],
    };
  }
  const files = changes.map((c) => ({
    path: c.path,
    created: c.before === undefined,
    ...countChanges(diff, c.path),
  }));
  return {
    ok: true,
    diff,
    files,
    changedLines: files.reduce((n, f) => n + f.added + f.removed, 0),
  };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function findOverlaps(path: string, blocks: Located[]): string[] {
  const sorted = [...blocks].sort((a, b) => a.range.start - b.range.start);
  const errors: string[] = [];
  for (let i = 1; i < sorted.length; i += 1) {
    const prev = sorted[i - 1] as Located;
    const cur = sorted[i] as Located;
    if (cur.range.start < prev.range.end) {
      errors.push(
        `Blocks ${prev.block.index} and ${cur.block.index} overlap in ${path} (lines ${prev.range.start + 1}-${prev.range.end} and ${cur.range.start + 1}-${cur.range.end}). Merge them into one block.`,
      );
    }
  }
  return errors;
}

function replaceRanges(lines: FileLines, blocks: Located[]): string {
  const sorted = [...blocks].sort((a, b) => a.range.start - b.range.start);
  const out: string[] = [];
  let pos = 0;
  for (const { block, range } of sorted) {
    out.push(...lines.raw.slice(pos, range.start), ...toRawLines(block.replace, lines.eol));
    pos = range.end;
  }
  out.push(...lines.raw.slice(pos));
  return joinFileLines(out, lines.finalNewline || (lines.raw.length === 0 && out.length > 0));
}

/** Added/removed line counts of one file's section of a diff we produced. */
function countChanges(diff: string, path: string): { added: number; removed: number } {
  const section =
    diff.split(/^(?=diff --git )/m).find((s) => s.startsWith(`diff --git a/${path} b/${path}\n`)) ??
    '';
  let added = 0;
  let removed = 0;
  let inHunk = false;
  for (const line of section.split('\n')) {
    if (line.startsWith('@@')) inHunk = true;
    else if (inHunk && line.startsWith('+')) added += 1;
    else if (inHunk && line.startsWith('-')) removed += 1;
  }
  return { added, removed };
}
