import pLimit from 'p-limit';
import { isCodemonkeysError, throwIfAborted } from '../../errors.js';
import type { BatchOptions, LlmBatchClient } from '../../llm/batch.js';
import type { LlmClient } from '../../llm/client.js';
import type { PromptSet } from '../../llm/prompts.js';
import { parseVerdict } from '../../llm/parse-verdict.js';
import type { RepoFile } from './files.js';
import { runBatchFirstPass, type BatchFirstPassStats } from './relevance-batch.js';
import { relevanceKey, relevanceRequest, renderRelevanceUser } from './relevance-request.js';

export { RELEVANCE_MAX_TOKENS } from './relevance-request.js';

export interface RelevanceOptions {
  root: string;
  files: readonly RepoFile[];
  /** Rendered `relevance.system` (instructions + issue): the cached prefix of every call. */
  system: string;
  model: string;
  concurrency: number;
  llm: LlmClient;
  /** The run's metered batch client: when set, the first pass goes through Message Batches. */
  batch?: LlmBatchClient;
  batchOptions?: BatchOptions;
  prompts: PromptSet;
  signal?: AbortSignal;
  onFile?: (done: number, total: number) => void;
}

export interface RelevanceResult {
  relevant: Array<{ path: string; summary: string; tokens: number }>;
  /** Files whose verdict could not be read even after the re-ask (treated as not relevant). */
  parseFailures: string[];
  /** Files scanned (a model call, a replay or a shared verdict). */
  scanned: number;
  /** Set when the run's budget stopped the scan: files not scanned. */
  budgetStoppedAt?: number;
  /** Set when the first pass went through the batch client. */
  batch?: BatchFirstPassStats;
}

type Verdict = { relevant: true; summary: string } | { relevant: false } | { failed: true };

/**
 * One relevance call per file (instructions and issue in the cached system prompt, the file in
 * the user turn), temperature 0, bounded concurrency, one re-ask on an unreadable verdict.
 * Identical blobs (same content sha) are judged once per run and the verdict shared; a retried
 * run gets each verdict back from its checkpoint (key `relevance/<path>`). A BUDGET_EXCEEDED
 * stops starting new files and returns what was judged; any other error stops and is thrown.
 * With `batch`, first replies come from Message Batches (relevance-batch.ts); re-asks, and
 * files whose batch item failed, are direct calls (few, and a second batch would add hours).
 */
export async function scanRelevance(options: RelevanceOptions): Promise<RelevanceResult> {
  const { files } = options;
  const limit = pLimit(Math.max(1, options.concurrency));
  const byBlob = new Map<string, Promise<Verdict>>();
  const verdicts = new Map<string, Verdict>();
  let stopped: unknown;
  let budgetHit = false;
  let done = 0;

  if (options.batch) options.onFile?.(0, files.length); // the batch may take a while: say so
  const first = options.batch
    ? await runBatchFirstPass(files, options, options.batch, options.batchOptions)
    : undefined;
  const replies = first?.replies ?? new Map<string, string>();
  if (first?.budgetHit === true) budgetHit = true;

  const judgeOnce = (file: RepoFile): Promise<Verdict> => {
    let pending = byBlob.get(file.sha);
    if (pending === undefined) {
      pending = judge(file, options, replies.get(file.sha));
      byBlob.set(file.sha, pending);
    }
    return pending;
  };

  await Promise.all(
    files.map((file) =>
      limit(async () => {
        // Answers already paid for (batch replies) are still read once the budget is hit.
        if (stopped !== undefined || (budgetHit && !replies.has(file.sha))) return;
        try {
          verdicts.set(file.path, await judgeOnce(file));
          options.onFile?.(++done, files.length);
        } catch (error) {
          if (isCodemonkeysError(error, 'BUDGET_EXCEEDED')) budgetHit = true;
          else stopped ??= error;
        }
      }),
    ),
  );
  if (stopped !== undefined) throw stopped;

  const result: RelevanceResult = { relevant: [], parseFailures: [], scanned: verdicts.size };
  for (const file of files) {
    const verdict = verdicts.get(file.path);
    if (verdict === undefined) continue;
    if ('failed' in verdict) result.parseFailures.push(file.path);
    else if (verdict.relevant)
      result.relevant.push({ path: file.path, summary: verdict.summary, tokens: file.tokens });
  }
  if (budgetHit) result.budgetStoppedAt = verdicts.size;
  if (first !== undefined) result.batch = first.stats;
  return result;
}

/** Judges one file; `firstReply` (from a batch) replaces the first call when given. */
async function judge(
  file: RepoFile,
  options: RelevanceOptions,
  firstReply?: string,
): Promise<Verdict> {
  throwIfAborted(options.signal);
  const user = await renderRelevanceUser(file, options);
  const firstText =
    firstReply ??
    (
      await options.llm.complete(
        relevanceRequest(options, [{ role: 'user', content: user }], relevanceKey(file)),
      )
    ).text;
  const parsed = parseVerdict(firstText);
  if (parsed.ok)
    return parsed.relevant ? { relevant: true, summary: parsed.summary } : { relevant: false };
  const fix = options.prompts.render('relevance.fix', { problem: parsed.problem });
  const second = await options.llm.complete(
    relevanceRequest(
      options,
      [
        { role: 'user', content: user },
        { role: 'assistant', content: firstText.trim() === '' ? '(empty reply)' : firstText },
        { role: 'user', content: fix },
      ],
      `${relevanceKey(file)}/retry`,
    ),
  );
  const reparsed = parseVerdict(second.text);
  if (!reparsed.ok) return { failed: true };
  return reparsed.relevant ? { relevant: true, summary: reparsed.summary } : { relevant: false };
}
