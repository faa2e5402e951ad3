import type { CandidateRecord } from '../types.js';

/**
 * Orders candidates for selection: votes descending, then diff length (characters) ascending, then
 * id for determinism; exact duplicate diffs removed; the first k kept. Pure.
 */
export function getShortlist(candidates: readonly CandidateRecord[], k: number): number[] {
  const seen = new Set<string>();
  const ordered = [...candidates].sort(
    (a, b) => b.votes - a.votes || a.diff.length - b.diff.length || a.id - b.id,
  );
  const ids: number[] = [];
  for (const candidate of ordered) {
    if (seen.has(candidate.diff)) continue;
    seen.add(candidate.diff);
    ids.push(candidate.id);
    if (ids.length >= k) break;
  }
  return ids;
}

/** True when the first candidate has strictly more votes than every other one. */
export function hasClearWinner(
  candidates: readonly CandidateRecord[],
  shortlist: readonly number[],
): boolean {
  const [first, second] = shortlist.map((id) => candidates.find((c) => c.id === id));
  if (first === undefined) return false;
  return second === undefined || first.votes > second.votes;
}
