import { isCodemonkeysError, throwIfAborted } from '../errors.js';
import type { LlmBatchClient } from '../llm/batch.js';
import type { LlmClient, LlmRequest, Stage } from '../llm/client.js';
import { createRunLlm } from '../llm/metered.js';
import { UsageLedger } from '../llm/usage.js';
import type { Environment, EnvironmentSpec } from '../sandbox/types.js';
import { runEvaluation, type EvaluationResult } from './evaluate/matrix.js';
import { capOutput } from './generate/output-cap.js';
import { runGeneration } from './generate/run-samples.js';
import type { GenerationResult } from './generate/types.js';
import { decideOutcome, getRunSettings } from './report.js';
import { runContextStage, type ContextStageResult } from './context/run-context.js';
import { seedLedgerFromCheckpoints } from './run-usage.js';
import { chooseCandidate } from './select/choose-candidate.js';
import { withStageCheckpoint } from './stage-checkpoint.js';
import type { PipelineDeps, RunReport, RunRequest, RunStage, SelectionReport } from './types.js';

/**
 * Runs one issue end to end: prepare the environment, context, generation, evaluation, selection,
 * and returns the complete RunReport ('selected' only with evidence, else 'abstained'). Each stage
 * is checkpointed in the RunStore, so a restarted run (same runId and store) skips completed
 * stages and resumes state machines where they stopped. A BUDGET_EXCEEDED stops the stage from
 * starting new work and the run continues with what it has. Cancellation and other failures
 * propagate as CodemonkeysError (the caller reports them). The environment is always disposed.
 */
export async function runPipeline(
  request: RunRequest,
  deps: PipelineDeps,
  signal?: AbortSignal,
): Promise<RunReport> {
  const { config, runId } = request;
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const logger = deps.logger.child({ runId, repo: request.repo, issue: request.issue.number });
  const ledger = new UsageLedger();
  const earlierCalls = await seedLedgerFromCheckpoints(store, runId, ledger);
  if (earlierCalls > 0)
    logger.info(
      { calls: earlierCalls, usd: ledger.usd },
      'resuming a run: earlier model calls count against the budget',
    );
  let budgetExhausted: RunReport['budgetExhausted'];
  const metered = createRunLlm({
    client: deps.llm,
    ...(deps.llmBatch === undefined ? {} : { batchClient: deps.llmBatch }),
    store,
    runId,
    prices: config.prices,
    maxUsd: config.budget.maxUsdPerRun,
    ledger,
    logger,
  });
  const onBudgetExceeded = (stage: Stage): void => {
    budgetExhausted ??= { stage, limitUsd: config.budget.maxUsdPerRun };
  };
  const llm = watchBudget(metered, onBudgetExceeded);
  const llmBatch = metered.batch && watchBatchBudget(metered.batch, onBudgetExceeded);
  const sig = signal === undefined ? {} : { signal };
  const durations: RunReport['durations'] = {};
  const executions: RunReport['executions'] = {};
  const progress = (
    stage: RunStage,
    extra: { detail?: string; samplesDone?: number; samplesTotal?: number } = {},
  ): void => deps.onProgress?.({ stage, ...extra, usage: ledger.snapshot() });
  type Extra = { detail?: string; samplesDone?: number; samplesTotal?: number };
  const stage = async <T>(name: RunStage, fn: () => Promise<T>, extra: Extra = {}): Promise<T> => {
    throwIfAborted(signal);
    progress(name, extra);
    const done = await withStageCheckpoint(store, runId, name, now, fn);
    durations[name] = done.durationMs;
    if (done.resumed) logger.info({ stage: name }, 'stage restored from checkpoint');
    return done.result;
  };

  throwIfAborted(signal);
  progress('preparing');
  const prepareStart = now();
  const env = await deps.sandbox.prepare(getEnvironmentSpec(request), request.snapshot, {
    ...sig,
    onLog: (line) => progress('preparing', { detail: line }),
  });
  durations.preparing = now() - prepareStart;
  try {
    const context: ContextStageResult = await stage('context', () =>
      runContextStage(request, {
        llm,
        ...(llmBatch === undefined ? {} : { llmBatch }),
        prompts: deps.prompts,
        logger,
        ...sig,
        onProgress: (p) => progress('context', { detail: `${p.phase} ${p.done}/${p.total}` }),
      }),
    );
    const generation: GenerationResult = await stage(
      'generating',
      () =>
        runGeneration({
          request,
          contextFiles: context.files,
          llm,
          env,
          prompts: deps.prompts,
          store,
          logger,
          ...sig,
          onSampleDone: (done, total) =>
            progress('generating', { samplesDone: done, samplesTotal: total }),
        }),
      { samplesDone: 0, samplesTotal: config.samples },
    );
    executions.testing = generation.executions.testing;
    executions.editing = generation.executions.editing;
    const evaluation: EvaluationResult = await stage('evaluating', () =>
      runEvaluation(generation.products, {
        env,
        config,
        formatOutput: (r) => capOutput(r.combined),
        ...sig,
      }),
    );
    executions.evaluating = evaluation.report.executions;
    const tests = new Map(
      generation.products.flatMap((p) =>
        p.test === undefined ? [] : [[p.sampleIndex, p.test] as const],
      ),
    );
    const selection = await stage('selecting', async () => {
      let ran = 0;
      const report = await chooseCandidate(request, evaluation, tests, {
        llm,
        env,
        prompts: deps.prompts,
        store,
        runId,
        config,
        logger,
        ...sig,
        onExecution: () => (ran += 1),
      });
      return { report, executions: ran };
    });
    executions.selecting = selection.executions;
    const selectionReport: SelectionReport | undefined = selection.report;
    const outcome = decideOutcome(evaluation, selectionReport);
    progress('done', { detail: outcome.outcome });
    return {
      version: 1,
      runId,
      repo: request.repo,
      issueNumber: request.issue.number,
      baseCommit: request.snapshot.commit,
      ...outcome,
      context: context.report,
      samples: generation.samples,
      evaluation: evaluation.report,
      ...(selectionReport === undefined ? {} : { selection: selectionReport }),
      usage: ledger.snapshot(),
      durations,
      executions,
      ...(budgetExhausted === undefined ? {} : { budgetExhausted }),
      prompts: { ...deps.prompts.hashes },
      settings: getRunSettings(config, deps.sandbox.kind),
      startedAt,
      finishedAt: new Date(now()).toISOString(),
    };
  } finally {
    await disposeQuietly(env, logger);
  }
}

