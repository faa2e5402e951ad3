import { describe, it, expect } from 'vitest';
import {
  runSelection,
  type SelectionInput,
} from '../../../src/pipeline/select/selection-machine.js';
import { ScriptedLlm, type ScriptedRule } from '../../../src/llm/scripted.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { loadPrompts } from '../../../src/llm/prompts.js';
import { PROMPT_SPECS } from '../../../src/llm/prompt-specs.js';
import { repoConfigSchema } from '../../../src/config/repo-config.js';
import { CodemonkeysError } from '../../../src/errors.js';
import type { Environment, ExecRequest, ExecResult } from '../../../src/sandbox/types.js';

const selectionSpecs = Object.fromEntries(
  Object.entries(PROMPT_SPECS).filter(([name]) => name.startsWith('selection.')),
);
const prompts = loadPrompts(undefined, selectionSpecs);
const config = repoConfigSchema.parse({ maxAttempts: 4 });

function fakeEnv(): Environment & { requests: ExecRequest[] } {
  const requests: ExecRequest[] = [];
  return {
    id: 'fake',
    scratchDir: '/scratch',
    workdir: '/workspace/repo',
    requests,
    async run(request): Promise<ExecResult> {
      requests.push(request);
      const base = { stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 1 };
      if (request.patch === 'BROKEN')
        return { ...base, exitCode: 1, combined: '', patchError: 'hunk 1 failed' };
      const exitCode = request.patch === undefined ? 2 : request.patch === 'GOOD' ? 0 : 2;
      return { ...base, exitCode, combined: `exit ${exitCode}` };
    },
    async dispose() {},
  };
}

const input: SelectionInput = {
  candidates: [
    { candidateId: 4, diff: 'WRONG' },
    { candidateId: 1, diff: 'GOOD' },
    { candidateId: 7, diff: 'BROKEN' },
  ],
  files: [{ path: 'm.py', content: 'x = 1\n' }],
  exampleTest: 'print("example")',
  issue: { title: 'x is wrong', body: 'x should be 2' },
  repo: 'acme/widgets',
};

function deps(rules: ScriptedRule[], store = new MemoryRunStore()) {
  const llm = new ScriptedLlm({ rules });
  const env = fakeEnv();
  return { llm, env, store, d: { llm, env, store, prompts, runId: 'r1', config } };
}

describe('selection-machine', () => {
  it('runs each test on the original and every candidate, then returns the chosen candidate with reasoning', async () => {
    const { llm, env, d } = deps([
      { key: 'selection/t0', reply: 'Let me check.\n<test>import sys; sys.exit(2)</test>' },
      {
        key: 'selection/t1',
        reply: 'Only candidate 1 passes.\n<chosen_candidate_fix_id>1</chosen_candidate_fix_id>',
      },
    ]);
    const report = await runSelection(input, d);
    expect(report).toMatchObject({
      method: 'model',
      chosenCandidateId: 1,
      reasoning: 'Only candidate 1 passes.',
      calls: 2,
    });
    expect(env.requests).toHaveLength(4);
    expect(report.tests).toHaveLength(1);
    expect(report.tests[0]?.original.exitCode).toBe(2);
    expect(report.tests[0]?.candidates[1]?.exitCode).toBe(0);
    expect(report.tests[0]?.candidates[7]?.patchError).toBe('hunk 1 failed');
    const first = llm.calls[0];
    expect(first?.temperature).toBe(0);
    expect(first?.maxTokens).toBe(8192);
    expect(first?.messages[0]?.content).toContain('<candidate id="2">\nBROKEN');
    expect(first?.messages[0]?.content).toContain('OPTIONAL scaffolding');
    const feedback = llm.calls[1]?.messages[2]?.content ?? '';
    expect(feedback).toContain('candidate 1: exit 0');
    expect(feedback).toContain('candidate 2: did not apply');
  });

  it('re-asks after a malformed reply and an out-of-range id, each costing an attempt', async () => {
    const { llm, d } = deps([
      {
        key: 'selection/t0',
        reply: 'Hmm <chosen_candidate_fix_id>0</chosen_candidate_fix_id> <test>x</test>',
      },
      { key: 'selection/t1', reply: 'Pick <chosen_candidate_fix_id>9</chosen_candidate_fix_id>' },
      { key: 'selection/t2', reply: 'Zero. <chosen_candidate_fix_id>0</chosen_candidate_fix_id>' },
    ]);
    const report = await runSelection(input, d);
    expect(report).toMatchObject({ method: 'model', chosenCandidateId: 4, calls: 3 });
    expect(llm.calls[1]?.messages.at(-1)?.content).toContain('2 tagged blocks');
    expect(llm.calls[2]?.messages.at(-1)?.content).toContain('"9" is not a valid candidate id');
  });

  it('falls back to candidate 0 when attempts run out', async () => {
    const { llm, d } = deps([{ stage: 'selection', reply: 'I am unsure.' }]);
    const report = await runSelection(input, d);
    expect(report).toMatchObject({ method: 'fallback', chosenCandidateId: 4, calls: 4 });
    expect(report.fallbackReason).toContain('did not choose within 4');
    expect(llm.count()).toBe(4);
  });

  it('falls back to candidate 0 when the budget is exhausted and propagates cancellation', async () => {
    const over: ScriptedRule = {
      key: 'selection/t1',
      reply: () => {
        throw new CodemonkeysError('BUDGET_EXCEEDED', 'over budget', { retryable: false });
      },
    };
    const { d } = deps([{ key: 'selection/t0', reply: '<test>t</test>' }, over]);
    const report = await runSelection(input, d);
    expect(report).toMatchObject({ method: 'fallback', chosenCandidateId: 4, calls: 1 });
    expect(report.tests).toHaveLength(1);

    const controller = new AbortController();
    controller.abort();
    const again = deps([{ stage: 'selection', reply: '<test>t</test>' }]);
    await expect(
      runSelection(input, { ...again.d, signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('resumes from its checkpoint without asking the model again', async () => {
    const store = new MemoryRunStore();
    const first = deps(
      [{ key: 'selection/t0', reply: 'ok <chosen_candidate_fix_id>2</chosen_candidate_fix_id>' }],
      store,
    );
    await runSelection(input, first.d);
    const second = deps([], store);
    const report = await runSelection(input, second.d);
    expect(report).toMatchObject({ method: 'model', chosenCandidateId: 7 });
    expect(second.llm.count()).toBe(0);
  });
});
