/**
 * The model port. The pipeline only ever sees this interface; adapters (Anthropic, scripted fake)
 * live beside it and are constructed in the composition root.
 */
export const STAGES = ['relevance', 'ranking', 'testing', 'editing', 'selection'] as const;
export type Stage = (typeof STAGES)[number];

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
  /** Put a cache breakpoint at the end of this message. */
  cache?: boolean;
}

export interface LlmRequest {
  model: string;
  /** Shared, cacheable instructions (and, for editing, the issue and context files). */
  system: string;
  /** Put a cache breakpoint at the end of the system prompt. */
  cacheSystem?: boolean;
  messages: LlmMessage[];
  maxTokens: number;
  temperature: number;
  /** Which pipeline stage pays for this call (cost accounting). */
  stage: Stage;
  /**
   * Stable identity of this call within a run, e.g. `editing/s3/t2` or `relevance/src/a.py`.
   * Used to checkpoint and replay responses after a crash; must be unique per logical call.
   */
  key: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface LlmUsage {
  /** Uncached input tokens only. */
  inputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  outputTokens: number;
}

export interface LlmResponse {
  text: string;
  usage: LlmUsage;
  stopReason: string | null;
  model: string;
  requestId?: string;
}

export interface LlmClient {
  complete(request: LlmRequest): Promise<LlmResponse>;
}

export const ZERO_USAGE: LlmUsage = Object.freeze({
  inputTokens: 0,
  cacheWriteTokens: 0,
  cacheReadTokens: 0,
  outputTokens: 0,
});
