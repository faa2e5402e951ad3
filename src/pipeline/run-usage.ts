import { STAGES } from '../llm/client.js';
import { CHECKPOINT_PREFIX, type LlmCheckpoint } from '../llm/metered.js';
import { emptyUsageTotals } from '../llm/usage.js';
import type { RunStore } from '../store/run-store.js';
import type { StageUsage, UsageTotals } from './types.js';

/**
 * Usage of the whole run across attempts: every billed call is checkpointed exactly once, so the
 * sum over checkpoints is what the run cost, including calls paid for by an attempt that crashed.
 * Replays (calls answered from checkpoints in this attempt) come from the live ledger.
 */
export async function getRunUsage(store: RunStore, runId: string, live: UsageTotals): Promise<UsageTotals> {
  const totals = emptyUsageTotals();
  const checkpoints = await store.list<LlmCheckpoint>(runId, CHECKPOINT_PREFIX);
  for (const { value } of checkpoints) {
    if (value?.version !== 1) continue;
    for (const into of [totals.byStage[value.stage], totals.total]) addCall(into, value);
  }
  for (const stage of STAGES) totals.byStage[stage].replays = live.byStage[stage].replays ?? 0;
  totals.total.replays = live.total.replays ?? 0;
  return totals;
}

function addCall(into: StageUsage, checkpoint: LlmCheckpoint): void {
  const usage = checkpoint.response.usage;
  into.inputTokens += usage.inputTokens;
  into.cacheWriteTokens += usage.cacheWriteTokens;
  into.cacheReadTokens += usage.cacheReadTokens;
  into.outputTokens += usage.outputTokens;
  into.usd += checkpoint.usd;
  into.calls += 1;
}
