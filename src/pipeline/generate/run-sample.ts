import { isAbortError, isCodemonkeysError } from '../../errors.js';
import type { LlmClient } from '../../llm/client.js';
import type { PromptSet } from '../../llm/prompts.js';
import type { Logger } from '../../logger.js';
import type { RunStore } from '../../store/run-store.js';
import type { MachineEnd, RunRequest, SampleReport } from '../types.js';
import type { ChatData } from './chat-machine.js';
import { editingMachineId, runEditingMachine, type EditingData } from './editing-machine.js';
import type { ScriptRunner } from './script-runner.js';
import { loadMachineSnapshot } from './state-machine.js';
import { runTestingMachine, testingMachineId, type TestingData } from './testing-machine.js';
import type { ContextFile, ReadOriginalFile, SampleProduct } from './types.js';

/**
 * One sample: the testing machine, then the editing machine seeded with its product. A machine
 * that throws (model error, budget, sandbox) ends in ERROR/BUDGET with whatever its last persisted
 * snapshot holds; cancellation propagates. A budget stop or a retryable failure of the testing
 * machine skips the editing machine.
 */
export interface SampleDeps {
  index: number;
  request: RunRequest;
  contextFiles: readonly ContextFile[];
  readFile: ReadOriginalFile;
  llm: { testing: LlmClient; editing: LlmClient };
  prompts: PromptSet;
  store: RunStore;
  runner: ScriptRunner;
  logger: Logger;
  signal?: AbortSignal;
  /** Called when the testing machine has ended (successfully or not). */
  onTestingEnd?: () => void;
}

export interface SampleRun {
  report: SampleReport;
  product: SampleProduct;
  executions: { testing: number; editing: number };
}

interface Ended<X> {
  end: MachineEnd;
  calls: number;
  data: X;
  error?: unknown;
}

/** How an error ends a sample's machine in the report. */
export function getErrorEnd(error: unknown): MachineEnd {
  return isCodemonkeysError(error, 'BUDGET_EXCEEDED') ? 'BUDGET' : 'ERROR';
}

async function contain<X>(
  deps: SampleDeps,
  machineId: string,
  fallback: X,
  run: () => Promise<Ended<X>>,
): Promise<Ended<X>> {
  try {
    return await run();
  } catch (error) {
    if (isAbortError(error) || deps.signal?.aborted === true) throw error;
    deps.logger.warn(
      { machine: machineId, err: error },
      'state machine failed; sample continues without it',
    );
    const snapshot = await loadMachineSnapshot<ChatData<X>>(
      deps.store,
      deps.request.runId,
      machineId,
    );
    return {
      end: getErrorEnd(error),
      calls: snapshot?.data.attempts ?? 0,
      data: snapshot?.data.x ?? fallback,
      error,
    };
  }
}

function describe(error: unknown): string {
  const code = isCodemonkeysError(error) ? `${error.code}: ` : '';
  return `${code}${error instanceof Error ? error.message : String(error)}`;
}

export async function runSample(deps: SampleDeps): Promise<SampleRun> {
  const common = {
    request: deps.request,
    prompts: deps.prompts,
    store: deps.store,
    runner: deps.runner,
    sampleIndex: deps.index,
    logger: deps.logger,
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
  };
  const testing = await contain<TestingData>(
    deps,
    testingMachineId(deps.index),
    { executions: 0 },
    () => runTestingMachine({ ...common, llm: deps.llm.testing }),
  );
  deps.onTestingEnd?.();
  const seed = {
    ...(testing.data.script === undefined ? {} : { test: testing.data.script }),
    ...(testing.data.output === undefined ? {} : { testOutput: testing.data.output }),
  };
  // Budget: no more calls can be paid. A retryable failure (connection, store, sandbox unavailable):
  // skip editing so that a retried job resumes testing and seeds editing properly. Any other
  // failure: edit without the missing test rather than lose the sample.
  const skipEditing =
    testing.end === 'BUDGET' || (isCodemonkeysError(testing.error) && testing.error.retryable);
  const editing: Ended<EditingData> = skipEditing
    ? { end: testing.end, calls: 0, data: { ...seed, executions: 0 } }
    : await contain<EditingData>(
        deps,
        editingMachineId(deps.index),
        { ...seed, executions: 0 },
        () =>
          runEditingMachine({
            ...common,
            llm: deps.llm.editing,
            contextFiles: deps.contextFiles,
            readFile: deps.readFile,
            seed,
          }),
      );

  const product: SampleProduct = { sampleIndex: deps.index };
  const test = editing.data.test ?? testing.data.script;
  if (test !== undefined) product.test = test;
  const testOutput = editing.data.testOutput ?? testing.data.output;
  if (testOutput !== undefined) product.testOutput = testOutput;
  if (editing.data.diff !== undefined) product.diff = editing.data.diff;
  if (editing.data.edit !== undefined) product.edit = editing.data.edit;

  const report: SampleReport = {
    index: deps.index,
    testing: { end: testing.end, calls: testing.calls, hasTest: testing.data.script !== undefined },
    editing: { end: editing.end, calls: editing.calls, hasEdit: editing.data.diff !== undefined },
  };
  if (product.test !== undefined) report.test = product.test;
  if (product.diff !== undefined) report.diff = product.diff;
  const errors = [testing.error, editing.error].filter((e) => e !== undefined).map(describe);
  if (errors.length > 0) report.error = errors.join('; ');
  return {
    report,
    product,
    executions: { testing: testing.data.executions, editing: editing.data.executions },
  };
}
