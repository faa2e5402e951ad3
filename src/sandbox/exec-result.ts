import type { DockerExecOutcome } from './docker-exec.js';
import type { ExecResult } from './types.js';

/** Timed out: killed by `timeout -s KILL` (137 at or past the limit) or by the host deadline. */
export function buildExecResult(
  outcome: Pick<DockerExecOutcome, 'exitCode' | 'output' | 'stoppedBy' | 'durationMs'>,
  timeoutMs: number,
): ExecResult {
  const timedOut =
    outcome.stoppedBy === 'deadline' ||
    (outcome.exitCode === 137 && outcome.durationMs >= timeoutMs - 50);
  const truncated = outcome.output.truncated || outcome.stoppedBy === 'output-limit';
  return {
    exitCode: outcome.exitCode,
    stdout: outcome.output.stdout.toString(),
    stderr: outcome.output.stderr.toString(),
    combined: outcome.output.combined.toString(),
    timedOut,
    truncated,
    durationMs: outcome.durationMs,
    outputBytes: outcome.output.totalBytes,
    ...(outcome.stoppedBy === 'output-limit' ? { stoppedBy: 'output-limit' as const } : {}),
    ...(timedOut ? { stoppedBy: 'timeout' as const } : {}),
  };
}

/** The patch did not apply: reported as exit 1 with the reason, the script never ran. */
export function buildPatchErrorResult(reason: string, durationMs: number): ExecResult {
  return {
    exitCode: 1,
    stdout: '',
    stderr: reason,
    combined: reason,
    timedOut: false,
    truncated: false,
    durationMs,
    patchError: reason,
  };
}
