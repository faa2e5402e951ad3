import { spawn } from 'node:child_process';
import { OutputCapture } from './output-sink.js';

export interface ProcessOutcome {
  exitCode: number;
  output: OutputCapture;
  stoppedBy?: 'deadline' | 'output-limit' | 'abort';
  durationMs: number;
}

export interface ProcessOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  capBytes: number;
  hardLimitBytes: number;
  signal?: AbortSignal;
}

/**
 * Runs a child process in its own process group (so a timeout kills its children too), with
 * capped output. Local backend only: this is NOT isolation.
 */
export function runProcess(options: ProcessOptions): Promise<ProcessOutcome> {
  const started = Date.now();
  const output = new OutputCapture(options.capBytes);
  const [command, ...args] = options.argv;
  return new Promise((resolve) => {
    let stoppedBy: ProcessOutcome['stoppedBy'];
    let settled = false;
    const child = spawn(command ?? 'false', args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const stop = (reason: NonNullable<ProcessOutcome['stoppedBy']>): void => {
      if (stoppedBy === undefined) stoppedBy = reason;
      killGroup();
    };
    const onData = (which: 'stdout' | 'stderr') => (chunk: Buffer) => {
      output.write(which, chunk);
      if (output.totalBytes > options.hardLimitBytes) stop('output-limit');
    };
    child.stdout.on('data', onData('stdout'));
    child.stderr.on('data', onData('stderr'));
    const timer = setTimeout(() => stop('deadline'), options.timeoutMs);
    const onAbort = (): void => stop('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (exitCode: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      killGroup(); // background children left by the script die with the group
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({
        exitCode,
        output,
        ...(stoppedBy ? { stoppedBy } : {}),
        durationMs: Date.now() - started,
      });
    };
    child.on('error', (error) => {
      output.write('stderr', Buffer.from(`${error.message}\n`));
      finish(127);
    });
    let closedPipes = 0;
    let exitCode: number | undefined;
    const maybeFinish = (): void => {
      if (exitCode !== undefined && closedPipes === 2) finish(exitCode);
    };
    child.stdout.once('close', () => {
      closedPipes += 1;
      maybeFinish();
    });
    child.stderr.once('close', () => {
      closedPipes += 1;
      maybeFinish();
    });
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal === 'SIGKILL' ? 137 : 143);
      maybeFinish();
      // A background child may still hold the pipes: give them a moment, then stop reading.
      const code_ = exitCode;
      setTimeout(() => finish(code_), 200).unref();
    });
    if (options.signal?.aborted) onAbort();
  });
}
