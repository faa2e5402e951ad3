import { describe, it, expect } from 'vitest';
import { ScriptedLlm, type ScriptedRule } from '../../../src/llm/scripted.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { createScriptRunner } from '../../../src/pipeline/generate/script-runner.js';
import {
  runEditingMachine,
  type EditingMachineDeps,
} from '../../../src/pipeline/generate/editing-machine.js';
import { summarizeForModel } from '../../../src/pipeline/generate/output-cap.js';
import { FakeEnvironment, execResult, type FakeExecHandler } from '../../fakes/fake-environment.js';
import {
  CALC_PY,
  DONE_REPLY,
  GOOD_EDIT,
  TEST_SCRIPT,
  makeRequest,
  prompts,
  testReply,
} from './helpers.js';

const FILES: Record<string, string> = {
  'calc.py': CALC_PY,
  'util.py': 'def helper():\n    return 1\n',
};

/** Exit 2 on the original, 0 when a patch is applied (a correct fix). */
const fixWorks: FakeExecHandler = (req) =>
  req.patch === undefined
    ? { exitCode: 2, combined: 'got -1\n' }
    : { exitCode: 0, combined: 'got 5\n' };

function setup(
  rules: ScriptedRule[],
  handler: FakeExecHandler = fixWorks,
  seed: EditingMachineDeps['seed'] = {
    test: TEST_SCRIPT,
    testOutput: summarizeForModel(execResult({ exitCode: 2, combined: 'got -1\n' })),
  },
) {
  const request = makeRequest();
  const llm = new ScriptedLlm({ rules });
  const env = new FakeEnvironment(handler);
  const deps: EditingMachineDeps = {
    sampleIndex: 1,
    request,
    contextFiles: [
      { path: 'calc.py', content: CALC_PY },
      { path: 'util.py', content: FILES['util.py'] as string },
    ],
    readFile: async (p) => FILES[p],
    llm,
    prompts,
    store: new MemoryRunStore(),
    runner: createScriptRunner(env, request.config, 1),
    seed,
  };
  return { llm, env, deps };
}

