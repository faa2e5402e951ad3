import { createHash } from 'node:crypto';
import { CodemonkeysError, throwIfAborted } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RunStore } from '../store/run-store.js';
import { estimateTokens } from '../pipeline/context/tokens.js';
import type { LlmClient, LlmRequest, LlmResponse, Stage } from './client.js';
import { getCostUsd, getPrice, getPriceTable, type PriceTable, type UsageLedger } from './usage.js';

export interface RunLlmOptions {
  /** The raw adapter (Anthropic, scripted). */
  client: LlmClient;
  store: RunStore;
  runId: string;
  /** Price overrides from repo config (merged over DEFAULT_PRICES). */
  prices?: PriceTable;
  /** Dollar cap for this run; checked before every billed call. */
  maxUsd: number;
  ledger: UsageLedger;
  logger?: Logger;
}

/** What is checkpointed per call under `llm/<request.key>`. Contains no secrets. */
export interface LlmCheckpoint {
  version: 1;
  /** sha256 of what determines the answer (model, system, messages, maxTokens, temperature). */
  hash: string;
  stage: Stage;
  request: {
    model: string;
    maxTokens: number;
    temperature: number;
    messages: number;
    systemChars: number;
    inputChars: number;
    estimatedInputTokens: number;
  };
  response: LlmResponse;
  usd: number;
  at: string;
}

export const CHECKPOINT_PREFIX = 'llm/';

/** Content hash of a request. Cache markers, signal and timeout do not change the answer. */
export function getRequestHash(request: LlmRequest): string {
  const canonical = JSON.stringify({
    model: request.model,
    system: request.system,
    messages: request.messages.map((m) => [m.role, m.content]),
    maxTokens: request.maxTokens,
    temperature: request.temperature,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

function inputChars(request: LlmRequest): number {
  return request.system.length + request.messages.reduce((n, m) => n + m.content.length, 0);
}

/**
 * Worst-case dollars of one call before it is made: every input token billed at the dearer of
 * the input and cache-write rates, and the full `maxTokens` of output.
 */
export function estimateWorstCaseUsd(request: LlmRequest, prices: PriceTable): number {
  const price = getPrice(request.model, prices);
  const inTokens = Math.ceil(inputChars(request) / 3.5);
  return (inTokens * Math.max(price.input, price.cacheWrite) + request.maxTokens * price.output) / 1_000_000;
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
 */
export function createRunLlm(options: RunLlmOptions): LlmClient {
  const { client, store, runId, ledger, maxUsd } = options;
  const prices = getPriceTable(options.prices);
  let reservedUsd = 0;

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
    if (saved !== undefined) log?.warn('checkpoint exists for this key with different content; calling the model');

    const worstCase = estimateWorstCaseUsd(request, prices);
    if (ledger.usd + reservedUsd + worstCase > maxUsd) {
      throw new CodemonkeysError(
        'BUDGET_EXCEEDED',
        `the run's budget of $${maxUsd.toFixed(2)} would be exceeded by the next ${request.stage} call`,
        {
          retryable: false,
          details: { stage: request.stage, key: request.key, spentUsd: ledger.usd, inFlightUsd: reservedUsd, nextCallUsd: worstCase, limitUsd: maxUsd },
        },
      );
    }
    reservedUsd += worstCase;
    let response: LlmResponse;
    try {
      response = await client.complete(request);
    } finally {
      reservedUsd -= worstCase;
    }
    const usd = getCostUsd(response.usage, getPrice(request.model, prices));
    ledger.record(request.stage, response.usage, usd);
    log?.debug({ usage: response.usage, usd, requestId: response.requestId }, 'model call billed');
    const checkpoint: LlmCheckpoint = {
      version: 1,
      hash,
      stage: request.stage,
      request: {
        model: request.model,
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        messages: request.messages.length,
        systemChars: request.system.length,
        inputChars: inputChars(request),
        estimatedInputTokens: estimateTokens(request.system) + request.messages.reduce((n, m) => n + estimateTokens(m.content), 0),
      },
      response,
      usd,
      at: new Date().toISOString(),
    };
    try {
      await store.set(runId, key, checkpoint);
    } catch (error) {
      // The answer is paid for and valid: losing its checkpoint only costs a re-call on retry.
      log?.warn({ err: error }, 'could not checkpoint a model response');
    }
    return response;
  }

  return { complete };
}

async function readCheckpoint(
  store: RunStore,
  runId: string,
  key: string,
  log: Logger | undefined,
): Promise<LlmCheckpoint | undefined> {
  try {
    const value = await store.get<LlmCheckpoint>(runId, key);
    return value?.version === 1 ? value : undefined;
  } catch (error) {
    log?.warn({ err: error }, 'could not read a model checkpoint; calling the model');
    return undefined;
  }
}
