import { describe, it, expect } from 'vitest';
import { ScriptedLlm } from '../../../src/llm/scripted.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { createScriptRunner } from '../../../src/pipeline/generate/script-runner.js';
import { runTestingMachine } from '../../../src/pipeline/generate/testing-machine.js';
import { FakeEnvironment } from '../../fakes/fake-environment.js';
import { DONE_REPLY, makeRequest, prompts, testReply } from './helpers.js';

function setup(rules: ConstructorParameters<typeof ScriptedLlm>[0]['rules'], config = {}) {
  const request = makeRequest(config);
  const llm = new ScriptedLlm({ rules });
  const env = new FakeEnvironment(() => ({
    exitCode: 2,
    combined: 'add(2, 3) = -1, expected 5\n',
  }));
  const store = new MemoryRunStore();
  const deps = {
    sampleIndex: 3,
    request,
    llm,
    prompts,
    store,
    runner: createScriptRunner(env, request.config, 3),
  };
  return { llm, env, store, deps };
}

describe('testing-machine', () => {
  it('writes a script, runs it on the unedited repo, shows the result and ends on <done>', async () => {
    const { llm, env, deps } = setup([
      { key: 'testing/s3/t0', reply: testReply() },
      { key: 'testing/s3/t1', reply: DONE_REPLY },
    ]);
    const out = await runTestingMachine(deps);
    expect(out.end).toBe('DONE');
    expect(out.calls).toBe(2);
    expect(out.data.script).toContain('from calc import add');
    expect(out.data.output).toMatchObject({ exitCode: 2, timedOut: false });
    expect(out.data.executions).toBe(1);
    const run = env.runs[0];
    expect(run?.files).toEqual({ 'reproduce_3.py': out.data.script });
    expect(run?.argv).toEqual(['python3', '/scratch/reproduce_3.py']);
    expect(run?.timeoutMs).toBe(100_000);
    expect(run?.patch).toBeUndefined();
    const feedback = llm.calls[1]?.messages.at(-1)?.content ?? '';
    expect(feedback).toContain('Exit code: 2');
    expect(feedback).toContain('add(2, 3) = -1, expected 5');
    expect(feedback).toContain('You have 7 turns left.');
  });

  it('puts the issue in a cached system prompt identical across samples', async () => {
    const a = setup([{ reply: testReply(), times: 1 }, { reply: DONE_REPLY }]);
    await runTestingMachine(a.deps);
    const system = a.llm.calls[0]?.system ?? '';
    expect(system).toContain('<issue>\n<title>add() subtracts</title>');
    expect(system).toContain('exit 2 while the issue is NOT solved');
    expect(system).not.toContain('s3');
  });

  it('uses the JavaScript runner and extension from the repo config', async () => {
    const { env, deps } = setup(
      [{ reply: testReply('process.exit(2)\n'), times: 1 }, { reply: DONE_REPLY }],
      {
        sandbox: {
          ...makeRequest().config.sandbox,
          test: { command: 'node {file}', extension: '.js', language: 'JavaScript' },
        },
      },
    );
    const out = await runTestingMachine(deps);
    expect(out.end).toBe('DONE');
    expect(env.runs[0]?.argv).toEqual(['node', '/scratch/reproduce_3.js']);
    expect(Object.keys(env.runs[0]?.files ?? {})).toEqual(['reproduce_3.js']);
  });

  it('treats <done> before any script as a format error', async () => {
    const { llm, deps } = setup([
      { key: 'testing/s3/t0', reply: DONE_REPLY },
      { key: 'testing/s3/t1', reply: testReply() },
      { key: 'testing/s3/t2', reply: DONE_REPLY },
    ]);
    const out = await runTestingMachine(deps);
    expect(out).toMatchObject({ end: 'DONE', calls: 3 });
    expect(llm.calls[1]?.messages.at(-1)?.content).toMatch(/no script has been written yet/);
  });

  it('replaces the script and keeps the last script and its last output at MAX_ATTEMPTS', async () => {
    const { deps, env } = setup([{ reply: (r) => testReply(`print(${r.key.slice(-1)})\n`) }], {
      maxAttempts: 3,
    });
    const out = await runTestingMachine(deps);
    expect(out.end).toBe('MAX_ATTEMPTS');
    expect(out.calls).toBe(3);
    expect(out.data.script).toBe('print(2)\n');
    expect(env.runs).toHaveLength(3);
  });

  it('ends with no script when the model never writes one', async () => {
    const { deps, env } = setup([{ reply: 'I am not sure.' }], { maxAttempts: 2 });
    const out = await runTestingMachine(deps);
    expect(out).toMatchObject({ end: 'MAX_ATTEMPTS', calls: 2 });
    expect(out.data.script).toBeUndefined();
    expect(env.runs).toHaveLength(0);
  });

  it('resumes from its checkpoint without repeating model calls or executions already persisted', async () => {
    const first = setup([
      { key: 'testing/s3/t0', reply: testReply() },
      {
        key: 'testing/s3/t1',
        reply: () => {
          throw new Error('network down');
        },
      },
    ]);
    await expect(runTestingMachine(first.deps)).rejects.toThrow('network down');
    expect(first.env.runs).toHaveLength(1);
    const llm = new ScriptedLlm({ rules: [{ key: 'testing/s3/t1', reply: DONE_REPLY }] });
    const env = new FakeEnvironment();
    const out = await runTestingMachine({
      ...first.deps,
      llm,
      runner: createScriptRunner(env, first.deps.request.config, 3),
    });
    expect(out).toMatchObject({ end: 'DONE', calls: 2, resumed: true });
    expect(llm.calls.map((c) => c.key)).toEqual(['testing/s3/t1']);
    expect(env.runs).toHaveLength(0);
    expect(out.data.output?.exitCode).toBe(2);
  });
});
