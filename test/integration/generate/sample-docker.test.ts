import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../../src/config/repo-config.js';
import { loadPrompts } from '../../../src/llm/prompts.js';
import { ScriptedLlm } from '../../../src/llm/scripted.js';
import { createSilentLogger } from '../../../src/logger.js';
import { runGeneration } from '../../../src/pipeline/generate/run-samples.js';
import type { GenerationResult } from '../../../src/pipeline/generate/types.js';
import type { RunRequest } from '../../../src/pipeline/types.js';
import { createSandboxProvider } from '../../../src/sandbox/provider.js';
import type { Environment, SandboxProvider } from '../../../src/sandbox/types.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';

/**
 * One real sample (testing machine then editing machine) against the Docker sandbox on a tiny
 * Python repository, with a scripted model. The exit codes the model is shown are real.
 */
const CALC = 'def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n';
const TEST = [
  'import sys',
  "sys.path.insert(0, '/workspace/repo')",
  'from calc import add',
  'result = add(2, 3)',
  "print(f'add(2, 3) = {result}')",
  'sys.exit(0 if result == 5 else 2)',
  '',
].join('\n');
const block = (search: string): string =>
  `<edit>\n<<<<<<< SEARCH calc.py\ndef add(a, b):\n${search}\n=======\ndef add(a, b):\n    return a + b\n>>>>>>> REPLACE\n</edit>`;

describe('generation sample (docker)', () => {
  let sandbox: SandboxProvider;
  let env: Environment;
  let dir: string;
  let llm: ScriptedLlm;
  let out: GenerationResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cm-gen-it-'));
    writeFileSync(join(dir, 'calc.py'), CALC);
    const config = { ...DEFAULT_CONFIG, samples: 1 };
    const request: RunRequest = {
      runId: `it-gen-${process.pid}-${Date.now()}`,
      repo: 'fixtures/calc',
      issue: { number: 1, title: 'add() subtracts', body: 'add(2, 3) returns -1.' },
      snapshot: { dir, repo: 'fixtures/calc', commit: 'fixture-calc' },
      config,
    };
    sandbox = createSandboxProvider({
      kind: 'docker',
      concurrency: 2,
      logger: createSilentLogger(),
    });
    env = await sandbox.prepare(
      {
        image: config.sandbox.image,
        setup: [],
        workdir: config.sandbox.workdir,
        setupTimeoutMs: 120_000,
        cpus: 1,
        memoryMb: 512,
        pids: 128,
      },
      request.snapshot,
    );
    llm = new ScriptedLlm({
      rules: [
        {
          key: 'testing/s0/t0',
          reply: `Call add(2, 3).\n<test>\n\`\`\`python\n${TEST}\`\`\`\n</test>`,
        },
        { key: 'testing/s0/t1', reply: 'It exits 2 on the buggy code.\n<done>DONE</done>' },
        { key: 'editing/s0/t0', reply: block('  return a - b') },
        { key: 'editing/s0/t1', reply: block('    return a - b') },
        { key: 'editing/s0/t2', reply: 'Fixed.\n<done>DONE</done>' },
      ],
    });
    out = await runGeneration({
      request,
      contextFiles: [{ path: 'calc.py', content: CALC }],
      llm,
      env,
      prompts: loadPrompts(),
      store: new MemoryRunStore(),
      logger: createSilentLogger(),
    });
  }, 180_000);

  afterAll(async () => {
    await env?.dispose();
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the test on the unedited repository and shows the real result', () => {
    const feedback = llm.calls[1]?.messages.at(-1)?.content ?? '';
    expect(feedback).toContain('Exit code: 2');
    expect(feedback).toContain('add(2, 3) = -1');
    expect(out.samples[0]?.testing).toEqual({ end: 'DONE', calls: 2, hasTest: true });
  });

  it('sends a near-miss edit back, then runs the fixed edit on the original and edited repositories', () => {
    expect(llm.calls[3]?.messages.at(-1)?.content).toMatch(/differ only in whitespace/);
    const feedback = llm.calls[4]?.messages.at(-1)?.content ?? '';
    expect(feedback).toMatch(
      /ORIGINAL repository:\n\nExit code: 2[\s\S]*add\(2, 3\) = -1[\s\S]*WITH YOUR EDIT applied:\n\nExit code: 0[\s\S]*add\(2, 3\) = 5/,
    );
    expect(out.samples[0]?.editing).toEqual({ end: 'DONE', calls: 3, hasEdit: true });
  });

  it('returns the last test and the last edit as a diff', () => {
    const product = out.products[0];
    expect(product?.test).toBe(TEST);
    expect(product?.testOutput?.exitCode).toBe(2);
    expect(product?.diff).toBe(
      'diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,5 +1,5 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n \n \n def mul(a, b):\n',
    );
    expect(out.executions).toEqual({ testing: 1, editing: 2 });
  });
});
