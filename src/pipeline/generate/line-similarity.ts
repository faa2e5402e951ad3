/**
 * Line similarity for "did you mean" suggestions: 1 - editDistance / longerLength on trimmed lines.
 * `isSimilar` answers "similarity >= threshold" with a banded edit distance, so comparing every
 * line of a large file stays cheap.
 */
export const FUZZY_LINE_THRESHOLD = 0.8;

export function isSimilar(a: string, b: string, threshold: number = FUZZY_LINE_THRESHOLD): boolean {
  const x = a.trim();
  const y = b.trim();
  if (x === y) return true;
  const longer = Math.max(x.length, y.length);
  const maxDistance = Math.floor((1 - threshold) * longer + 1e-9);
  if (Math.abs(x.length - y.length) > maxDistance) return false;
  return boundedDistance(x, y, maxDistance) <= maxDistance;
}

/** Levenshtein distance if it is <= bound, otherwise some value > bound (banded dynamic programme). */
export function boundedDistance(a: string, b: string, bound: number): number {
  if (a === b) return 0;
  if (bound <= 0) return 1;
  const n = a.length;
  const m = b.length;
  const big = bound + 1;
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let j = 0; j <= m; j += 1) prev[j] = j <= bound ? j : big;
  for (let i = 1; i <= n; i += 1) {
    const lo = Math.max(1, i - bound);
    const hi = Math.min(m, i + bound);
    cur.fill(big);
    cur[0] = i <= bound ? i : big;
    let rowMin = cur[0] as number;
    for (let j = lo; j <= hi; j += 1) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(
        (prev[j - 1] as number) + cost,
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
      );
      cur[j] = v > big ? big : v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > bound) return big;
    [prev, cur] = [cur, prev];
  }
  return prev[m] as number;
}

/** Whitespace-insensitive comparison key of a line. */
export function squash(line: string): string {
  return line.replace(/\s+/g, '');
}
