import { CodemonkeysError } from '../errors.js';
import { getInputChars } from './checkpoint.js';
import type { LlmRequest } from './client.js';
import { getPrice, type PriceTable } from './usage.js';

/** Dollars reserved by calls in flight (shared by direct and batch calls of one run). */
export interface BudgetState {
  reservedUsd: number;
}

/**
 * Worst-case dollars of one call before it is made: every input token billed at the dearer of
 * the input and cache-write rates, and the full `maxTokens` of output.
 */
export function estimateWorstCaseUsd(request: LlmRequest, prices: PriceTable): number {
  const price = getPrice(request.model, prices);
  const inTokens = Math.ceil(getInputChars(request) / 3.5);
  return (
    (inTokens * Math.max(price.input, price.cacheWrite) + request.maxTokens * price.output) /
    1_000_000
  );
}

export function budgetExceeded(
  request: LlmRequest,
  spentUsd: number,
  state: BudgetState,
  nextCallUsd: number,
  maxUsd: number,
): CodemonkeysError {
  return new CodemonkeysError(
    'BUDGET_EXCEEDED',
    `the run's budget of $${maxUsd.toFixed(2)} would be exceeded by the next ${request.stage} call`,
    {
      retryable: false,
      details: {
        stage: request.stage,
        key: request.key,
        spentUsd,
        inFlightUsd: state.reservedUsd,
        nextCallUsd,
        limitUsd: maxUsd,
      },
    },
  );
}
