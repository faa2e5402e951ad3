import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCodemonkeysError } from '../../../src/errors.js';
import type { Environment, RepoSnapshot, SandboxProvider } from '../../../src/sandbox/types.js';
import {
  BAD_PATCH,
  FUZZY_PATCH,
  GOOD_PATCH,
  TEST_ADD,
  createTestProvider,
  disposeAndCount,
  makeFixtureRepo,
  makeSpec,
  py,
  removeDir,
} from './helpers.js';

const FAKE_SECRET = `ghs_fake_${randomUUID().replace(/-/g, '')}`;

describe('sandbox provider conformance', () => {
  describe.each(['docker', 'local'] as const)('%s backend', (kind) => {
    const label = `conformance-${kind}-${randomUUID().slice(0, 8)}`;
    let provider: SandboxProvider;
    let snapshot: RepoSnapshot;
    let env: Environment;

    beforeAll(async () => {
      process.env.CODEMONKEYS_FAKE_TOKEN = FAKE_SECRET;
      provider = createTestProvider(kind, label, 2);
      snapshot = await makeFixtureRepo(`conf-${kind}`);
      env = await provider.prepare(
        makeSpec({ setup: ['echo prepared > .setup-marker'] }),
        snapshot,
      );
    });

    afterAll(async () => {
      delete process.env.CODEMONKEYS_FAKE_TOKEN;
      await provider.close();
      await removeDir(snapshot.dir);
    });

    it('runs a script in the scratch dir and reports stdout, stderr, combined and the exit code', async () => {
      const result = await env.run(
        py(
          // One write per stream: with unbuffered Python, print() writes each piece separately and
          // the two pipes may interleave mid-line, which is not what this test is about.
          'import os, sys\nsys.stdout.write("out " + os.path.basename(os.getcwd()) + "\\n")\nsys.stderr.write("err\\n")\nsys.exit(3)\n',
        ),
      );
      expect(result.exitCode).toBe(3);
      expect(result.stdout).toBe('out scratch\n');
      expect(result.stderr).toBe('err\n');
      expect(result.combined).toContain('err\n');
      expect(result.combined.length).toBe(result.stdout.length + result.stderr.length);
      expect(result.timedOut).toBe(false);
      expect(result.truncated).toBe(false);
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('runs a script named by its absolute path under scratchDir', async () => {
      const result = await env.run({
        files: { 'tests/check.py': 'import os\nprint(os.path.basename(__file__))\n' },
        argv: ['python3', `${env.scratchDir}/tests/check.py`],
        timeoutMs: 20_000,
        outputCapBytes: 4_096,
      });
      expect(result.stdout).toBe('check.py\n');
      expect(result.exitCode).toBe(0);
    });

    it('gives the repository as a clean git repo at the base state, with setup output hidden', async () => {
      const result = await env.run({
        files: {
          'check.sh':
            'cd "$CODEMONKEYS_WORKDIR" && git status --porcelain && git log --oneline | wc -l && cat .setup-marker && ls pkg',
        },
        argv: ['sh', 'check.sh'],
        timeoutMs: 20_000,
        outputCapBytes: 65_536,
      });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('1\nprepared\n__init__.py\ncalc.py\n');
      if (kind === 'docker') expect(env.workdir).toBe('/workspace/repo');
    });

    it('applies a patch with git apply before running, and git diff shows it', async () => {
      const result = await env.run(py(`${TEST_ADD}`, { patch: GOOD_PATCH }));
      expect(result.patchError).toBeUndefined();
      expect(result.stdout).toBe('add(2, 3) = 5\n');
      expect(result.exitCode).toBe(0);
      const diff = await env.run({
        files: {},
        patch: GOOD_PATCH,
        argv: ['sh', '-c', 'cd "$CODEMONKEYS_WORKDIR" && git diff --stat'],
        timeoutMs: 20_000,
        outputCapBytes: 65_536,
      });
      expect(diff.stdout).toContain('pkg/calc.py | 2 +-');
    });

    it('falls back to patch --fuzz=5 when git apply refuses', async () => {
      const result = await env.run(py(TEST_ADD, { patch: FUZZY_PATCH }));
      expect(result.patchError).toBeUndefined();
      expect(result.exitCode).toBe(0);
    });

    it('reports a patch that does not apply as a result with git reason, without running the script', async () => {
      const result = await env.run(py('print("ran")\n', { patch: BAD_PATCH }));
      expect(result.exitCode).toBe(1);
      expect(result.patchError).toMatch(/nothere\.py/);
      expect(result.stdout).not.toContain('ran');
    });

    it('isolates executions from each other (repo edits, temp files)', async () => {
      const first = await env.run(
        py(
          'import os\nopen(os.environ["CODEMONKEYS_WORKDIR"] + "/pkg/calc.py", "w").write("broken")\nimport tempfile\nopen(tempfile.gettempdir() + "/leak", "w").write("x")\n',
        ),
      );
      expect(first.exitCode).toBe(0);
      const second = await env.run(
        py(
          `import os\n${TEST_ADD.replace('sys.exit', 'import tempfile\nprint(os.path.exists(tempfile.gettempdir() + "/leak"))\nsys.exit')}`,
        ),
      );
      expect(second.stdout).toBe('add(2, 3) = -1\nFalse\n');
    });

    it('kills a script at its time limit and keeps the partial output', async () => {
      const started = Date.now();
      const result = await env.run(
        py('import time\nprint("started", flush=True)\ntime.sleep(60)\n', { timeoutMs: 1_500 }),
      );
      expect(result.timedOut).toBe(true);
      expect(result.exitCode).toBe(137);
      expect(result.stdout).toBe('started\n');
      expect(Date.now() - started).toBeLessThan(8_000);
    });

    it('caps output, keeping head and tail, and flags it truncated', async () => {
      const result = await env.run(
        py('print("FIRST")\nfor i in range(20000):\n    print("line", i)\nprint("LAST")\n', {
          outputCapBytes: 4_096,
        }),
      );
      expect(result.exitCode).toBe(0);
      expect(result.truncated).toBe(true);
      expect(result.stdout.startsWith('FIRST\n')).toBe(true);
      expect(result.stdout.endsWith('LAST\n')).toBe(true);
      expect(result.stdout).toMatch(/bytes omitted/);
      expect(result.stdout.length).toBeLessThan(4_096 + 100);
      expect(result.outputBytes).toBeGreaterThan(200_000);
    });

    it('passes no host environment variables (no tokens) to scripts', async () => {
      expect(process.env.CODEMONKEYS_FAKE_TOKEN).toBe(FAKE_SECRET);
      const result = await env.run(
        py('import os\nfor k, v in sorted(os.environ.items()):\n    print(f"{k}={v}")\n'),
      );
      expect(result.exitCode).toBe(0);
      expect(result.stdout).not.toContain(FAKE_SECRET);
      expect(result.stdout).not.toContain('CODEMONKEYS_FAKE_TOKEN');
      expect(result.stdout).toContain('CODEMONKEYS_WORKDIR=');
    });

    it('limits concurrent executions to the provider concurrency', async () => {
      const started = Date.now();
      const results = await Promise.all(
        [0, 1, 2, 3].map(() =>
          env.run({ files: {}, argv: ['sleep', '1'], timeoutMs: 20_000, outputCapBytes: 1_024 }),
        ),
      );
      expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0, 0]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    });

    it('cancels a running execution through its AbortSignal', async () => {
      const controller = new AbortController();
      const started = Date.now();
      const running = env.run(py('import time\ntime.sleep(60)\n', { signal: controller.signal }));
      setTimeout(() => controller.abort(), 700);
      const error = await running.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isCodemonkeysError(error, 'CANCELLED')).toBe(true);
      expect(Date.now() - started).toBeLessThan(6_000);
    });

    it('refuses file names that escape the scratch directory', async () => {
      const error = await env
        .run({
          files: { '../escape.py': 'x' },
          argv: ['true'],
          timeoutMs: 5_000,
          outputCapBytes: 1_024,
        })
        .catch((e: unknown) => e);
      expect(isCodemonkeysError(error, 'SANDBOX_ERROR')).toBe(true);
    });

    it('fails setup with SANDBOX_SETUP_FAILED and the command, exit code and output tail', async () => {
      const error = await provider
        .prepare(makeSpec({ setup: ['true', 'echo boom-happened; exit 7'] }), snapshot)
        .catch((e: unknown) => e);
      expect(isCodemonkeysError(error, 'SANDBOX_SETUP_FAILED')).toBe(true);
      if (!isCodemonkeysError(error)) return;
      expect(error.details).toMatchObject({ command: 'echo boom-happened; exit 7', exitCode: 7 });
      expect(String(error.details.outputTail)).toContain('boom-happened');
    });

    it('fails a hanging setup at its timeout instead of hanging', async () => {
      const started = Date.now();
      const error = await provider
        .prepare(makeSpec({ setup: ['echo waiting; sleep 60'], setupTimeoutMs: 1_500 }), snapshot)
        .catch((e: unknown) => e);
      expect(isCodemonkeysError(error, 'SANDBOX_SETUP_FAILED')).toBe(true);
      expect(Date.now() - started).toBeLessThan(15_000);
    });

    it('leaves nothing behind once closed', async () => {
      expect(await disposeAndCount(provider, label)).toBe(0);
    });
  });
});
