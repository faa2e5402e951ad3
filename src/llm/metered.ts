import { throwIfAborted } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RunStore } from '../store/run-store.js';
import type { LlmBatchClient } from './batch.js';
import { budgetExceeded, estimateWorstCaseUsd, type BudgetState } from './budget.js';
import {
  buildCheckpoint,
  CHECKPOINT_PREFIX,
  getRequestHash,
  readCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
import type { LlmClient, LlmRequest, LlmResponse } from './client.js';
import { createMeteredBatch } from './metered-batch.js';
import { getCostUsd, getPrice, getPriceTable, type PriceTable, type UsageLedger } from './usage.js';

export { estimateWorstCaseUsd, type BudgetState } from './budget.js';
export { CHECKPOINT_PREFIX, getRequestHash, type LlmCheckpoint } from './checkpoint.js';

export interface RunLlmOptions {
  /** The raw adapter (Anthropic, scripted). */
  client: LlmClient;
  /** The raw batch adapter, when the Message Batches API is available. */
  batchClient?: LlmBatchClient;
  store: RunStore;
  runId: string;
  /** Price overrides from repo config (merged over DEFAULT_PRICES). */
  prices?: PriceTable;
  /** Dollar cap for this run; checked before every billed call. */
  maxUsd: number;
  ledger: UsageLedger;
  logger?: Logger;
}

/** The run's metered client; `batch` is set when a batch adapter was given. */
export interface RunLlm extends LlmClient {
  batch?: LlmBatchClient;
}

/**
 * Wraps the raw model client for one run. Every stage talks to the model through this:
 * (a) a call whose `key` already has a checkpoint with the same content hash is answered from
 *     the checkpoint without calling the model ($0, counted as a replay): a retried job re-uses
 *     what it already paid for;
 * (b) before a billed call, the worst-case cost of the call plus calls still in flight is
 *     checked against `maxUsd`; if it would exceed it, `BUDGET_EXCEEDED` (not retryable) is
 *     thrown so the caller stops starting new work;
 * (c) every billed call's usage and dollars are recorded in the ledger per stage, and the
 *     response is checkpointed with a request summary (never prompt text or credentials).
 * With a `batchClient`, `batch.completeBatch` does the same per request key at batch prices
 * (see metered-batch.ts), sharing the budget reservations with direct calls.
 */
export function createRunLlm(options: RunLlmOptions): RunLlm {
  const { client, store, runId, ledger, maxUsd } = options;
  const prices = getPriceTable(options.prices);
  const budget: BudgetState = { reservedUsd: 0 };

  async function complete(request: LlmRequest): Promise<LlmResponse> {
    throwIfAborted(request.signal);
    const key = `${CHECKPOINT_PREFIX}${request.key}`;
    const hash = getRequestHash(request);
    const log = options.logger?.child({ stage: request.stage, key: request.key });
    const saved = await readCheckpoint(store, runId, key, log);
    if (saved !== undefined && saved.hash === hash) {
      ledger.recordReplay(request.stage);
      log?.debug('model call replayed from checkpoint');
      return saved.response;
    }
    if (saved !== undefined)
      log?.warn('checkpoint exists for this key with different content; calling the model');

    const worstCase = estimateWorstCaseUsd(request, prices);
    if (ledger.usd + budget.reservedUsd + worstCase > maxUsd)
      throw budgetExceeded(request, ledger.usd, budget, worstCase, maxUsd);
    budget.reservedUsd += worstCase;
    let response: LlmResponse;
    try {
      response = await client.complete(request);
    } finally {
      budget.reservedUsd -= worstCase;
    }
    const usd = getCostUsd(response.usage, getPrice(request.model, prices));
    ledger.record(request.stage, response.usage, usd);
    log?.debug({ usage: response.usage, usd, requestId: response.requestId }, 'model call billed');
    await saveCheckpoint(store, runId, key, buildCheckpoint(request, hash, response, usd), log);
    return response;
  }

  const batch =
    options.batchClient === undefined
      ? undefined
      : createMeteredBatch({ ...options, batchClient: options.batchClient, prices, budget });
  return batch === undefined ? { complete } : { complete, batch };
}
