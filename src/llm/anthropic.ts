import Anthropic from '@anthropic-ai/sdk';
import { throwIfAborted } from '../errors.js';
import type { LlmClient, LlmRequest, LlmResponse } from './client.js';
import { buildMessagesBody, fromMessage } from './anthropic-params.js';
import { toLlmError } from './anthropic-errors.js';

export interface AnthropicLlmOptions {
  apiKey: string;
  /** Defaults to ANTHROPIC_BASE_URL, then https://api.anthropic.com. */
  baseURL?: string;
  /**
   * Retries of one call, done by the SDK: 408/409/429/5xx/529 and connection errors, with
   * exponential backoff (0.5 s doubling to 8 s, jittered) and the server's `retry-after` /
   * `retry-after-ms` honoured. Default 4 (5 attempts). Our typed error is thrown after the last.
   */
  maxRetries?: number;
  /** Per-attempt timeout when the request does not give `timeoutMs`. Default 10 minutes. */
  timeoutMs?: number;
  /** Injectable fetch (tests normally use nock on the global fetch instead). */
  fetch?: typeof fetch;
}

export const DEFAULT_MAX_RETRIES = 4;
export const DEFAULT_TIMEOUT_MS = 600_000;

/**
 * LlmClient over the official SDK (Messages API, non-streaming). The SDK 1.12 sends the key as
 * `Authorization: Bearer <key>` with `anthropic-version: 2026-10-21` (verified in
 * node_modules/@anthropic-ai/sdk/client.js). Every failure becomes a CodemonkeysError with a stable
 * code (see anthropic-errors.ts); the key never appears in errors or logs.
 */
export class AnthropicLlm implements LlmClient {
  private readonly sdk: Anthropic;
  private readonly timeoutMs: number;

  constructor(options: AnthropicLlmOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const baseURL = options.baseURL ?? process.env.ANTHROPIC_BASE_URL;
    this.sdk = new Anthropic({
      apiKey: options.apiKey,
      ...(baseURL ? { baseURL } : {}),
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      timeout: this.timeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      logLevel: 'off',
    });
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    throwIfAborted(request.signal);
    const body = buildMessagesBody(request);
    let message: Anthropic.Message;
    let requestId: string | null | undefined;
    try {
      const result = await this.sdk.messages
        .create(body, {
          timeout: request.timeoutMs ?? this.timeoutMs,
          ...(request.signal ? { signal: request.signal } : {}),
        })
        .withResponse();
      message = result.data;
      requestId = result.request_id;
    } catch (error) {
      throw toLlmError(error, request.signal);
    }
    return fromMessage(message, requestId);
  }
}
