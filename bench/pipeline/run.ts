/**
 * `npm run bench:pipeline`: a scripted 10-sample run on test/fixtures/repos/py-intervals with real
 * Docker sandboxes. Prints wall time, executions, model calls and (simulated) cost per stage, and
 * how the wall time splits into waiting on sandboxes, waiting on the model, and the app itself.
 * The model is the ScriptedLlm (optional simulated latency: BENCH_LLM_LATENCY_MS, default 0), so
 * "model" time here is the scripted client plus metering/checkpointing, not a real API.
 */
import { runPipeline } from '../../src/pipeline/run.js';
import { ScriptedLlm } from '../../src/llm/scripted.js';
import { MemoryRunStore } from '../../src/store/memory-run-store.js';
import { loadPrompts } from '../../src/llm/prompts.js';
import { createSandboxProvider } from '../../src/sandbox/provider.js';
import { createSilentLogger } from '../../src/logger.js';
import { buildTranscript, replies } from '../../test/fakes/transcripts/build-transcript.js';
import {
  PY_INTERVALS_DIR,
  pyConfig,
  pyIssue,
  pySamples,
  pySelectionReasoning,
  pySelectionTest,
} from '../../test/fakes/transcripts/py-intervals.js';
import { Timeline, timeLlm, timeSandbox, unionMs } from './timing.js';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 10);
const LATENCY = Number(process.env.BENCH_LLM_LATENCY_MS ?? 0);
const CONCURRENCY = Number(process.env.BENCH_SANDBOX_CONCURRENCY ?? 4);

const base = pySamples();
const rules = buildTranscript({
  relevant: {
    'intervals/merge.py': 'Defines merge_intervals, which decides when two intervals overlap.',
  },
  ranking: ['intervals/merge.py'],
  samples: Array.from({ length: SAMPLES }, (_, i) => base[i % base.length]!),
  selection: [
    replies.test('Tell candidates 0 and 1 apart.', pySelectionTest),
    replies.choose(0, pySelectionReasoning),
  ],
});
const scripted = new ScriptedLlm({ rules, latencyMs: LATENCY });
const timeline = new Timeline();
const provider = createSandboxProvider({
  kind: 'docker',
  concurrency: CONCURRENCY,
  logger: createSilentLogger(),
});
const sandbox = timeSandbox(provider, timeline);
const stageStarts: Array<{ stage: string; at: number }> = [];

const t0 = performance.now();
let report;
try {
  report = await runPipeline(
    {
      runId: `bench-${Date.now()}`,
      repo: 'fixtures/py-intervals',
      issue: pyIssue,
      snapshot: { dir: PY_INTERVALS_DIR, repo: 'fixtures/py-intervals', commit: 'bench' },
      config: pyConfig({ samples: SAMPLES, sandbox: { concurrency: CONCURRENCY } }),
    },
    {
      llm: timeLlm(scripted, timeline),
      sandbox,
      store: new MemoryRunStore(),
      prompts: loadPrompts(),
      logger: createSilentLogger(),
      onProgress: (event) => {
        if (event.stage !== timeline.stage) {
          timeline.stage = event.stage;
          stageStarts.push({ stage: event.stage, at: performance.now() });
        }
      },
    },
  );
} finally {
  await provider.close();
}
const t1 = performance.now();

const rows: string[][] = [];
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pct = (part: number, whole: number) =>
  whole <= 0 ? '-' : `${Math.round((100 * part) / whole)}%`;
const stageCalls: Record<string, string[]> = {
  preparing: [],
  context: ['relevance', 'ranking'],
  generating: ['testing', 'editing'],
  evaluating: [],
  selecting: ['selection'],
};
const execs: Record<string, number> = {
  generating: (report.executions.testing ?? 0) + (report.executions.editing ?? 0),
  evaluating: report.executions.evaluating ?? 0,
  selecting: report.executions.selecting ?? 0,
};
let totals = { sandbox: 0, model: 0, app: 0 };
stageStarts.forEach(({ stage, at }, i) => {
  const end = stageStarts[i + 1]?.at ?? t1;
  const wall = end - at;
  const inStage = timeline.intervals
    .filter((x) => x.stage === stage)
    .map((x) => ({ ...x, start: Math.max(x.start, at), end: Math.min(x.end, end) }));
  const sandboxMs = unionMs(inStage.filter((x) => x.kind === 'sandbox'));
  const modelMs = unionMs(inStage.filter((x) => x.kind === 'model'));
  const busy = unionMs(inStage);
  const appMs = Math.max(0, wall - busy);
  totals = {
    sandbox: totals.sandbox + sandboxMs,
    model: totals.model + modelMs,
    app: totals.app + appMs,
  };
  const stages = stageCalls[stage] ?? [];
  const calls = stages.reduce((n, s) => n + (report.usage.byStage[s as 'testing'].calls ?? 0), 0);
  const usd = stages.reduce((n, s) => n + (report.usage.byStage[s as 'testing'].usd ?? 0), 0);
  if (stage === 'done') return;
  rows.push([
    stage,
    fmt(wall),
    String(execs[stage] ?? (stage === 'preparing' ? 1 : 0)),
    String(calls),
    `$${usd.toFixed(4)}`,
    pct(sandboxMs, wall),
    pct(modelMs, wall),
    pct(appMs, wall),
  ]);
});
const wallTotal = t1 - t0;
rows.push([
  'TOTAL',
  fmt(wallTotal),
  String(Object.values(execs).reduce((a, b) => a + b, 0)),
  String(report.usage.total.calls),
  `$${report.usage.total.usd.toFixed(4)}`,
  pct(totals.sandbox, wallTotal),
  pct(totals.model, wallTotal),
  pct(totals.app, wallTotal),
]);
const header = [
  'stage',
  'wall',
  'execs',
  'model calls',
  'cost (simulated)',
  'sandbox',
  'model',
  'app',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(
  `codemonkeys pipeline benchmark: ${SAMPLES} samples, scripted model (latency ${LATENCY} ms/call), Docker sandboxes (concurrency ${CONCURRENCY})`,
);
console.log(
  `outcome: ${report.outcome}; candidates ${report.evaluation?.candidates.length}; shortlist ${report.evaluation?.shortlist.join(',')}; selection ${report.selection?.method}`,
);
console.log(line(header));
for (const r of rows) console.log(line(r));
const runs = timeline.intervals.filter((x) => x.kind === 'sandbox');
const sumRun = runs.reduce((n, x) => n + x.end - x.start, 0);
console.log(
  `sandbox operations: ${runs.length} (prepare + executions + dispose), summed ${fmt(sumRun)}, mean ${(sumRun / Math.max(1, runs.length)).toFixed(0)} ms each`,
);
console.log(
  'shares: time during which at least one operation of that kind was in flight; "app" = neither was.',
);
