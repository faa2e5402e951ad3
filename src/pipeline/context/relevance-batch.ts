import { isCodemonkeysError, throwIfAborted } from '../../errors.js';
import {
  MAX_BATCH_CHARS,
  MAX_BATCH_REQUESTS,
  type BatchOptions,
  type LlmBatchClient,
} from '../../llm/batch.js';
import type { LlmRequest } from '../../llm/client.js';
import type { RepoFile } from './files.js';
import {
  relevanceKey,
  relevanceRequest,
  renderRelevanceUser,
  type RelevanceRequestOptions,
} from './relevance-request.js';

export interface BatchFirstPassStats {
  /** Batches submitted (chunks of at most 10,000 requests / 64 M prompt characters). */
  batches: number;
  /** First-pass requests handed to the batch client (checkpointed ones are replayed, not sent). */
  requests: number;
  /** Items that errored, expired or were canceled: judged again with direct calls. */
  itemFailures: number;
  /** Whole batches that failed (timeout, submission error): their files got direct calls. */
  failedBatches: number;
}

export interface BatchFirstPass {
  /** First-pass reply text per blob sha (succeeded items and checkpoint replays). */
  replies: Map<string, string>;
  /** The run's budget refused some requests; they were not submitted. */
  budgetHit: boolean;
  stats: BatchFirstPassStats;
}

/**
 * The first relevance pass through the Message Batches API: one request per distinct blob (the
 * first path with that content), submitted in chunks, each chunk awaited before the next is
 * built (prompts of at most one chunk are held in memory). `batch` is the run's metered batch
 * client, so checkpointed verdicts are replayed and never re-submitted. Item failures and failed
 * batches are left out of `replies` (the caller judges those files with direct calls);
 * cancellation is thrown.
 */
export async function runBatchFirstPass(
  files: readonly RepoFile[],
  options: RelevanceRequestOptions,
  batch: LlmBatchClient,
  batchOptions: BatchOptions = {},
  limits: { maxRequests: number; maxChars: number } = {
    maxRequests: MAX_BATCH_REQUESTS,
    maxChars: MAX_BATCH_CHARS,
  },
): Promise<BatchFirstPass> {
  const replies = new Map<string, string>();
  const stats: BatchFirstPassStats = { batches: 0, requests: 0, itemFailures: 0, failedBatches: 0 };
  let budgetHit = false;
  let chunk: Array<{ sha: string; request: LlmRequest }> = [];
  let chars = 0;
  const signal = options.signal;

  const flush = async (): Promise<void> => {
    const current = chunk;
    chunk = [];
    chars = 0;
    if (current.length === 0) return;
    stats.batches += 1;
    stats.requests += current.length;
    let outcomes;
    try {
      outcomes = await batch.completeBatch(
        current.map((c) => c.request),
        { ...batchOptions, ...(signal ? { signal } : {}) },
      );
    } catch (error) {
      if (signal?.aborted === true || isCodemonkeysError(error, 'CANCELLED')) throw error;
      stats.failedBatches += 1;
      return;
    }
    for (const { sha, request } of current) {
      const outcome = outcomes.get(request.key);
      if (outcome?.ok === true) replies.set(sha, outcome.response.text);
      else if (outcome !== undefined && outcome.error.code === 'BUDGET_EXCEEDED') budgetHit = true;
      else stats.itemFailures += 1;
    }
  };

  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.sha)) continue;
    seen.add(file.sha);
    throwIfAborted(signal);
    if (budgetHit) break;
    const user = await renderRelevanceUser(file, options);
    const request = relevanceRequest(
      options,
      [{ role: 'user', content: user }],
      relevanceKey(file),
    );
    const size = request.system.length + user.length;
    if (chunk.length >= limits.maxRequests || (chunk.length > 0 && chars + size > limits.maxChars))
      await flush();
    chunk.push({ sha: file.sha, request });
    chars += size;
  }
  if (!budgetHit) await flush();
  return { replies, budgetHit, stats };
}
