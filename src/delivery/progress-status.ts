import type { ProgressEvent, RunStage } from '../pipeline/types.js';
import type { StatusState } from '../render/status-state.js';
import { formatTokens, formatUsd } from '../render/markdown.js';

const STAGE_WORDS: Record<RunStage, string> = {
  queued: 'queued',
  preparing: 'preparing the environment',
  context: 'finding the relevant files',
  generating: 'generating candidate fixes',
  evaluating: 'voting with the generated tests',
  selecting: 'selecting among the best candidates',
  delivering: 'opening the pull request',
  done: 'finished',
};

/** Maps one pipeline progress event to a status-comment patch (pure; the reporter throttles writes). */
export function getStatusPatch(event: ProgressEvent): Partial<StatusState> {
  return {
    phase: 'running',
    stage: event.stage,
    ...(event.detail === undefined
      ? { detail: STAGE_WORDS[event.stage] }
      : { detail: event.detail }),
    ...(event.samplesDone === undefined ? {} : { samplesDone: event.samplesDone }),
    ...(event.samplesTotal === undefined ? {} : { samplesTotal: event.samplesTotal }),
    usage: event.usage,
  };
}

/** One terminal line for a progress event, e.g. `[  42s] generating 3/10 · 120k tokens · $0.41`. */
export function getProgressLine(event: ProgressEvent, elapsedMs: number): string {
  const seconds = Math.round(elapsedMs / 1000);
  const total = event.usage.total;
  const tokens =
    total.inputTokens + total.cacheWriteTokens + total.cacheReadTokens + total.outputTokens;
  const samples =
    event.samplesTotal === undefined ? '' : ` ${event.samplesDone ?? 0}/${event.samplesTotal}`;
  const detail = event.detail === undefined ? STAGE_WORDS[event.stage] : event.detail;
  return `[${String(seconds).padStart(4)}s] ${event.stage}${samples}: ${detail} · ${formatTokens(tokens)} tokens · ${formatUsd(total.usd)}`;
}
