/**
 * Packs whole files in rank order into the context budget: walk the ranking, add each file while
 * the running total stays within `budgetTokens`, and stop at the first file that would exceed it
 * (the paper's rule: files are never truncated and later, smaller files are not squeezed in, so
 * the packed set is always a prefix of the ranking).
 */
export function packFiles<T extends { path: string; tokens: number }>(
  ranked: readonly T[],
  budgetTokens: number,
): { packed: T[]; tokens: number } {
  const packed: T[] = [];
  let tokens = 0;
  for (const file of ranked) {
    if (tokens + file.tokens > budgetTokens) break;
    packed.push(file);
    tokens += file.tokens;
  }
  return { packed, tokens };
}
