import type { RepoConfig } from '../../config/repo-config.js';
import { getTestArgv } from '../../config/repo-config.js';
import { isCodemonkeysError } from '../../errors.js';
import type { LlmClient } from '../../llm/client.js';
import { parseIntegerBody } from '../../llm/parse-tags.js';
import { getIssueVars, neutraliseClosingTags } from '../../llm/untrusted.js';
import type { PromptSet } from '../../llm/prompts.js';
import type { Logger } from '../../logger.js';
import type { Environment } from '../../sandbox/types.js';
import type { RunStore } from '../../store/run-store.js';
import { askWith, createChatMachine, type ChatData } from '../generate/chat-machine.js';
import { summarizeForModel } from '../generate/output-cap.js';
import {
  loadMachineSnapshot,
  runStateMachine,
  type StateHandler,
} from '../generate/state-machine.js';
import type { ExecSummary, SelectionReport, SelectionTest } from '../types.js';
import {
  renderCandidates,
  renderOriginalFiles,
  renderSelectionResults,
  type OriginalFile,
} from './render-selection.js';

/**
 * The selection state machine (paper section 6): the primary model, temperature 0, up to 8192
 * output tokens, up to config.maxAttempts calls. It sees the shortlisted diffs as ids 0..k-1, the
 * original files they touch and one optional example test; each turn it writes a `<test>` (run on
 * the original and on every candidate in parallel) or names `<chosen_candidate_fix_id>`. Attempts
 * exhausted, context exceeded, budget reached or a non-retryable model error: candidate 0.
 * Cancellation and retryable errors propagate (the job is retried and the machine resumes).
 */
export const SELECTION_MAX_TOKENS = 8192;
export const SELECTION_MACHINE_ID = 'selection';
const RUN = 'RUN';

export interface SelectionCandidate {
  /** Id of the candidate in the evaluation report. */
  candidateId: number;
  diff: string;
}

export interface SelectionInput {
  /** Shortlist in order; the model sees them as ids 0..k-1. At least two. */
  candidates: SelectionCandidate[];
  files: OriginalFile[];
  exampleTest: string | undefined;
  issue: { title: string; body: string };
  repo: string;
}

export interface SelectionDeps {
  llm: LlmClient;
  env: Environment;
  prompts: PromptSet;
  store: RunStore;
  runId: string;
  config: RepoConfig;
  logger?: Logger;
  signal?: AbortSignal;
  onExecution?: () => void;
}

interface SelectionX {
  pendingScript?: string;
  tests: SelectionTest[];
  chosen?: { index: number; reasoning: string };
}

