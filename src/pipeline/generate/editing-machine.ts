import type { LlmClient } from '../../llm/client.js';
import type { PromptSet } from '../../llm/prompts.js';
import type { Logger } from '../../logger.js';
import type { RunStore } from '../../store/run-store.js';
import type { ExecSummary, RunRequest } from '../types.js';
import {
  askWith,
  createChatMachine,
  runChatMachine,
  type ChatData,
  type ChatSettings,
  type MachineProductOutcome,
} from './chat-machine.js';
import { applyEditBlocks, getEditPaths } from './edits.js';
import {
  createFormatErrorRenderer,
  defuseScript,
  renderEditingSystem,
} from './generation-prompts.js';
import { defuse, renderExecution } from './output-cap.js';
import { normalizeScript, type ScriptRunner } from './script-runner.js';
import type { MachineDefinition } from './state-machine.js';
import { MAX_OUTPUT_TOKENS, RUN, TEMPERATURE } from './testing-machine.js';
import type { ContextFile, ReadOriginalFile } from './types.js';

/**
 * Editing state machine (one per sample): seeded with the sample's test (or none) and the packed
 * context, the model proposes search/replace edits; each valid edit becomes a diff and the current
 * test runs on the original and on the edited repository in parallel. The model then answers with
 * `<done>`, a new full `<edit>` or a new full `<test>`. Edit errors go back verbatim and cost an
 * attempt. Product: the last valid edit (diff) and the last test.
 */
export interface EditingData {
  test?: string;
  /** Last output of `test` on the original repository. */
  testOutput?: ExecSummary;
  edit?: string;
  diff?: string;
  /** Last output of `test` with `diff` applied. */
  editedOutput?: ExecSummary;
  /** What the next RUN reports on: a new edit or a new test. */
  pending?: 'edit' | 'test';
  executions: number;
}

export interface EditingMachineDeps {
  sampleIndex: number;
  request: RunRequest;
  contextFiles: readonly ContextFile[];
  readFile: ReadOriginalFile;
  llm: LlmClient;
  prompts: PromptSet;
  store: RunStore;
  runner: ScriptRunner;
  /** The testing machine's product. */
  seed: { test?: string; testOutput?: ExecSummary };
  signal?: AbortSignal;
  logger?: Logger;
}

export function editingMachineId(sampleIndex: number): string {
  return `editing/s${sampleIndex}`;
}

const NOT_RUN_NO_TEST = '(not run: there is no test script yet; write one in a <test> block)';
const NOT_RUN_NO_EDIT = '(not run: there is no valid edit yet)';

export function defineEditingMachine(
  deps: EditingMachineDeps,
): MachineDefinition<ChatData<EditingData>> {
  const { config } = deps.request;
  const maxAttempts = config.maxAttempts;
  const timeout = config.sandbox.timeouts.executionSeconds;
  const settings: ChatSettings = {
    llm: deps.llm,
    model: config.models.primary,
    stage: 'editing',
    keyPrefix: editingMachineId(deps.sampleIndex),
    system: renderEditingSystem(deps.prompts, deps.request, deps.contextFiles),
    maxTokens: MAX_OUTPUT_TOKENS,
    temperature: TEMPERATURE,
    maxAttempts,
    allowedTags: ['edit', 'test', 'done'],
    renderFormatError: createFormatErrorRenderer(deps.prompts, maxAttempts),
  };
  const formatError = settings.renderFormatError;
  const left = (data: ChatData<EditingData>): number => Math.max(0, maxAttempts - data.attempts);
  const { test, testOutput } = deps.seed;
  const firstMessage =
    test === undefined
      ? deps.prompts.render('editing.first-no-test', { max_attempts: maxAttempts })
      : deps.prompts.render('editing.first', {
          test: defuseScript(test),
          test_output:
            testOutput === undefined ? '(it was not run)' : renderExecution(testOutput, timeout),
          max_attempts: maxAttempts,
        });

  return createChatMachine<EditingData>({
    id: editingMachineId(deps.sampleIndex),
    settings,
    firstMessage,
    initial: { ...deps.seed, executions: 0 },
    onTag: async (block, data) => {
      if (block.kind === 'done') {
        if (data.x.diff !== undefined) return { next: 'DONE', data };
        const problem =
          'you answered <done>, but there is no valid edit yet. Send an <edit> block first.';
        return askWith(data, formatError(problem, ['edit', 'test'], data.attempts));
      }
      if (block.body.trim() === '') {
        return askWith(
          data,
          formatError(
            `the <${block.kind}> block is empty.`,
            ['edit', 'test', 'done'],
            data.attempts,
          ),
        );
      }
      if (block.kind === 'test')
        return {
          next: RUN,
          data: { ...data, x: { ...data.x, test: normalizeScript(block.body), pending: 'test' } },
        };
      const originals = new Map<string, string | undefined>();
      for (const path of getEditPaths(block.body)) originals.set(path, await deps.readFile(path));
      const outcome = applyEditBlocks(block.body, { originals, otherFiles: deps.contextFiles });
      if (!outcome.ok) {
        const errors = outcome.errors.map((e) => `- ${e}`).join('\n');
        return askWith(
          data,
          deps.prompts.render('editing.edit-error', { errors, attempts_left: left(data) }),
        );
      }
      return {
        next: RUN,
        data: { ...data, x: { ...data.x, edit: block.body, diff: outcome.diff, pending: 'edit' } },
      };
    },
    states: {
      [RUN]: async (data) => {
        const x = data.x;
        let { testOutput, editedOutput } = x;
        let executions = x.executions;
        let originalResult = NOT_RUN_NO_TEST;
        let editedResult = x.diff === undefined ? NOT_RUN_NO_EDIT : NOT_RUN_NO_TEST;
        if (x.test !== undefined) {
          const script = x.test;
          const runs = await Promise.all([
            deps.runner.run(script),
            x.diff === undefined ? undefined : deps.runner.run(script, x.diff),
          ]);
          testOutput = runs[0];
          editedOutput = runs[1];
          executions += runs[1] === undefined ? 1 : 2;
          originalResult = renderExecution(runs[0], timeout);
          if (runs[1] !== undefined) editedResult = renderExecution(runs[1], timeout);
        }
        const template = x.pending === 'test' ? 'editing.test-feedback' : 'editing.feedback';
        const message = deps.prompts.render(template, {
          diff: x.diff === undefined ? '' : defuse(x.diff, 'diff'),
          original_result: originalResult,
          edited_result: editedResult,
          attempts_left: left(data),
        });
        const next: EditingData = { ...x, executions };
        delete next.pending;
        if (testOutput !== undefined) next.testOutput = testOutput;
        if (editedOutput !== undefined) next.editedOutput = editedOutput;
        return askWith(data, message, next);
      },
    },
  });
}

export async function runEditingMachine(
  deps: EditingMachineDeps,
): Promise<MachineProductOutcome<EditingData>> {
  return runChatMachine(defineEditingMachine(deps), deps.request.runId, deps);
}
