/**
 * Per-file line counts of a unified diff (as produced by `git diff`). Pure; tolerant of diffs
 * without `diff --git` headers. Used for reports and for the "single line" drop rule.
 */
export interface DiffFileStat {
  path: string;
  added: number;
  removed: number;
}

function stripPrefix(raw: string): string {
  const path = raw.split('\t')[0]?.trim() ?? '';
  return /^[ab]\//.test(path) ? path.slice(2) : path;
}

export function getDiffFileStats(diff: string): DiffFileStat[] {
  const stats: DiffFileStat[] = [];
  let current: DiffFileStat | undefined;
  let oldPath = '';
  let inHunk = false;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      inHunk = false;
      current = undefined;
      continue;
    }
    if (!inHunk && line.startsWith('--- ')) {
      oldPath = stripPrefix(line.slice(4));
      continue;
    }
    if (!inHunk && line.startsWith('+++ ')) {
      const newPath = stripPrefix(line.slice(4));
      current = { path: newPath === '/dev/null' ? oldPath : newPath, added: 0, removed: 0 };
      stats.push(current);
      continue;
    }
    if (line.startsWith('@@')) {
      inHunk = true;
      continue;
    }
    if (!inHunk || current === undefined) continue;
    if (line.startsWith('+')) current.added += 1;
    else if (line.startsWith('-')) current.removed += 1;
  }
  return stats;
}

/** Number of non-empty lines of a diff text. */
export function countDiffLines(diff: string): number {
  return diff.split('\n').filter((line) => line.trim() !== '').length;
}