export function getEnvironmentSpec(request: RunRequest): EnvironmentSpec {
  const { sandbox } = request.config;
  return {
    image: sandbox.image,
    setup: sandbox.setup,
    workdir: sandbox.workdir,
    setupTimeoutMs: sandbox.timeouts.setupSeconds * 1000,
    cpus: sandbox.cpus,
    memoryMb: sandbox.memoryMb,
    pids: sandbox.pids,
    ...(sandbox.runtime === undefined ? {} : { runtime: sandbox.runtime }),
  };
}

/** Notes the first stage whose call hit the budget; the error still reaches the stage. */
function watchBatchBudget(
  batch: LlmBatchClient,
  onExceeded: (stage: Stage) => void,
): LlmBatchClient {
  return {
    async completeBatch(requests, options) {
      const outcomes = await batch.completeBatch(requests, options);
      for (const request of requests) {
        const outcome = outcomes.get(request.key);
        if (outcome?.ok === false && outcome.error.code === 'BUDGET_EXCEEDED')
          onExceeded(request.stage);
      }
      return outcomes;
    },
  };
}

function watchBudget(llm: LlmClient, onExceeded: (stage: Stage) => void): LlmClient {
  return {
    async complete(request: LlmRequest) {
      try {
        return await llm.complete(request);
      } catch (error) {
        if (isCodemonkeysError(error, 'BUDGET_EXCEEDED')) onExceeded(request.stage);
        throw error;
      }
    },
  };
}

async function disposeQuietly(env: Environment, logger: PipelineDeps['logger']): Promise<void> {
  try {
    await env.dispose();
  } catch (error) {
    logger.warn({ err: error }, 'could not dispose the sandbox environment');
  }
}
