/**
 * Merges several rankings of the same files (the paper's rule): in a ranking of length n, the
 * file at 0-based index i scores i/n; a file missing from a ranking scores 1.0 for it; scores are
 * averaged over rankings and sorted ascending, ties broken by path. Only files that appear in at
 * least one ranking are kept (the model was told only ranked files are shown).
 */
export function mergeRankings(rankings: ReadonlyArray<readonly string[]>): string[] {
  if (rankings.length === 0) return [];
  const totals = new Map<string, number>();
  for (const ranking of rankings) for (const path of ranking) totals.set(path, 0);
  for (const ranking of rankings) {
    const n = ranking.length;
    const position = new Map(ranking.map((p, i) => [p, i]));
    for (const path of totals.keys()) {
      const i = position.get(path);
      totals.set(path, (totals.get(path) ?? 0) + (i === undefined ? 1 : i / n));
    }
  }
  return [...totals.entries()]
    .map(([path, total]) => ({ path, score: total / rankings.length }))
    .sort((a, b) => a.score - b.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((e) => e.path);
}
