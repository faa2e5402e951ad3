import { isCodemonkeysError } from '../../errors.js';
import type { LlmClient, LlmRequest } from '../../llm/client.js';
import type { PromptSet } from '../../llm/prompts.js';
import { parseRanking } from '../../llm/parse-ranking.js';
import { runFirstThenRest } from '../../llm/siblings.js';
import { neutraliseClosingTags, quoteAttribute } from '../../llm/untrusted.js';
import { mergeRankings } from './merge-rankings.js';

export interface RankingOptions {
  relevant: ReadonlyArray<{ path: string; summary: string; tokens: number }>;
  issueVars: { issue_title: string; issue_body: string };
  repo: string;
  model: string;
  rankings: number;
  budgetTokens: number;
  llm: LlmClient;
  prompts: PromptSet;
  signal?: AbortSignal;
}

export interface RankingResult {
  /** Merged ranking, or relevance order when every ranking failed. */
  ranking: string[];
  /** Rankings that stayed unusable after their re-ask. */
  failures: number;
  /** Paths the model invented (not among the relevant files), dropped. */
  invented: string[];
  usedRelevanceOrder: boolean;
  budgetHit: boolean;
}

export const RANKING_MAX_TOKENS = 4096;

/** The "typical" context size the prompt mentions, as in the paper (~60k of a ~120k budget). */
function typicalTokens(budget: number): number {
  return Math.round(budget / 2 / 1000) * 1000;
}

/**
 * `rankings` identical calls to the primary model (temperature 0) over the relevant files and
 * their summaries. The prompt (system + user) is identical for every call and both are cache
 * breakpoints, so the first call (run alone) writes the cache and the others read it. A ranking
 * that cannot be parsed is re-asked once; unusable rankings are left out of the merge; if all
 * fail, the relevance order is used.
 */
export async function rankFiles(options: RankingOptions): Promise<RankingResult> {
  const known = new Set(options.relevant.map((f) => f.path));
  const system = options.prompts.render('ranking.system', {
    repo: options.repo,
    budget_tokens: options.budgetTokens,
    typical_tokens: typicalTokens(options.budgetTokens),
  });
  const files = options.relevant
    .map(
      (f) =>
        `<file path="${quoteAttribute(f.path)}" tokens="${f.tokens}">\n${neutraliseClosingTags(f.summary, ['file', 'relevant_files'])}\n</file>`,
    )
    .join('\n');
  const user = options.prompts.render('ranking.user', {
    ...options.issueVars,
    file_count: options.relevant.length,
    files,
  });
  const base = (key: string, messages: LlmRequest['messages']): LlmRequest => ({
    model: options.model,
    system,
    cacheSystem: true,
    messages,
    maxTokens: RANKING_MAX_TOKENS,
    temperature: 0,
    stage: 'ranking',
    key,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const invented: string[] = [];
  let budgetHit = false;

  const rankOnce = async (i: number): Promise<string[] | undefined> => {
    if (budgetHit) return undefined;
    try {
      const first = await options.llm.complete(
        base(`ranking/${i}`, [{ role: 'user', content: user, cache: true }]),
      );
      const parsed = parseRanking(first.text, known);
      if (parsed.ok) return (invented.push(...parsed.invented), parsed.paths);
      const retry = await options.llm.complete(
        base(`ranking/${i}/retry`, [
          { role: 'user', content: user, cache: true },
          { role: 'assistant', content: first.text.trim() === '' ? '(empty reply)' : first.text },
          {
            role: 'user',
            content: options.prompts.render('ranking.fix', { problem: parsed.problem }),
          },
        ]),
      );
      const reparsed = parseRanking(retry.text, known);
      if (!reparsed.ok) return undefined;
      invented.push(...reparsed.invented);
      return reparsed.paths;
    } catch (error) {
      if (!isCodemonkeysError(error, 'BUDGET_EXCEEDED')) throw error;
      budgetHit = true;
      return undefined;
    }
  };

  const indices = Array.from({ length: options.rankings }, (_, i) => i);
  const results = await runFirstThenRest(indices, rankOnce, options.rankings);
  const usable = results.filter((r): r is string[] => r !== undefined);
  const failures = results.length - usable.length;
  if (usable.length === 0) {
    return {
      ranking: options.relevant.map((f) => f.path),
      failures,
      invented: [...new Set(invented)],
      usedRelevanceOrder: true,
      budgetHit,
    };
  }
  return {
    ranking: mergeRankings(usable),
    failures,
    invented: [...new Set(invented)],
    usedRelevanceOrder: false,
    budgetHit,
  };
}
