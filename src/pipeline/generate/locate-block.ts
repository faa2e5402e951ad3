import { createLineMatcher, squash } from './line-similarity.js';

/**
 * Locates a SEARCH block in the ORIGINAL lines of a file. Only an exact, unique, whole-line match
 * is usable; near misses are returned as suggestions ("did you mean"), never applied.
 */
export interface LineRange {
  /** 0-based first line. */
  start: number;
  /** 0-based exclusive end. */
  end: number;
}

export type Location =
  | { kind: 'exact'; range: LineRange }
  | { kind: 'ambiguous'; ranges: LineRange[] }
  | { kind: 'near'; ranges: LineRange[]; how: 'whitespace' | 'fuzzy' }
  | { kind: 'none' };

const MAX_SUGGESTIONS = 3;

export function findExact(keys: readonly string[], search: readonly string[]): LineRange[] {
  return findAll(keys, search, (a, b) => a === b);
}

export function findWhitespaceInsensitive(
  keys: readonly string[],
  search: readonly string[],
): LineRange[] {
  const sk = keys.map(squash);
  return findAll(sk, search.map(squash), (a, b) => a === b);
}

function findAll(
  keys: readonly string[],
  search: readonly string[],
  eq: (a: string, b: string) => boolean,
): LineRange[] {
  const out: LineRange[] = [];
  const n = search.length;
  if (n === 0) return out;
  for (let i = 0; i + n <= keys.length; i += 1) {
    let ok = true;
    for (let j = 0; j < n && ok; j += 1) ok = eq(keys[i + j] as string, search[j] as string);
    if (ok) out.push({ start: i, end: i + n });
  }
  return out;
}

/**
 * Windows of the search block's size where at least half of the non-blank search lines are
 * similar (>= 0.8) to the file line at the same offset; best first (most similar lines, then
 * smallest total edit distance), non-overlapping.
 */
export function findFuzzy(keys: readonly string[], search: readonly string[]): LineRange[] {
  const n = search.length;
  const checked = search.flatMap((line, j) => (line.trim() === '' ? [] : [j]));
  if (n === 0 || checked.length === 0 || n > keys.length) return [];
  const needed = Math.ceil(checked.length / 2);
  const matcher = createLineMatcher();
  const scored: Array<{ range: LineRange; score: number; distance: number }> = [];
  for (let i = 0; i + n <= keys.length; i += 1) {
    let score = 0;
    let distance = 0;
    for (let c = 0; c < checked.length; c += 1) {
      const j = checked[c] as number;
      const d = matcher.distance(keys[i + j] as string, search[j] as string);
      if (d !== undefined) {
        score += 1;
        distance += d;
      }
      if (score + (checked.length - c - 1) < needed) break;
    }
    if (score >= needed) scored.push({ range: { start: i, end: i + n }, score, distance });
  }
  scored.sort(
    (a, b) => b.score - a.score || a.distance - b.distance || a.range.start - b.range.start,
  );
  const picked: LineRange[] = [];
  for (const s of scored) {
    if (picked.some((p) => s.range.start < p.end && p.start < s.range.end)) continue;
    picked.push(s.range);
    if (picked.length === MAX_SUGGESTIONS) break;
  }
  return picked;
}

export function locateBlock(keys: readonly string[], search: readonly string[]): Location {
  const exact = findExact(keys, search);
  if (exact.length === 1) return { kind: 'exact', range: exact[0] as LineRange };
  if (exact.length > 1) return { kind: 'ambiguous', ranges: exact };
  const loose = findWhitespaceInsensitive(keys, search);
  if (loose.length > 0)
    return { kind: 'near', ranges: loose.slice(0, MAX_SUGGESTIONS), how: 'whitespace' };
  const fuzzy = findFuzzy(keys, search);
  if (fuzzy.length > 0) return { kind: 'near', ranges: fuzzy, how: 'fuzzy' };
  return { kind: 'none' };
}