export async function runSelection(
  input: SelectionInput,
  deps: SelectionDeps,
): Promise<SelectionReport> {
  const { config, prompts } = deps;
  const k = input.candidates.length;
  const ids = input.candidates.map((_, i) => i);
  const timeoutSeconds = config.sandbox.timeouts.executionSeconds;
  const system = prompts.render('selection.system', {
    repo: input.repo,
    language: config.sandbox.test.language,
    test_command: config.sandbox.test.command,
    workdir: config.sandbox.workdir,
  });
  const firstMessage = prompts.render('selection.first', {
    ...getIssueVars(input.issue),
    files: renderOriginalFiles(input.files, config.context.budgetTokens),
    candidates: renderCandidates(input.candidates.map((c) => c.diff)),
    example_test:
      input.exampleTest === undefined
        ? '(no example test is available)'
        : neutraliseClosingTags(input.exampleTest, ['example_test']),
    max_attempts: config.maxAttempts,
  });
  const invalid = (problem: string) =>
    prompts.render('selection.invalid', { problem, valid_ids: ids.join(', ') });

  const execOnce = async (script: string, patch: string | undefined): Promise<ExecSummary> => {
    const file = `select_test${config.sandbox.test.extension}`;
    const result = await deps.env.run({
      files: { [file]: script },
      ...(patch === undefined ? {} : { patch }),
      argv: getTestArgv(config, `${deps.env.scratchDir}/${file}`),
      timeoutMs: timeoutSeconds * 1000,
      outputCapBytes: config.sandbox.outputCapBytes,
      ...(deps.signal === undefined ? {} : { signal: deps.signal }),
    });
    deps.onExecution?.();
    return summarizeForModel(result);
  };

  const run: StateHandler<ChatData<SelectionX>> = async (data) => {
    const script = data.x.pendingScript ?? '';
    const [original, ...perCandidate] = await Promise.all([
      execOnce(script, undefined),
      ...input.candidates.map((c) => execOnce(script, c.diff)),
    ]);
    const candidates: Record<number, ExecSummary> = {};
    perCandidate.forEach((summary, i) => {
      candidates[(input.candidates[i] as SelectionCandidate).candidateId] = summary;
    });
    const test: SelectionTest = { script, original: original as ExecSummary, candidates };
    const results = renderSelectionResults(original as ExecSummary, perCandidate);
    const message = prompts.render('selection.feedback', {
      results,
      attempts_left: Math.max(0, config.maxAttempts - data.attempts),
    });
    return askWith(data, message, { tests: [...data.x.tests, test] });
  };

  const machine = createChatMachine<SelectionX>({
    id: SELECTION_MACHINE_ID,
    settings: {
      llm: deps.llm,
      model: config.models.primary,
      stage: 'selection',
      keyPrefix: 'selection',
      system,
      maxTokens: SELECTION_MAX_TOKENS,
      temperature: 0,
      maxAttempts: config.maxAttempts,
      allowedTags: ['test', 'chosen_candidate_fix_id'],
      renderFormatError: (problem) => invalid(problem),
    },
    firstMessage,
    initial: { tests: [] },
    states: { [RUN]: run },
    onTag: async (block, data) => {
      if (block.kind === 'test') {
        return { next: RUN, data: { ...data, x: { ...data.x, pendingScript: block.body } } };
      }
      const index = parseIntegerBody(block.body);
      if (index === undefined || index < 0 || index >= k) {
        const shown = block.body.trim().slice(0, 40);
        return askWith(
          data,
          invalid(
            `"${shown}" is not a valid candidate id; the candidates are numbered ${ids.join(', ')}.`,
          ),
        );
      }
      return {
        next: 'DONE',
        data: { ...data, x: { ...data.x, chosen: { index, reasoning: block.prose } } },
      };
    },
  });

  const idOf = (index: number): number =>
    (input.candidates[index] as SelectionCandidate).candidateId;
  try {
    const outcome = await runStateMachine(machine, {
      store: deps.store,
      runId: deps.runId,
      ...(deps.signal === undefined ? {} : { signal: deps.signal }),
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    });
    const { x, attempts } = outcome.data;
    if (outcome.end === 'DONE' && x.chosen !== undefined) {
      return {
        method: 'model',
        chosenCandidateId: idOf(x.chosen.index),
        reasoning: x.chosen.reasoning,
        calls: attempts,
        tests: x.tests,
      };
    }
    const reasons: Record<string, string> = {
      MAX_ATTEMPTS: `the selector did not choose within ${config.maxAttempts} model calls`,
      CONTEXT_EXCEEDED: 'the selection conversation outgrew the context window',
      TRANSITION_CAP: 'the selection machine reached its transition cap',
    };
    return fallback(idOf(0), reasons[outcome.end] ?? outcome.end, attempts, x.tests);
  } catch (error) {
    if (isCodemonkeysError(error, 'BUDGET_EXCEEDED')) {
      return fallback(
        idOf(0),
        'the run budget was reached during selection',
        await countCalls(deps),
        await savedTests(deps),
      );
    }
    if (
      isCodemonkeysError(error) &&
      !error.retryable &&
      error.code !== 'CANCELLED' &&
      error.code.startsWith('LLM_')
    ) {
      deps.logger?.warn(
        { err: error },
        'selection model failed; falling back to the top candidate',
      );
      return fallback(
        idOf(0),
        `the selection model failed (${error.code})`,
        await countCalls(deps),
        await savedTests(deps),
      );
    }
    throw error;
  }
}

function fallback(
  chosenCandidateId: number,
  fallbackReason: string,
  calls: number,
  tests: SelectionTest[],
): SelectionReport {
  return { method: 'fallback', chosenCandidateId, fallbackReason, calls, tests };
}

async function loadData(deps: SelectionDeps): Promise<ChatData<SelectionX> | undefined> {
  const snapshot = await loadMachineSnapshot<ChatData<SelectionX>>(
    deps.store,
    deps.runId,
    SELECTION_MACHINE_ID,
  );
  return snapshot?.data;
}
async function countCalls(deps: SelectionDeps): Promise<number> {
  return (await loadData(deps))?.attempts ?? 0;
}
async function savedTests(deps: SelectionDeps): Promise<SelectionTest[]> {
  return (await loadData(deps))?.x.tests ?? [];
}
