import type { Environment, ExecRequest, ExecResult } from '../../src/sandbox/types.js';

/**
 * A sandbox Environment for unit tests: every run is recorded and answered by the test's handler
 * with a scripted result (missing fields get neutral defaults). Nothing is executed.
 */
export type FakeExecHandler = (
  request: ExecRequest,
  index: number,
) => Partial<ExecResult> | Promise<Partial<ExecResult>>;

export function execResult(partial: Partial<ExecResult> = {}): ExecResult {
  const combined = partial.combined ?? `${partial.stdout ?? ''}${partial.stderr ?? ''}`;
  const result: ExecResult = {
    exitCode: partial.exitCode ?? 0,
    stdout: partial.stdout ?? combined,
    stderr: partial.stderr ?? '',
    combined,
    timedOut: partial.timedOut ?? false,
    truncated: partial.truncated ?? false,
    durationMs: partial.durationMs ?? 5,
  };
  if (partial.patchError !== undefined) result.patchError = partial.patchError;
  return result;
}

export class FakeEnvironment implements Environment {
  readonly id = 'fake-env';
  readonly scratchDir = '/scratch';
  readonly workdir = '/workspace/repo';
  readonly runs: ExecRequest[] = [];
  disposed = false;

  constructor(private readonly handler: FakeExecHandler = () => ({})) {}

  async run(request: ExecRequest): Promise<ExecResult> {
    if (this.disposed) throw new Error('fake environment used after dispose');
    const index = this.runs.length;
    this.runs.push(request);
    return execResult(await this.handler(request, index));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  /** The script text of a recorded run (its single scratch file). */
  static scriptOf(request: ExecRequest): string {
    return Object.values(request.files)[0] ?? '';
  }
}
