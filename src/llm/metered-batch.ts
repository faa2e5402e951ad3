import { CodemonkeysError, throwIfAborted } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RunStore } from '../store/run-store.js';
import {
  BATCH_PRICE_FACTOR,
  type BatchOptions,
  type BatchOutcome,
  type LlmBatchClient,
} from './batch.js';
import {
  buildCheckpoint,
  CHECKPOINT_PREFIX,
  getRequestHash,
  readCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
import type { LlmRequest } from './client.js';
import { budgetExceeded, estimateWorstCaseUsd, type BudgetState } from './budget.js';
import { getCostUsd, getPrice, type PriceTable, type UsageLedger } from './usage.js';

export interface MeteredBatchOptions {
  batchClient: LlmBatchClient;
  store: RunStore;
  runId: string;
  prices: PriceTable;
  maxUsd: number;
  ledger: UsageLedger;
  logger?: Logger;
  budget: BudgetState;
}

/**
 * The metered batch client of one run, with the guarantees of the direct one, per request key:
 * (a) requests whose checkpoint matches are answered from it ($0, a replay) and are NOT
 *     submitted: a retried run only sends what is missing;
 * (b) the rest are admitted in order while spent + in flight + their worst cases at batch price
 *     (half the direct worst case) fit in `maxUsd`; from the first that does not fit on, each
 *     gets a BUDGET_EXCEEDED outcome and nothing is submitted for it;
 * (c) each succeeded item is recorded in the ledger at batch price (`batchCalls`) and
 *     checkpointed with `batch: true`. Item failures are returned as outcomes, unrecorded.
 * A failure of the batch as a whole (CANCELLED, LLM_TIMEOUT, submission errors) is thrown.
 */
export function createMeteredBatch(options: MeteredBatchOptions): LlmBatchClient {
  const { batchClient, store, runId, prices, maxUsd, ledger, budget } = options;

  async function completeBatch(
    requests: readonly LlmRequest[],
    batchOptions: BatchOptions = {},
  ): Promise<Map<string, BatchOutcome>> {
    throwIfAborted(batchOptions.signal);
    const outcomes = new Map<string, BatchOutcome>();
    const submit: Array<{ request: LlmRequest; hash: string }> = [];
    let reserve = 0;
    let refused = false;
    for (const request of requests) {
      const hash = getRequestHash(request);
      const log = options.logger?.child({ stage: request.stage, key: request.key });
      const saved = await readCheckpoint(store, runId, `${CHECKPOINT_PREFIX}${request.key}`, log);
      if (saved !== undefined && saved.hash === hash) {
        ledger.recordReplay(request.stage);
        outcomes.set(request.key, { ok: true, response: saved.response });
        continue;
      }
      const worstCase = estimateWorstCaseUsd(request, prices) * BATCH_PRICE_FACTOR;
      refused ||= ledger.usd + budget.reservedUsd + reserve + worstCase > maxUsd;
      if (refused) {
        outcomes.set(request.key, {
          ok: false,
          error: budgetExceeded(
            request,
            ledger.usd,
            { reservedUsd: budget.reservedUsd + reserve },
            worstCase,
            maxUsd,
          ),
        });
        continue;
      }
      reserve += worstCase;
      submit.push({ request, hash });
    }
    if (submit.length === 0) return outcomes;

    options.logger?.info(
      {
        submitted: submit.length,
        replayed: requests.length - submit.length,
        worstCaseUsd: reserve,
      },
      'submitting a message batch',
    );
    budget.reservedUsd += reserve;
    let results: Map<string, BatchOutcome>;
    try {
      results = await batchClient.completeBatch(
        submit.map((s) => s.request),
        batchOptions,
      );
    } finally {
      budget.reservedUsd -= reserve;
    }
    for (const { request, hash } of submit) {
      const outcome = results.get(request.key) ?? {
        ok: false,
        error: new CodemonkeysError(
          'LLM_PROTOCOL',
          'the batch client returned no outcome for this request',
        ),
      };
      outcomes.set(request.key, outcome);
      if (!outcome.ok) continue;
      const usd = getCostUsd(outcome.response.usage, getPrice(request.model, prices), {
        batch: true,
      });
      ledger.record(request.stage, outcome.response.usage, usd, { batch: true });
      const log = options.logger?.child({ stage: request.stage, key: request.key });
      await saveCheckpoint(
        store,
        runId,
        `${CHECKPOINT_PREFIX}${request.key}`,
        buildCheckpoint(request, hash, outcome.response, usd, true),
        log,
      );
    }
    return outcomes;
  }

  return { completeBatch };
}
