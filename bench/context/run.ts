/**
 * Context-stage benchmark (`npm run bench:context`). Prints figures; not a timed test.
 * 1. Relevance scan + ranking + packing over a synthetic repository (default 5,000 files) with a
 *    scripted model answering after a fixed latency: wall time vs the ideal
 *    files x latency / concurrency, peak memory, tokens and dollars per stage.
 * 2. Generation request sequences (10 samples x 8 turns over a 60k-token context) billed with our
 *    cache placement vs none, with the documented multipliers (write 1.25x, read 0.1x).
 * Options: --files N --latency MS --concurrency N
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runContextStage } from '../../src/pipeline/context/run-context.js';
import { ScriptedLlm } from '../../src/llm/scripted.js';
import { createRunLlm } from '../../src/llm/metered.js';
import { UsageLedger } from '../../src/llm/usage.js';
import { loadPrompts } from '../../src/llm/prompts.js';
import { MemoryRunStore } from '../../src/store/memory-run-store.js';
import { DEFAULT_CONFIG } from '../../src/config/repo-config.js';
import { createSilentLogger } from '../../src/logger.js';
import { writeSyntheticRepo } from './synthetic-repo.js';
import { getInputEquivalent, simulateGeneration } from './generation-cost.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '5000' },
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
  },
});
const files = Number(values.files);
const latencyMs = Number(values.latency);
const concurrency = Number(values.concurrency);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const fmt = (n: number) => n.toLocaleString('en-US');

async function contextBenchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cm-bench-context-'));
  try {
    let t = Date.now();
    const { relevant } = writeSyntheticRepo(dir, files);
    console.log(
      `synthetic repository: ${fmt(files)} files (${relevant.length} relevant) written in ${Date.now() - t} ms`,
    );
    const prompts = loadPrompts();
    const hot = new Set(relevant);
    const client = new ScriptedLlm({
      latencyMs,
      rules: [
        {
          stage: 'ranking',
          reply: '```json\n' + JSON.stringify(relevant.slice().reverse()) + '\n```',
        },
        {
          stage: 'relevance',
          reply: (r) =>
            hot.has(r.key.slice('relevance/'.length))
              ? 'Computes invoices.\nRELEVANCE: Relevant\nSUMMARY: compute_invoice_total ignores discounts.'
              : 'Math helpers only.\nRELEVANCE: Not Relevant',
        },
      ],
    });
    const ledger = new UsageLedger();
    const llm = createRunLlm({
      client,
      store: new MemoryRunStore(),
      runId: 'bench',
      maxUsd: 1_000,
      ledger,
    });
    const config = {
      ...DEFAULT_CONFIG,
      context: { ...DEFAULT_CONFIG.context, relevanceConcurrency: concurrency },
    };
    const request = {
      runId: 'bench',
      repo: 'bench/synthetic',
      issue: {
        number: 1,
        title: 'Invoice total ignores discounts',
        body: 'compute_invoice_total returns the undiscounted sum.',
      },
      snapshot: { dir, repo: 'bench/synthetic', commit: '0'.repeat(40) },
      config,
    };
    global.gc?.();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 25);
    const phases = new Map<string, number>();
    t = Date.now();
    const { report } = await runContextStage(request, {
      llm,
      prompts,
      logger: createSilentLogger(),
      onProgress: (p) => (phases.has(p.phase) ? undefined : phases.set(p.phase, Date.now() - t)),
    });
    const wall = Date.now() - t;
    clearInterval(sampler);
    const ideal = (report.scanned * latencyMs) / concurrency;
    const relevanceWall = (phases.get('ranking') ?? wall) - (phases.get('relevance') ?? 0);
    console.log(
      `\n== Context stage: ${fmt(report.scanned)} files scanned, latency ${latencyMs} ms, concurrency ${concurrency}`,
    );
    console.log(
      `wall time            ${fmt(wall)} ms (walk ${fmt(phases.get('relevance') ?? 0)} ms, relevance ${fmt(relevanceWall)} ms, ranking+packing ${fmt(wall - (phases.get('ranking') ?? wall))} ms)`,
    );
    console.log(
      `ideal                files x latency / concurrency = ${fmt(Math.round(ideal))} ms; relevance scan at ${ideal > 0 ? ((100 * ideal) / relevanceWall).toFixed(0) : '-'}% of ideal (${(relevanceWall / Math.max(1, ideal)).toFixed(2)}x)`,
    );
    console.log(
      `model calls          relevance ${client.count('relevance')}, ranking ${client.count('ranking')}; relevant ${report.relevant.length}, packed ${report.packed.length} files / ${fmt(report.packedTokens)} tokens`,
    );
    console.log(
      `peak memory          rss ${mb(peakRss)} (baseline ${mb(baseline.rss)}), heap ${mb(peakHeap)} (baseline ${mb(baseline.heapUsed)})`,
    );
    const totals = ledger.snapshot();
    for (const stage of ['relevance', 'ranking'] as const) {
      const s = totals.byStage[stage];
      console.log(
        `tokens ${stage.padEnd(10)}    input ${fmt(s.inputTokens)}, cache write ${fmt(s.cacheWriteTokens)}, cache read ${fmt(s.cacheReadTokens)}, output ${fmt(s.outputTokens)}; $${s.usd.toFixed(4)} (simulated usage, default prices)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function generationCostBenchmark(): Promise<void> {
  const shape = {
    samples: 10,
    turns: 8,
    contextTokens: 60_000,
    instructionTokens: 3_000,
    userTurnTokens: 1_500,
    replyTokens: 800,
  };
  console.log(
    `\n== Generation billing: ${shape.samples} samples x ${shape.turns} turns, ${fmt(shape.contextTokens)}-token context + ${fmt(shape.instructionTokens)} of instructions in the system prompt,`,
  );
  console.log(
    `   ${fmt(shape.userTurnTokens)}-token user turns, ${fmt(shape.replyTokens)}-token replies; cache marks: system + last two user turns (last attempt: second-to-last only)`,
  );
  const rows: Array<[string, number]> = [];
  for (const mode of ['uncached', 'cached', 'cached-no-gate'] as const) {
    const usages = await simulateGeneration(shape, mode);
    rows.push([mode, getInputEquivalent(usages, 1.25, 0.1)]);
    const sum = (k: 'inputTokens' | 'cacheWriteTokens' | 'cacheReadTokens') =>
      usages.reduce((n, u) => n + u[k], 0);
    console.log(
      `${mode.padEnd(15)} input ${fmt(sum('inputTokens')).padStart(10)}  write ${fmt(sum('cacheWriteTokens')).padStart(9)}  read ${fmt(sum('cacheReadTokens')).padStart(10)}`,
    );
  }
  const uncached = rows[0]![1];
  const perMTok = 2; // claude-sonnet-5-5 input $/MTok
  for (const [mode, eq] of rows) {
    console.log(
      `billed input ${mode.padEnd(15)} ${fmt(Math.round(eq)).padStart(10)} token-equivalents = $${((eq * perMTok) / 1e6).toFixed(2)} at $2/MTok  (${((100 * eq) / uncached).toFixed(1)}% of uncached)`,
    );
  }
  const ratio = rows[1]![1] / uncached;
  console.log(
    `aim: cached <= 25% of uncached -> ${ratio <= 0.25 ? 'met' : 'NOT met'} (${(ratio * 100).toFixed(1)}%)`,
  );
}

await contextBenchmark();
await generationCostBenchmark();
