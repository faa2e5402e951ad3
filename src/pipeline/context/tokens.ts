/**
 * The one token estimate used everywhere in codemonkeys (packing, budgets, context guards).
 *
 * `ceil(length / 3.5)` over UTF-16 code units. Anthropic's tokenizers average roughly 3.5-4.5
 * characters per token on source code and English prose, so dividing by 3.5 over-counts a little:
 * a budget computed with it is not exceeded in practice. It is deliberately cheap (no tokenizer
 * download, no API call) and deterministic, so the same text always gets the same count in
 * every stage and every retry.
 */
export const CHARS_PER_TOKEN = 3.5;

export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
