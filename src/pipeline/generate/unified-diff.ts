import { structuredPatch } from 'diff';

/**
 * Unified git diffs of an edit, 3 lines of context, in the form `git apply` accepts:
 * `diff --git a/p b/p`, `new file mode 100644` + `--- /dev/null` for created files, hunks with
 * `\ No newline at end of file` where needed. Paths are already validated (relative, no `..`).
 */
export interface FileChange {
  path: string;
  /** Original content; undefined for a file the edit creates. */
  before: string | undefined;
  after: string;
}

export const DIFF_CONTEXT_LINES = 3;

export function formatFileDiff(change: FileChange): string {
  const created = change.before === undefined;
  const patch = structuredPatch(
    `a/${change.path}`,
    `b/${change.path}`,
    change.before ?? '',
    change.after,
    undefined,
    undefined,
    {
      context: DIFF_CONTEXT_LINES,
    },
  );
  const out = [`diff --git a/${change.path} b/${change.path}`];
  if (created) out.push('new file mode 100644');
  out.push(created ? '--- /dev/null' : `--- a/${change.path}`, `+++ b/${change.path}`);
  for (const hunk of patch.hunks) {
    const oldStart = hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart;
    const newStart = hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart;
    out.push(`@@ -${oldStart},${hunk.oldLines} +${newStart},${hunk.newLines} @@`, ...hunk.lines);
  }
  return `${out.join('\n')}\n`;
}

export function createGitDiff(changes: readonly FileChange[]): string {
  return changes.map(formatFileDiff).join('');
}

/** One file's section of a diff, as parsed for verification. */
interface ParsedFilePatch {
  path: string;
  created: boolean;
  hunks: Array<{ oldStart: number; oldLines: number; lines: string[] }>;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

function parseDiff(diff: string): ParsedFilePatch[] {
  const files: ParsedFilePatch[] = [];
  let current: ParsedFilePatch | undefined;
  let hunk: ParsedFilePatch['hunks'][number] | undefined;
  const lines = diff.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const header = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
    if (header !== null) {
      current = { path: header[2] as string, created: false, hunks: [] };
      files.push(current);
      hunk = undefined;
      continue;
    }
    if (current === undefined) throw new Error(`diff line outside a file section: ${line}`);
    if (hunk === undefined && line === 'new file mode 100644') current.created = true;
    else if (hunk === undefined && (line.startsWith('--- ') || line.startsWith('+++ '))) continue;
    else if (HUNK.test(line)) {
      const m = HUNK.exec(line) as RegExpExecArray;
      hunk = { oldStart: Number(m[1]), oldLines: m[2] === undefined ? 1 : Number(m[2]), lines: [] };
      current.hunks.push(hunk);
    } else if (hunk !== undefined) hunk.lines.push(line);
    else throw new Error(`unexpected diff header line: ${line}`);
  }
  return files;
}

/** Splits text into lines that keep their `\n` (the last one may lack it). */
function linesWithEnds(text: string): string[] {
  if (text === '') return [];
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function applyHunks(original: string, patch: ParsedFilePatch): string {
  const source = linesWithEnds(original);
  const out: string[] = [];
  let pos = 0;
  for (const hunk of patch.hunks) {
    const start = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    if (start < pos || start > source.length)
      throw new Error(`hunk at line ${hunk.oldStart} is out of order or range`);
    out.push(...source.slice(pos, start));
    pos = start;
    for (let i = 0; i < hunk.lines.length; i += 1) {
      const line = hunk.lines[i] as string;
      if (line.startsWith('\\')) continue;
      const noEol = (hunk.lines[i + 1] ?? '').startsWith('\\');
      const text = line.slice(1) + (noEol ? '' : '\n');
      const op = line[0];
      if (op === ' ' || op === '-') {
        if (source[pos] !== text)
          throw new Error(
            `hunk at line ${hunk.oldStart} does not match the original at line ${pos + 1}`,
          );
        pos += 1;
        if (op === ' ') out.push(text);
      } else if (op === '+') out.push(text);
      else throw new Error(`bad hunk line: ${line}`);
    }
  }
  out.push(...source.slice(pos));
  return out.join('');
}

/**
 * In-process stand-in for `git apply --check` (the pipeline never spawns processes): parses the
 * diff we produced, applies its hunks strictly to the original texts, and checks that the result
 * is exactly the intended content of every file. Returns a problem description, or undefined.
 */
export function verifyDiff(diff: string, changes: readonly FileChange[]): string | undefined {
  try {
    const parsed = parseDiff(diff);
    if (parsed.length !== changes.length)
      return `diff has ${parsed.length} file sections, expected ${changes.length}`;
    for (const change of changes) {
      const patch = parsed.find((p) => p.path === change.path);
      if (patch === undefined) return `diff has no section for ${change.path}`;
      if (patch.created !== (change.before === undefined))
        return `diff marks ${change.path} as created incorrectly`;
      if (applyHunks(change.before ?? '', patch) !== change.after)
        return `diff for ${change.path} does not reproduce the edit`;
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
