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
import { createFormatErrorRenderer, renderTestingSystem } from './generation-prompts.js';
import { renderExecution } from './output-cap.js';
import { normalizeScript, type ScriptRunner } from './script-runner.js';
import type { MachineDefinition } from './state-machine.js';

/**
 * Testing state machine (one per sample): write a reproduction script, run it on the unedited
 * repository, show exit code and capped output, and let the model approve (`<done>`) or replace
 * (`<test>`) it. Ends on DONE, the attempt limit or the context guard. Product: the last script
 * and its last output (or no script at all).
 */
export interface TestingData {
  script?: string;
  output?: ExecSummary;
  executions: number;
}

export interface TestingMachineDeps {
  sampleIndex: number;
  request: RunRequest;
  llm: LlmClient;
  prompts: PromptSet;
  store: RunStore;
  runner: ScriptRunner;
  signal?: AbortSignal;
  logger?: Logger;
}

export const RUN = 'RUN';
export const TEMPERATURE = 0.5;
export const MAX_OUTPUT_TOKENS = 4_096;

export function testingMachineId(sampleIndex: number): string {
  return `testing/s${sampleIndex}`;
}

export function defineTestingMachine(
  deps: TestingMachineDeps,
): MachineDefinition<ChatData<TestingData>> {
  const { config } = deps.request;
  const maxAttempts = config.maxAttempts;
  const settings: ChatSettings = {
    llm: deps.llm,
    model: config.models.primary,
    stage: 'testing',
    keyPrefix: testingMachineId(deps.sampleIndex),
    system: renderTestingSystem(deps.prompts, deps.request),
    maxTokens: MAX_OUTPUT_TOKENS,
    temperature: TEMPERATURE,
    maxAttempts,
    allowedTags: ['test', 'done'],
    renderFormatError: createFormatErrorRenderer(deps.prompts, maxAttempts),
  };
  const formatError = settings.renderFormatError;
  return createChatMachine<TestingData>({
    id: testingMachineId(deps.sampleIndex),
    settings,
    firstMessage: deps.prompts.render('testing.first', { max_attempts: maxAttempts }),
    initial: { executions: 0 },
    onTag: async (block, data) => {
      if (block.kind === 'test') {
        if (block.body.trim() === '')
          return askWith(
            data,
            formatError('the <test> block is empty.', ['test', 'done'], data.attempts),
          );
        return {
          next: RUN,
          data: { ...data, x: { ...data.x, script: normalizeScript(block.body) } },
        };
      }
      if (data.x.script === undefined) {
        const problem =
          'you answered <done>, but no script has been written yet. Write the script first, in a <test> block.';
        return askWith(data, formatError(problem, ['test'], data.attempts));
      }
      return { next: 'DONE', data };
    },
    states: {
      [RUN]: async (data) => {
        const output = await deps.runner.run(data.x.script ?? '');
        const result = renderExecution(output, config.sandbox.timeouts.executionSeconds);
        const message = deps.prompts.render('testing.feedback', {
          result,
          attempts_left: Math.max(0, maxAttempts - data.attempts),
        });
        return askWith(data, message, { ...data.x, output, executions: data.x.executions + 1 });
      },
    },
  });
}

export async function runTestingMachine(
  deps: TestingMachineDeps,
): Promise<MachineProductOutcome<TestingData>> {
  return runChatMachine(defineTestingMachine(deps), deps.request.runId, deps);
}
