import { createHash } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { RunStore } from '../store/run-store.js';
import { estimateTokens } from '../pipeline/context/tokens.js';
import type { LlmRequest, LlmResponse, Stage } from './client.js';

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
  /** Dollars billed (half price when `batch`). */
  usd: number;
  /** Answered through the Message Batches API. */
  batch?: true;
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

export function getInputChars(request: LlmRequest): number {
  return request.system.length + request.messages.reduce((n, m) => n + m.content.length, 0);
}

export function buildCheckpoint(
  request: LlmRequest,
  hash: string,
  response: LlmResponse,
  usd: number,
  batch = false,
): LlmCheckpoint {
  return {
    version: 1,
    hash,
    stage: request.stage,
    request: {
      model: request.model,
      maxTokens: request.maxTokens,
      temperature: request.temperature,
      messages: request.messages.length,
      systemChars: request.system.length,
      inputChars: getInputChars(request),
      estimatedInputTokens:
        estimateTokens(request.system) +
        request.messages.reduce((n, m) => n + estimateTokens(m.content), 0),
    },
    response,
    usd,
    ...(batch ? { batch: true as const } : {}),
    at: new Date().toISOString(),
  };
}

export async function readCheckpoint(
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

export async function saveCheckpoint(
  store: RunStore,
  runId: string,
  key: string,
  checkpoint: LlmCheckpoint,
  log: Logger | undefined,
): Promise<void> {
  try {
    await store.set(runId, key, checkpoint);
  } catch (error) {
    // The answer is paid for and valid: losing its checkpoint only costs a re-call on retry.
    log?.warn({ err: error }, 'could not checkpoint a model response');
  }
}
