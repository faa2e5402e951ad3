import { ScriptedLlm } from '../../src/llm/scripted.js';
import { runFirstThenRest } from '../../src/llm/siblings.js';
import type { LlmClient, LlmMessage, LlmUsage } from '../../src/llm/client.js';

/**
 * Simulates the request sequences of the generation stage (samples x turns over one shared
 * context) and returns the billed input tokens of every call. The scripted model bills prompt
 * caching the way the API does: the longest previously written breakpoint prefix is read, the
 * rest up to the last breakpoint is written, the tail is plain input.
 */
export interface GenerationShape {
  samples: number;
  turns: number;
  contextTokens: number;
  instructionTokens: number;
  userTurnTokens: number;
  replyTokens: number;
}

export type CacheMode = 'cached' | 'cached-no-gate' | 'uncached';

const CHARS_PER_TOKEN = 4; // the scripted model's own estimate
const text = (tokens: number, seed: string) =>
  `${seed} `.repeat(Math.ceil((tokens * CHARS_PER_TOKEN) / (seed.length + 1)));

export async function simulateGeneration(
  shape: GenerationShape,
  mode: CacheMode,
): Promise<LlmUsage[]> {
  const system =
    text(shape.instructionTokens, 'instructions') + text(shape.contextTokens, 'context-file-line');
  const shared = new ScriptedLlm({
    rules: [{ reply: (r) => `reply ${r.key} ` + text(shape.replyTokens, 'reasoning') }],
  });
  const usages: LlmUsage[] = [];
  const sample = async (s: number) => {
    // Without the gate every sample starts before any cache exists: model that with a private cache.
    const llm: LlmClient =
      mode === 'cached-no-gate'
        ? new ScriptedLlm({
            rules: [{ reply: (r) => `reply ${r.key} ` + text(shape.replyTokens, 'reasoning') }],
          })
        : shared;
    const messages: LlmMessage[] = [];
    for (let t = 0; t < shape.turns; t++) {
      messages.push({
        role: 'user',
        content: `turn ${t} of sample ${s}: ` + text(shape.userTurnTokens, `output-s${s}-t${t}`),
      });
      const last = t === shape.turns - 1;
      const userIdx = messages.map((m, i) => (m.role === 'user' ? i : -1)).filter((i) => i >= 0);
      const marked = new Set(
        mode === 'uncached' ? [] : last ? userIdx.slice(-2, -1) : userIdx.slice(-2),
      );
      const response = await llm.complete({
        model: 'claude-sonnet-5-5',
        system,
        cacheSystem: mode !== 'uncached',
        messages: messages.map((m, i) => ({ ...m, cache: marked.has(i) })),
        maxTokens: 4096,
        temperature: 0.5,
        stage: 'editing',
        key: `editing/s${s}/t${t}`,
      });
      usages.push(response.usage);
      messages.push({ role: 'assistant', content: response.text });
    }
  };
  await runFirstThenRest(
    Array.from({ length: shape.samples }, (_, i) => i),
    sample,
    shape.samples,
  );
  return usages;
}

/** Billed input in "input-token equivalents": plain 1x, cache write `write`x, cache read `read`x. */
export function getInputEquivalent(
  usages: readonly LlmUsage[],
  write: number,
  read: number,
): number {
  return usages.reduce(
    (n, u) => n + u.inputTokens + u.cacheWriteTokens * write + u.cacheReadTokens * read,
    0,
  );
}
