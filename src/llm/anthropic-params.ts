import type Anthropic from '@anthropic-ai/sdk';
import type { LlmRequest, LlmResponse } from './client.js';

/** The Messages API accepts at most this many `cache_control` breakpoints per request. */
export const MAX_CACHE_BREAKPOINTS = 4;

interface TextBlock {
  type: 'text';
  text: string;
  cache_control?: { type: 'ephemeral' };
}

export interface MessagesBody {
  model: string;
  max_tokens: number;
  temperature: number;
  system?: TextBlock[];
  messages: Array<{ role: 'user' | 'assistant'; content: TextBlock[] }>;
}

const EPHEMERAL = { type: 'ephemeral' } as const;

/**
 * Translates the port's request into a Messages API body. Cache breakpoints are placed exactly
 * where the caller marked them: `cache_control: ephemeral` on the system block when
 * `cacheSystem`, and on the (only) content block of each message marked `cache`. If more than
 * four breakpoints are marked, the earliest message marks are dropped (the latest prefixes are
 * the longest and the ones the next call will read); the system mark is kept.
 */
export function buildMessagesBody(request: LlmRequest): MessagesBody {
  const markedSystem = request.cacheSystem === true && request.system.length > 0;
  const marked = request.messages.map((m, i) => (m.cache === true ? i : -1)).filter((i) => i >= 0);
  const room = MAX_CACHE_BREAKPOINTS - (markedSystem ? 1 : 0);
  const keep = new Set(marked.slice(Math.max(0, marked.length - room)));
  const body: MessagesBody = {
    model: request.model,
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    messages: request.messages.map((m, i) => ({
      role: m.role,
      content: [
        keep.has(i)
          ? { type: 'text', text: m.content, cache_control: EPHEMERAL }
          : { type: 'text', text: m.content },
      ],
    })),
  };
  if (request.system.length > 0) {
    body.system = [
      markedSystem
        ? { type: 'text', text: request.system, cache_control: EPHEMERAL }
        : { type: 'text', text: request.system },
    ];
  }
  return body;
}

/** The port's response from an API Message (text blocks joined; usage split by cache kind). */
export function fromMessage(message: Anthropic.Message, requestId?: string | null): LlmResponse {
  const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  const usage = message.usage;
  return {
    text,
    usage: {
      inputTokens: usage.input_tokens ?? 0,
      cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
      cacheReadTokens: usage.cache_read_input_tokens ?? 0,
      outputTokens: usage.output_tokens ?? 0,
    },
    stopReason: message.stop_reason ?? null,
    model: message.model,
    ...(requestId ? { requestId } : {}),
  };
}
