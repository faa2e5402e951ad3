import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import { collectDockerStream, type DockerStopReason } from './docker-stream-collector.js';
import type { OutputCapture } from './output-sink.js';

export interface DockerExecOptions {
  cmd: string[];
  user: string;
  workingDir: string;
  env?: string[];
  /** Written to the process's stdin, which is then closed. */
  stdin?: Buffer;
  capBytes: number;
  /** Output beyond this many bytes stops the execution (the container is killed). */
  hardLimitBytes: number;
  /** Host-side backstop: after this many ms the container is killed. */
  deadlineMs: number;
  signal?: AbortSignal;
  /** Kills the container (idempotent). Called on deadline, output flood or abort. */
  kill: () => Promise<void>;
}

export interface DockerExecOutcome {
  exitCode: number;
  output: OutputCapture;
  stoppedBy?: DockerStopReason;
  durationMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one command with `docker exec`, demultiplexing its output into capped sinks.
 * Ends when the stream ends, or shortly after the exec'd process exits even if a background
 * child still holds its stdout open (polled with backoff), or when the deadline/flood/abort kills
 * the container.
 */
export async function runDockerExec(
  container: Docker.Container,
  options: DockerExecOptions,
): Promise<DockerExecOutcome> {
  const started = Date.now();
  const exec = await container.exec({
    Cmd: options.cmd,
    User: options.user,
    WorkingDir: options.workingDir,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: options.stdin !== undefined,
    Tty: false,
    ...(options.env ? { Env: options.env } : {}),
  });
  const stream = (await exec.start({ hijack: true, stdin: options.stdin !== undefined })) as Duplex;
  if (options.stdin !== undefined) stream.end(options.stdin);
  const collector = collectDockerStream(stream, options);
  const { ended } = collector;

  // Background children may keep the stream open after the main process exits: poll.
  const poller = (async () => {
    let delay = 150;
    while (!collector.finished) {
      await Promise.race([sleep(delay), ended]);
      if (collector.finished) return;
      delay = Math.min(delay * 2, 1_000);
      try {
        const info = await exec.inspect();
        if (!info.Running && !collector.finished) {
          await Promise.race([sleep(200), ended]);
          stream.destroy();
          return;
        }
      } catch {
        return;
      }
    }
  })();

  await ended;
  const stoppedBy = collector.finish();
  await poller;

  let exitCode = 137;
  try {
    const info = await exec.inspect();
    if (typeof info.ExitCode === 'number' && !info.Running) exitCode = info.ExitCode;
  } catch {
    // The container is gone (killed): keep 137.
  }
  if (stoppedBy !== undefined) exitCode = 137;
  return {
    exitCode,
    output: collector.output,
    ...(stoppedBy ? { stoppedBy } : {}),
    durationMs: Date.now() - started,
  };
}
