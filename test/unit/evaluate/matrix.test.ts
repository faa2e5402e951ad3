import { describe, it, expect } from 'vitest';
import { runEvaluation } from '../../../src/pipeline/evaluate/matrix.js';
import { DEFAULT_CONFIG } from '../../../src/config/repo-config.js';
import type { Environment, ExecRequest, ExecResult } from '../../../src/sandbox/types.js';

/** A fake environment: the exit code is a pure function of (script, patch). */
function fakeEnv(
  decide: (script: string, patch: string | undefined) => number,
): Environment & { requests: ExecRequest[] } {
  const requests: ExecRequest[] = [];
  return {
    id: 'fake',
    scratchDir: '/scratch',
    workdir: '/workspace/repo',
    requests,
    async run(request: ExecRequest): Promise<ExecResult> {
      requests.push(request);
      const script = Object.values(request.files)[0] ?? '';
      const exitCode = request.patch === 'BROKEN\nPATCH\n' ? 1 : decide(script, request.patch);
      const out = `ran exit ${exitCode}`;
      return {
        exitCode,
        stdout: out,
        stderr: '',
        combined: out,
        timedOut: false,
        truncated: false,
        durationMs: 1,
        ...(request.patch === 'BROKEN\nPATCH\n' ? { patchError: 'does not apply' } : {}),
      };
    },
    async dispose() {},
  };
}

const good = 'GOOD\nEDIT\n';
const bad = 'BAD\nEDIT LONGER\n';

describe('matrix', () => {
  it('runs each distinct (test, edit) pair once plus each test on the original, and votes by exit code', async () => {
    const env = fakeEnv((script, patch) => {
      if (patch === undefined) return script === 'passes-anyway' ? 0 : 2;
      if (patch === good) return 0;
      return script === 'repro' ? 0 : 2;
    });
    const result = await runEvaluation(
      [
        { sampleIndex: 0, test: 'repro', diff: good },
        { sampleIndex: 1, test: 'repro', diff: bad },
        { sampleIndex: 2, test: 'strict', diff: good },
        { sampleIndex: 3, test: 'passes-anyway', diff: 'BROKEN\nPATCH\n' },
        { sampleIndex: 4, diff: '' },
      ],
      { env, config: DEFAULT_CONFIG, formatOutput: (r) => r.combined },
    );
    // 3 distinct scripts x (original + 3 distinct diffs)
    expect(env.requests).toHaveLength(12);
    expect(result.report.executions).toBe(12);
    expect(env.requests.every((r) => r.timeoutMs === 600_000)).toBe(true);
    expect(env.requests[0]?.argv).toEqual(['python3', '/scratch/vote_test.py']);
    const { tests, candidates, shortlist, dropped } = result.report;
    expect(tests.map((t) => [t.sampleIndex, t.reproduces])).toEqual([
      [0, true],
      [1, true],
      [2, true],
      [3, false],
    ]);
    expect(candidates.map((c) => [c.sampleIndices, c.exitCodes, c.votes, c.hasEvidence])).toEqual([
      [[0, 2], [0, 0, 0, 0], 4, true],
      [[1], [0, 0, 2, 2], 2, true],
      [[3], [1, 1, 1, 1], 0, false],
    ]);
    expect(shortlist).toEqual([0, 1, 2]);
    expect(dropped).toEqual([{ sampleIndex: 4, reason: 'empty diff' }]);
    expect(result.evidence[0]).toEqual({
      testId: 0,
      edited: expect.objectContaining({ exitCode: 0 }),
    });
    expect(result.evidence[2]).toBeUndefined();
  });

  it('treats zero candidates as a normal outcome', async () => {
    const env = fakeEnv(() => 2);
    const result = await runEvaluation([{ sampleIndex: 0, test: 'repro' }], {
      env,
      config: DEFAULT_CONFIG,
      formatOutput: (r) => r.combined,
    });
    expect(result.report.candidates).toEqual([]);
    expect(result.report.shortlist).toEqual([]);
    expect(result.report.tests).toHaveLength(1);
    expect(env.requests).toHaveLength(1);
  });

  it('propagates cancellation', async () => {
    const env = fakeEnv(() => 0);
    const controller = new AbortController();
    controller.abort();
    await expect(
      runEvaluation([{ sampleIndex: 0, test: 'x', diff: good }], {
        env,
        config: DEFAULT_CONFIG,
        formatOutput: (r) => r.combined,
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
