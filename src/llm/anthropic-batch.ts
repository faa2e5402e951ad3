import Anthropic from '@anthropic-ai/sdk';
import { CodemonkeysError, throwIfAborted } from '../errors.js';
import type { LlmRequest } from './client.js';
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, type AnthropicLlmOptions } from './anthropic.js';
import { buildMessagesBody, fromMessage } from './anthropic-params.js';
import { toBatchItemError, toLlmError } from './anthropic-errors.js';
import {
  DEFAULT_MAX_WAIT_MS,
  DEFAULT_POLL_INTERVAL_MS,
  MAX_BATCH_REQUESTS,
  type BatchOptions,
  type BatchOutcome,
  type LlmBatchClient,
} from './batch.js';

export interface AnthropicBatchLlmOptions extends AnthropicLlmOptions {
  /** Defaults for `completeBatch` options. */
  pollIntervalMs?: number;
  maxWaitMs?: number;
}

/** custom_id must match ^[a-zA-Z0-9_-]{1,64}$; call keys hold paths, so items are numbered. */
const customId = (index: number): string => `req_${index}`;

/**
 * LlmBatchClient over the Message Batches API of the official SDK 1.12:
 * `messages.batches.create({ requests: [{ custom_id, params }] })` with the same body (and cache
 * breakpoints) as a direct call, `retrieve(id)` every `pollIntervalMs` until
 * `processing_status === 'ended'`, then the JSONL `results(id)`, matched back by custom_id.
 * Abort or `maxWaitMs` cancels the batch (best effort) and rejects with CANCELLED / LLM_TIMEOUT.
 * HTTP calls are retried by the SDK like direct calls; the key never appears in errors.
 */
export class AnthropicBatchLlm implements LlmBatchClient {
  private readonly sdk: Anthropic;
  private readonly pollIntervalMs: number;
  private readonly maxWaitMs: number;

  constructor(options: AnthropicBatchLlmOptions) {
    const baseURL = options.baseURL ?? process.env.ANTHROPIC_BASE_URL;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.sdk = new Anthropic({
      apiKey: options.apiKey,
      ...(baseURL ? { baseURL } : {}),
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      logLevel: 'off',
    });
  }

  async completeBatch(
    requests: readonly LlmRequest[],
    options: BatchOptions = {},
  ): Promise<Map<string, BatchOutcome>> {
    const { signal } = options;
    throwIfAborted(signal);
    const outcomes = new Map<string, BatchOutcome>();
    if (requests.length === 0) return outcomes;
    if (requests.length > MAX_BATCH_REQUESTS) {
      throw new CodemonkeysError(
        'LLM_BAD_REQUEST',
        `a batch holds at most ${MAX_BATCH_REQUESTS} requests`,
        { retryable: false },
      );
    }
    if (new Set(requests.map((r) => r.key)).size !== requests.length) {
      throw new CodemonkeysError('INTERNAL', 'batch request keys must be unique', {
        retryable: false,
      });
    }
    const pollIntervalMs = options.pollIntervalMs ?? this.pollIntervalMs;
    const maxWaitMs = options.maxWaitMs ?? this.maxWaitMs;
    const sig = signal ? { signal } : {};
    const started = Date.now();

    let batch: Anthropic.Messages.MessageBatch;
    try {
      // Not aborted mid-flight on purpose: the server may accept a batch whose creation we stop
      // waiting for, and a batch we do not know the id of can never be cancelled. Creation is a
      // short call with its own timeout; an abort during it is honoured right after, below.
      batch = await this.sdk.messages.batches.create({
        requests: requests.map((r, i) => ({
          custom_id: customId(i),
          params: buildMessagesBody(r),
        })),
      });
    } catch (error) {
      throw toLlmError(error, signal);
    }
    const id = batch.id;
    if (signal?.aborted) {
      await this.cancelQuietly(id);
      throwIfAborted(signal);
    }
    try {
      while (batch.processing_status !== 'ended') {
        const left = maxWaitMs - (Date.now() - started);
        if (left <= 0) {
          throw new CodemonkeysError(
            'LLM_TIMEOUT',
            `the message batch did not end within ${Math.round(maxWaitMs / 1000)} s`,
            {
              details: {
                batchId: id,
                status: batch.processing_status,
                waitedMs: Date.now() - started,
              },
            },
          );
        }
        await sleep(Math.min(pollIntervalMs, left), signal);
        batch = await this.sdk.messages.batches.retrieve(id, {}, sig);
      }
      const byId = new Map(requests.map((r, i) => [customId(i), r.key]));
      const stream = await this.sdk.messages.batches.results(id, {}, sig);
      for await (const item of stream) {
        const key = byId.get(item.custom_id);
        if (key !== undefined) outcomes.set(key, toOutcome(item.result));
      }
    } catch (error) {
      const failure = toLlmError(error, signal);
      if (failure.code === 'CANCELLED' || failure.code === 'LLM_TIMEOUT')
        await this.cancelQuietly(id);
      throw failure;
    }
    for (const request of requests) {
      if (!outcomes.has(request.key)) {
        outcomes.set(request.key, {
          ok: false,
          error: new CodemonkeysError(
            'LLM_PROTOCOL',
            'the batch results had no entry for this request',
            { details: { batchId: id } },
          ),
        });
      }
    }
    return outcomes;
  }

  /** Stops billing for items not yet processed; failures here change nothing for the caller. */
  private async cancelQuietly(id: string): Promise<void> {
    try {
      await this.sdk.messages.batches.cancel(id, {}, { maxRetries: 1, timeout: 30_000 });
    } catch {
      // best effort: an unreachable API cannot be told to stop
    }
  }
}

function toOutcome(result: Anthropic.Messages.MessageBatchResult): BatchOutcome {
  switch (result.type) {
    case 'succeeded':
      return { ok: true, response: fromMessage(result.message) };
    case 'errored':
      return { ok: false, error: toBatchItemError(result.error?.error, result.error?.request_id) };
    case 'canceled':
      return {
        ok: false,
        error: new CodemonkeysError('CANCELLED', 'the batch item was canceled before it ran', {
          details: { batch: true },
        }),
      };
    case 'expired':
      return {
        ok: false,
        error: new CodemonkeysError('LLM_TIMEOUT', 'the batch item expired before it ran', {
          details: { batch: true },
        }),
      };
    default:
      return {
        ok: false,
        error: new CodemonkeysError('LLM_PROTOCOL', 'unknown batch result type', {
          details: { batch: true },
        }),
      };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CodemonkeysError('CANCELLED', 'The run was cancelled.', { cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(
        new CodemonkeysError('CANCELLED', 'The run was cancelled.', { cause: signal?.reason }),
      );
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
