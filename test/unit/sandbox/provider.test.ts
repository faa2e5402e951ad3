import { afterEach, describe, expect, it } from 'vitest';
import { isCodemonkeysError } from '../../../src/errors.js';
import { createSilentLogger } from '../../../src/logger.js';
import { getEnvironmentKey, getRunImageName } from '../../../src/sandbox/environment-key.js';
import { buildExecResult } from '../../../src/sandbox/exec-result.js';
import { LOCAL_SANDBOX_ENV_FLAG } from '../../../src/sandbox/local-provider.js';
import { OutputCapture } from '../../../src/sandbox/output-sink.js';
import { createSandboxProvider } from '../../../src/sandbox/provider.js';

const spec = {
  image: 'img',
  setup: ['a'],
  workdir: '/w',
  setupTimeoutMs: 1,
  cpus: 1,
  memoryMb: 64,
  pids: 16,
};
const snapshot = { dir: '/tmp/x', repo: 'Owner/Repo.JS', commit: 'ABCDEF0123456789' };

describe('sandbox provider', () => {
  afterEach(() => {
    delete process.env[LOCAL_SANDBOX_ENV_FLAG];
  });

  it('refuses the unsafe local backend unless explicitly enabled', () => {
    let error: unknown;
    try {
      createSandboxProvider({ kind: 'local', concurrency: 1, logger: createSilentLogger() });
    } catch (e) {
      error = e;
    }
    expect(isCodemonkeysError(error, 'SANDBOX_UNAVAILABLE')).toBe(true);
    expect(
      createSandboxProvider({
        kind: 'local',
        concurrency: 1,
        allowUnsafeLocal: true,
        logger: createSilentLogger(),
      }).kind,
    ).toBe('local');
    process.env[LOCAL_SANDBOX_ENV_FLAG] = '1';
    expect(
      createSandboxProvider({ kind: 'local', concurrency: 1, logger: createSilentLogger() }).kind,
    ).toBe('local');
  });

  it('keys run images by repo, commit, spec and snapshot content', () => {
    const key = getEnvironmentKey(spec, snapshot, 'h1');
    expect(getEnvironmentKey(spec, snapshot, 'h1')).toBe(key);
    expect(getEnvironmentKey(spec, snapshot, 'h2')).not.toBe(key);
    expect(getEnvironmentKey({ ...spec, setup: ['b'] }, snapshot, 'h1')).not.toBe(key);
    expect(getEnvironmentKey(spec, { ...snapshot, commit: 'other' }, 'h1')).not.toBe(key);
    // Limits do not change the image content.
    expect(getEnvironmentKey({ ...spec, memoryMb: 128 }, snapshot, 'h1')).toBe(key);
    expect(getRunImageName(snapshot, key)).toBe(
      `codemonkeys/run:owner-repo-js-abcdef012345-${key.slice(0, 16)}`,
    );
  });

  it('classifies timeouts and output floods', () => {
    const output = new OutputCapture(10);
    expect(buildExecResult({ exitCode: 137, output, durationMs: 1_000 }, 1_000).timedOut).toBe(
      true,
    );
    expect(buildExecResult({ exitCode: 137, output, durationMs: 100 }, 1_000).timedOut).toBe(false);
    expect(
      buildExecResult({ exitCode: 137, output, durationMs: 10, stoppedBy: 'deadline' }, 1_000),
    ).toMatchObject({ timedOut: true, stoppedBy: 'timeout' });
    expect(
      buildExecResult({ exitCode: 137, output, durationMs: 10, stoppedBy: 'output-limit' }, 1_000),
    ).toMatchObject({ truncated: true, stoppedBy: 'output-limit', timedOut: false });
  });
});
