/**
 * Fallback ranking when the relevance model found nothing: score every scanned file by how many
 * distinct terms of the issue (identifiers and words of 3+ characters, split on camelCase and
 * snake_case, common English words dropped) occur in its path (x3) and content (x1). Files
 * scoring 0 are left out; ties are broken by path. Cheap, deterministic, no model call.
 */
const STOP = new Set(
  'the and for with that this from have has are was were not but you your can when what which into then than there their they them its also use using used should would could does did been being will just like some any all one two get set new out how why who'.split(
    ' ',
  ),
);

export function getIssueTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const word of text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    const parts = [word, ...word.split(/_+|(?<=[a-z0-9])(?=[A-Z])/)];
    for (const part of parts) {
      const t = part.toLowerCase();
      if (t.length >= 3 && !STOP.has(t)) terms.add(t);
    }
  }
  return terms;
}

export function scoreLexically(terms: ReadonlySet<string>, path: string, content: string): number {
  const p = path.toLowerCase();
  const c = content.toLowerCase();
  let score = 0;
  for (const term of terms) {
    if (p.includes(term)) score += 3;
    if (c.includes(term)) score += 1;
  }
  return score;
}

export function rankLexically(scored: ReadonlyArray<{ path: string; score: number }>): string[] {
  return scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((s) => s.path);
}
