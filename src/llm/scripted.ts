import { CodemonkeysError, throwIfAborted } from '../errors.js';
import type { LlmClient, LlmRequest, LlmResponse, LlmUsage, Stage } from './client.js';

/**
 * A scripted model for tests, benchmarks and the demo. Replies are chosen by explicit rules that
 * match the call's stage and key (e.g. `editing/s3/t0`), first match wins; nothing is inferred.
 * Every call is recorded so tests can count them. It is labelled as scripted in every response
 * (`model: "scripted:<model>"`) so a scripted run can never pass for a real one.
 */
export type ScriptedReply = string | ((request: LlmRequest) => string);

export interface ScriptedRule {
  stage?: Stage;
  /** Exact key, or a pattern tested against the key. */
  key?: string | RegExp;
  reply: ScriptedReply;
  /** Use this rule at most this many times (default: unlimited). */
  times?: number;
}

export interface ScriptedLlmOptions {
  rules: ScriptedRule[];
  /** Simulated latency per call. */
  latencyMs?: number;
}

/** Rough token estimate used for simulated usage (4 characters per token). */
function estimate(text: string): number {
  return Math.ceil(text.length / 4);
}

export class ScriptedLlm implements LlmClient {
  readonly calls: LlmRequest[] = [];
  private readonly uses = new Map<ScriptedRule, number>();
  private readonly cachedPrefixes = new Set<string>();

  constructor(private readonly options: ScriptedLlmOptions) {}

  /** Number of recorded calls, optionally of one stage. */
  count(stage?: Stage): number {
    return stage === undefined
      ? this.calls.length
      : this.calls.filter((c) => c.stage === stage).length;
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    throwIfAborted(request.signal);
    const rule = this.options.rules.find((r) => this.matches(r, request));
    if (rule === undefined) {
      throw new CodemonkeysError(
        'LLM_PROTOCOL',
        `scripted model has no reply for call ${request.key}`,
        {
          retryable: false,
        },
      );
    }
    this.uses.set(rule, (this.uses.get(rule) ?? 0) + 1);
    this.calls.push(request);
    if (this.options.latencyMs) await sleep(this.options.latencyMs, request.signal);
    const text = typeof rule.reply === 'function' ? rule.reply(request) : rule.reply;
    return {
      text,
      usage: this.simulateUsage(request, text),
      stopReason: 'end_turn',
      model: `scripted:${request.model}`,
    };
  }

  private matches(rule: ScriptedRule, request: LlmRequest): boolean {
    if (rule.times !== undefined && (this.uses.get(rule) ?? 0) >= rule.times) return false;
    if (rule.stage !== undefined && rule.stage !== request.stage) return false;
    if (rule.key === undefined) return true;
    return typeof rule.key === 'string' ? rule.key === request.key : rule.key.test(request.key);
  }

  /** Simulates prompt caching at the marked breakpoints, like the real API would bill it. */
  private simulateUsage(request: LlmRequest, text: string): LlmUsage {
    const usage: LlmUsage = {
      inputTokens: 0,
      cacheWriteTokens: 0,
      cacheReadTokens: 0,
      outputTokens: estimate(text),
    };
    const segments: Array<{ text: string; cache: boolean }> = [
      { text: request.system, cache: request.cacheSystem === true },
      ...request.messages.map((m) => ({ text: m.content, cache: m.cache === true })),
    ];
    let cumulative = '';
    let lastCachedLength = 0;
    let lastCacheHit = 0;
    for (const segment of segments) {
      cumulative += segment.text;
      if (segment.cache) {
        if (this.cachedPrefixes.has(cumulative)) lastCacheHit = cumulative.length;
        lastCachedLength = cumulative.length;
      }
    }
    usage.cacheReadTokens = estimate(cumulative.slice(0, lastCacheHit));
    usage.cacheWriteTokens = estimate(cumulative.slice(lastCacheHit, lastCachedLength));
    usage.inputTokens = estimate(cumulative.slice(Math.max(lastCachedLength, lastCacheHit)));
    cumulative = '';
    for (const segment of segments) {
      cumulative += segment.text;
      if (segment.cache) this.cachedPrefixes.add(cumulative);
    }
    return usage;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new CodemonkeysError('CANCELLED', 'The run was cancelled.'));
      },
      { once: true },
    );
  });
}
