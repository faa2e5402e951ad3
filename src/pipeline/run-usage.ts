import { CHECKPOINT_PREFIX, type LlmCheckpoint } from '../llm/metered.js';
import type { UsageLedger } from '../llm/usage.js';
import type { RunStore } from '../store/run-store.js';

/**
 * Seeds a fresh ledger with every model call an earlier attempt of this run already paid for (each
 * billed call is checkpointed exactly once under `llm/<key>`). Why: the dollar cap applies to the
 * run, not to one attempt, so a crash-and-retry cannot spend the budget twice; and the report's
 * usage includes what the crashed attempt cost. Calls replayed later add only to `replays`.
 * Returns how many checkpoints were counted.
 */
export async function seedLedgerFromCheckpoints(
  store: RunStore,
  runId: string,
  ledger: UsageLedger,
): Promise<number> {
  const checkpoints = await store.list<LlmCheckpoint>(runId, CHECKPOINT_PREFIX);
  let counted = 0;
  for (const { value } of checkpoints) {
    if (value?.version !== 1) continue;
    ledger.record(value.stage, value.response.usage, value.usd, { batch: value.batch === true });
    counted += 1;
  }
  return counted;
}
