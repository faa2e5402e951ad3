import type { Price } from '../config/repo-config.js';
import { STAGES, type LlmUsage, type Stage } from './client.js';
import type { StageUsage, UsageTotals } from '../pipeline/types.js';
import { BATCH_PRICE_FACTOR } from './batch.js';

/**
 * Prices in USD per million tokens (input = uncached input; cacheWrite = 5-minute cache write;
 * cacheRead = cache hit), as documented for late 2026. Repo config `prices` overrides per model.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = Object.freeze({
  'claude-opus-5-5': { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 },
  'claude-sonnet-5-5': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.1 },
  'claude-haiku-5-5': { input: 0.1, output: 0.5, cacheWrite: 0.125, cacheRead: 0.01 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
});

/**
 * Price used for a model missing from the table: the most expensive known one, so that an
 * unknown model can only make the budget stop early, never overspend silently.
 */
export const UNKNOWN_MODEL_PRICE: Price = { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 };

export type PriceTable = Readonly<Record<string, Price>>;

/** Merges config overrides over the defaults. */
export function getPriceTable(overrides: PriceTable = {}): PriceTable {
  return { ...DEFAULT_PRICES, ...overrides };
}

/** Price of a model; `scripted:<model>` (the scripted fake) is priced like `<model>`. */
export function getPrice(model: string, table: PriceTable = DEFAULT_PRICES): Price {
  const id = model.startsWith('scripted:') ? model.slice('scripted:'.length) : model;
  return table[id] ?? UNKNOWN_MODEL_PRICE;
}

/** Dollars of one call; `batch` calls (Message Batches API) are billed at BATCH_PRICE_FACTOR. */
export function getCostUsd(
  usage: LlmUsage,
  price: Price,
  options: { batch?: boolean } = {},
): number {
  const usd =
    (usage.inputTokens * price.input +
      usage.cacheWriteTokens * price.cacheWrite +
      usage.cacheReadTokens * price.cacheRead +
      usage.outputTokens * price.output) /
    1_000_000;
  return options.batch === true ? usd * BATCH_PRICE_FACTOR : usd;
}

export function emptyStageUsage(): StageUsage {
  return {
    inputTokens: 0,
    cacheWriteTokens: 0,
    cacheReadTokens: 0,
    outputTokens: 0,
    calls: 0,
    usd: 0,
    replays: 0,
  };
}

export function emptyUsageTotals(): UsageTotals {
  const byStage = Object.fromEntries(STAGES.map((s) => [s, emptyStageUsage()])) as Record<
    Stage,
    StageUsage
  >;
  return { byStage, total: emptyStageUsage() };
}

function add(into: StageUsage, usage: LlmUsage, usd: number, replay: boolean, batch = false): void {
  into.inputTokens += usage.inputTokens;
  into.cacheWriteTokens += usage.cacheWriteTokens;
  into.cacheReadTokens += usage.cacheReadTokens;
  into.outputTokens += usage.outputTokens;
  into.usd += usd;
  if (replay) into.replays = (into.replays ?? 0) + 1;
  else into.calls += 1;
  if (batch && !replay) into.batchCalls = (into.batchCalls ?? 0) + 1;
}

/**
 * Accumulates tokens, calls and dollars per stage for one run. Billed calls count in `calls`;
 * checkpoint replays cost nothing and count in `replays` (their tokens are not added: nothing
 * was billed). Shared by every stage of a run (one ledger per run).
 */
export class UsageLedger {
  private readonly totals: UsageTotals = emptyUsageTotals();

  /**
   * Records one billed model call. `usd` is what was billed (already discounted for a batch
   * call); `batch` also counts it in `batchCalls`.
   */
  record(stage: Stage, usage: LlmUsage, usd: number, options: { batch?: boolean } = {}): void {
    const batch = options.batch === true;
    add(this.totals.byStage[stage], usage, usd, false, batch);
    add(this.totals.total, usage, usd, false, batch);
  }

  /** Records a call answered from a checkpoint ($0, no tokens billed). */
  recordReplay(stage: Stage): void {
    const none: LlmUsage = {
      inputTokens: 0,
      cacheWriteTokens: 0,
      cacheReadTokens: 0,
      outputTokens: 0,
    };
    add(this.totals.byStage[stage], none, 0, true);
    add(this.totals.total, none, 0, true);
  }

  /** Dollars billed so far in this run (all stages). */
  get usd(): number {
    return this.totals.total.usd;
  }

  /** A deep copy, safe to put into reports and progress events. */
  snapshot(): UsageTotals {
    return structuredClone(this.totals);
  }
}
