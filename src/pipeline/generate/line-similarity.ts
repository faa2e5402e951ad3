/**
 * Line similarity for "did you mean" suggestions: 1 - editDistance / longerLength on trimmed lines.
 * `isSimilar` answers "similarity >= threshold" with a banded edit distance, so comparing every
 * line of a large file stays cheap; `createLineMatcher` adds a character-histogram prefilter (an
 * edit changes the histogram by at most 2) and a work budget so a pathological file (thousands of
 * near-identical long lines) cannot stall a sample: past the budget, pairs count as dissimilar.
 */
export const FUZZY_LINE_THRESHOLD = 0.8;
/** Dynamic-programme cells one fuzzy search may spend (~0.3 s). */
export const FUZZY_WORK_BUDGET = 20_000_000;

export function isSimilar(a: string, b: string, threshold: number = FUZZY_LINE_THRESHOLD): boolean {
  const x = a.trim();
  const y = b.trim();
  if (x === y) return true;
  const maxDistance = allowedDistance(x, y, threshold);
  if (Math.abs(x.length - y.length) > maxDistance) return false;
  return boundedDistance(x, y, maxDistance) <= maxDistance;
}

function allowedDistance(x: string, y: string, threshold: number): number {
  return Math.floor((1 - threshold) * Math.max(x.length, y.length) + 1e-9);
}

export interface LineMatcher {
  /** Edit distance of the trimmed lines when similar (>= threshold), else undefined. */
  distance(a: string, b: string): number | undefined;
  /** The work budget ran out; later answers were "not similar". */
  readonly exhausted: boolean;
}

export function createLineMatcher(
  budget: number = FUZZY_WORK_BUDGET,
  threshold: number = FUZZY_LINE_THRESHOLD,
): LineMatcher {
  const histograms = new Map<string, Int16Array>();
  const histogram = (text: string): Int16Array => {
    let h = histograms.get(text);
    if (h === undefined) {
      h = new Int16Array(64);
      for (let i = 0; i < text.length; i += 1) {
        const bucket = text.charCodeAt(i) & 63;
        h[bucket] = (h[bucket] as number) + 1;
      }
      histograms.set(text, h);
    }
    return h;
  };
  let spent = 0;
  const matcher = {
    exhausted: false,
    distance(a: string, b: string): number | undefined {
      const x = a.trim();
      const y = b.trim();
      if (x === y) return 0;
      const k = allowedDistance(x, y, threshold);
      if (Math.abs(x.length - y.length) > k) return undefined;
      const hx = histogram(x);
      const hy = histogram(y);
      let diff = 0;
      for (let i = 0; i < 64; i += 1) diff += Math.abs((hx[i] as number) - (hy[i] as number));
      if (diff > 2 * k) return undefined;
      if (spent >= budget) {
        matcher.exhausted = true;
        return undefined;
      }
      spent += x.length * (2 * k + 1);
      const d = boundedDistance(x, y, k);
      return d <= k ? d : undefined;
    },
  };
  return matcher;
}

/** Levenshtein distance if it is <= bound, otherwise some value > bound (banded dynamic programme). */
export function boundedDistance(a: string, b: string, bound: number): number {
  if (a === b) return 0;
  if (bound <= 0) return 1;
  const n = a.length;
  const m = b.length;
  const big = bound + 1;
  let prev = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  for (let j = 0; j <= m; j += 1) prev[j] = j <= bound ? j : big;
  for (let i = 1; i <= n; i += 1) {
    const lo = Math.max(1, i - bound);
    const hi = Math.min(m, i + bound);
    // Only the band and its two neighbours are read in the next row.
    if (lo > 1) cur[lo - 1] = big;
    cur[0] = i <= bound ? i : big;
    if (hi < m) cur[hi + 1] = big;
    let rowMin = cur[0] as number;
    const ca = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j += 1) {
      const sub = (prev[j - 1] as number) + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      const del = (prev[j] as number) + 1;
      const ins = (cur[j - 1] as number) + 1;
      let v = sub < del ? sub : del;
      if (ins < v) v = ins;
      if (v > big) v = big;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > bound) return big;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[m] as number;
}

/** Whitespace-insensitive comparison key of a line. */
export function squash(line: string): string {
  return line.replace(/\s+/g, '');
}
