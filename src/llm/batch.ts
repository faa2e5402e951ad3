import type { CodemonkeysError } from '../errors.js';
import type { LlmRequest, LlmResponse } from './client.js';

/**
 * The batch port: many independent requests submitted at once (the Message Batches API: half
 * price, results within minutes to hours). Each request's outcome is reported separately, keyed
 * by `request.key`; one item failing does not fail the others.
 */
export type BatchOutcome =
  { ok: true; response: LlmResponse } | { ok: false; error: CodemonkeysError };

export interface BatchOptions {
  /** Aborting cancels the submitted batch (best effort) and rejects with CANCELLED. */
  signal?: AbortSignal;
  /** Delay between status polls. Default 30 s. */
  pollIntervalMs?: number;
  /** Give up (cancel the batch, reject with LLM_TIMEOUT) after this long. Default 2 h. */
  maxWaitMs?: number;
}

export interface LlmBatchClient {
  /**
   * Resolves with one outcome per request key once every request has ended. Rejects (the batch
   * as a whole) with CANCELLED on abort, LLM_TIMEOUT past `maxWaitMs`, or the LLM_* code of a
   * failed submission/poll; per-item failures are `{ ok: false }` outcomes (`LLM_*` code of the
   * item's error; `CANCELLED` for a canceled item; `LLM_TIMEOUT` for an expired one). Keys must
   * be unique; at most MAX_BATCH_REQUESTS requests.
   */
  completeBatch(
    requests: readonly LlmRequest[],
    options?: BatchOptions,
  ): Promise<Map<string, BatchOutcome>>;
}

/** Requests per submitted batch (the API allows more; we keep batches small enough to poll and retry). */
export const MAX_BATCH_REQUESTS = 10_000;
/** Prompt characters per submitted batch (the API caps a batch at 256 MB of JSON). */
export const MAX_BATCH_CHARS = 64_000_000;
/** Batch usage is billed at half the standard price (cache reads and writes included). */
export const BATCH_PRICE_FACTOR = 0.5;

export const DEFAULT_POLL_INTERVAL_MS = 30_000;
export const DEFAULT_MAX_WAIT_MS = 2 * 60 * 60 * 1000;
