import pLimit from 'p-limit';
import { throwIfAborted } from '../../errors.js';
import type { LlmClient } from '../../llm/client.js';
import type { SampleReport } from '../types.js';
import { createFirstCallGate, type FirstCallGate } from './first-call-gate.js';
import { createScriptRunner } from './script-runner.js';
import { createSnapshotReader } from './snapshot-reader.js';
import { runSample, type SampleRun } from './run-sample.js';
import type { GenerationInput, GenerationResult, SampleProduct } from './types.js';

/**
 * Generation: config.samples independent samples, each a testing machine then an editing machine,
 * run in parallel with bounded concurrency. The first sample's first call of each machine completes
 * before siblings make theirs (shared prompt prefix → cache reads). A sample that fails (model
 * error, budget exhausted, sandbox error) is reported and does not fail the run; cancellation does.
 * Re-running with the same run id resumes every machine from its checkpoint.
 */
export async function runGeneration(input: GenerationInput): Promise<GenerationResult> {
  const { request, signal } = input;
  throwIfAborted(signal);
  const total = request.config.samples;
  const readFile = input.readFile ?? createSnapshotReader(request.snapshot.dir);
  const gates = { testing: createFirstCallGate(), editing: createFirstCallGate() };
  const limit = pLimit(Math.max(1, input.concurrency ?? total));
  let done = 0;

  const runOne = async (index: number): Promise<SampleRun> => {
    const llmFor = (gate: FirstCallGate): LlmClient =>
      index === 0 ? gate.leader(input.llm) : gate.follower(input.llm);
    try {
      return await runSample({
        index,
        request,
        contextFiles: input.contextFiles,
        readFile,
        llm: { testing: llmFor(gates.testing), editing: llmFor(gates.editing) },
        prompts: input.prompts,
        store: input.store,
        runner: createScriptRunner(input.env, request.config, index, signal),
        logger: input.logger.child({ sample: index }),
        ...(signal === undefined ? {} : { signal }),
        ...(index === 0 ? { onTestingEnd: () => gates.testing.open() } : {}),
      });
    } finally {
      if (index === 0) {
        gates.testing.open();
        gates.editing.open();
      }
    }
  };

  const runs = await Promise.all(
    Array.from({ length: total }, (_, index) =>
      limit(async () => {
        const run = await runOne(index);
        done += 1;
        const { testing, editing, error } = run.report;
        input.logger.info(
          {
            sample: index,
            testing: testing.end,
            editing: editing.end,
            hasEdit: editing.hasEdit,
            error,
          },
          'sample finished',
        );
        input.onSampleDone?.(done, total, run.report);
        return run;
      }),
    ),
  );
  return {
    samples: runs.map((r) => r.report),
    products: runs.map((r) => r.product),
    executions: runs.reduce(
      (acc, r) => ({
        testing: acc.testing + r.executions.testing,
        editing: acc.editing + r.executions.editing,
      }),
      { testing: 0, editing: 0 },
    ),
  };
}

export type { SampleReport, SampleProduct };