describe('editing-machine', () => {
  it('turns an edit into a diff, runs the test on the original and the edited repo, and ends on <done>', async () => {
    const { llm, env, deps } = setup([
      { key: 'editing/s1/t0', reply: GOOD_EDIT },
      { key: 'editing/s1/t1', reply: DONE_REPLY },
    ]);
    const out = await runEditingMachine(deps);
    expect(out).toMatchObject({ end: 'DONE', calls: 2 });
    expect(out.data.diff).toContain('-    return a - b\n+    return a + b\n');
    expect(out.data.test).toBe(TEST_SCRIPT);
    expect(out.data.testOutput?.exitCode).toBe(2);
    expect(out.data.editedOutput?.exitCode).toBe(0);
    expect(out.data.executions).toBe(2);
    expect(env.runs.map((r) => r.patch === undefined)).toEqual([true, false]);
    expect(env.runs[1]?.patch).toBe(out.data.diff);
    expect(env.runs.every((r) => r.files['reproduce_1.py'] === TEST_SCRIPT)).toBe(true);
    const feedback = llm.calls[1]?.messages.at(-1)?.content ?? '';
    expect(feedback).toContain('<diff>\ndiff --git a/calc.py b/calc.py');
    expect(feedback).toMatch(
      /ORIGINAL repository:\n\nExit code: 2[\s\S]*WITH YOUR EDIT applied:\n\nExit code: 0/,
    );
    expect(feedback).toContain('the test may itself be wrong');
  });

  it('shows the seeded test and its output first; the system prompt holds the files and is sample-independent', async () => {
    const { llm, deps } = setup([{ reply: GOOD_EDIT, times: 1 }, { reply: DONE_REPLY }]);
    await runEditingMachine(deps);
    const first = llm.calls[0]?.messages[0]?.content ?? '';
    expect(first).toContain(`<test>\n${TEST_SCRIPT}\n</test>`);
    expect(first).toContain('Exit code: 2');
    const system = llm.calls[0]?.system ?? '';
    expect(system).toContain('<file path="calc.py">\ndef add(a, b):');
    expect(system).toContain('<<<<<<< SEARCH shop/cart.py');
    const other = setup([{ reply: GOOD_EDIT, times: 1 }, { reply: DONE_REPLY }], fixWorks, {});
    await runEditingMachine({ ...other.deps, sampleIndex: 7 });
    expect(other.llm.calls[0]?.system).toBe(system);
    expect(other.llm.calls[0]?.key).toBe('editing/s7/t0');
  });

  it('sends edit errors back verbatim, costing an attempt, and keeps the previous edit', async () => {
    const bad =
      '<edit>\n<<<<<<< SEARCH calc.py\n    return a * b\n=======\n    return a + b\n>>>>>>> REPLACE\n</edit>';
    const { llm, env, deps } = setup([
      { key: 'editing/s1/t0', reply: GOOD_EDIT },
      { key: 'editing/s1/t1', reply: bad },
      { key: 'editing/s1/t2', reply: DONE_REPLY },
    ]);
    const out = await runEditingMachine(deps);
    expect(out).toMatchObject({ end: 'DONE', calls: 3 });
    const message = llm.calls[2]?.messages.at(-1)?.content ?? '';
    expect(message).toContain('Your edit could not be applied');
    expect(message).toContain('- Block 1 (calc.py): the SEARCH lines do not exactly match');
    expect(message).toContain('line 2:\n```\n    return a - b\n```');
    expect(env.runs).toHaveLength(2);
    expect(out.data.diff).toContain('+    return a + b');
  });

  it('re-runs a new test against the last edit', async () => {
    const newTest = 'print("v2")\nraise SystemExit(2)\n';
    const { llm, env, deps } = setup([
      { key: 'editing/s1/t0', reply: GOOD_EDIT },
      { key: 'editing/s1/t1', reply: testReply(newTest) },
      { key: 'editing/s1/t2', reply: DONE_REPLY },
    ]);
    const out = await runEditingMachine(deps);
    expect(out.data.test).toBe(newTest);
    expect(env.runs).toHaveLength(4);
    expect(env.runs[3]?.patch).toBe(out.data.diff);
    expect(env.runs[3]?.files['reproduce_1.py']).toBe(newTest);
    expect(llm.calls[2]?.messages.at(-1)?.content).toMatch(
      /^Your new test script was run against your current edit/,
    );
  });

  it('without a seeded test asks for one, and runs nothing until it exists', async () => {
    const { llm, env, deps } = setup(
      [
        { key: 'editing/s1/t0', reply: GOOD_EDIT },
        { key: 'editing/s1/t1', reply: testReply() },
        { key: 'editing/s1/t2', reply: DONE_REPLY },
      ],
      fixWorks,
      {},
    );
    const out = await runEditingMachine(deps);
    expect(llm.calls[0]?.messages[0]?.content).toMatch(/No test script exists/);
    expect(llm.calls[1]?.messages.at(-1)?.content).toContain(
      '(not run: there is no test script yet',
    );
    expect(env.runs).toHaveLength(2);
    expect(out).toMatchObject({ end: 'DONE' });
    expect(out.data.test).toBe(TEST_SCRIPT);
    expect(out.data.editedOutput?.exitCode).toBe(0);
  });

  it('runs a new test on the original only while there is no valid edit yet', async () => {
    const { llm, env, deps } = setup([
      { key: 'editing/s1/t0', reply: testReply('raise SystemExit(2)\n') },
      { key: 'editing/s1/t1', reply: GOOD_EDIT },
      { key: 'editing/s1/t2', reply: DONE_REPLY },
    ]);
    const out = await runEditingMachine(deps);
    expect(env.runs.map((r) => r.patch === undefined)).toEqual([true, true, false]);
    const feedback = llm.calls[1]?.messages.at(-1)?.content ?? '';
    expect(feedback).toContain('<diff>\n\n</diff>');
    expect(feedback).toContain('(not run: there is no valid edit yet)');
    expect(out.data.executions).toBe(3);
  });

  it('reports a patch that fails to apply as exit 1, never a crash', async () => {
    const { llm, deps } = setup(
      [
        { key: 'editing/s1/t0', reply: GOOD_EDIT },
        { key: 'editing/s1/t1', reply: DONE_REPLY },
      ],
      (req) =>
        req.patch === undefined
          ? { exitCode: 2 }
          : { exitCode: 1, patchError: 'error: patch failed: calc.py:1' },
    );
    const out = await runEditingMachine(deps);
    expect(out.end).toBe('DONE');
    expect(out.data.editedOutput?.patchError).toMatch(/patch failed/);
    expect(llm.calls[1]?.messages.at(-1)?.content).toContain(
      'The edit could not be applied, so the script was not run (counted as exit code 1).',
    );
  });

  it('rejects <done> before any valid edit, as a format error', async () => {
    const { llm, deps } = setup([
      { key: 'editing/s1/t0', reply: DONE_REPLY },
      { key: 'editing/s1/t1', reply: GOOD_EDIT },
      { key: 'editing/s1/t2', reply: DONE_REPLY },
    ]);
    const out = await runEditingMachine(deps);
    expect(out).toMatchObject({ end: 'DONE', calls: 3 });
    expect(llm.calls[1]?.messages.at(-1)?.content).toMatch(/there is no valid edit yet/);
  });

  it('keeps the last valid edit and last test at MAX_ATTEMPTS', async () => {
    const { deps } = setup([
      { key: 'editing/s1/t0', reply: GOOD_EDIT },
      { reply: 'Hmm, let me think more.' },
    ]);
    const out = await runEditingMachine(deps);
    expect(out).toMatchObject({ end: 'MAX_ATTEMPTS', calls: 8 });
    expect(out.data.diff).toContain('+    return a + b');
    expect(out.data.test).toBe(TEST_SCRIPT);
  });
});
