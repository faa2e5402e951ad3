import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import type { DockerExecOutcome } from './docker-exec.js';
import { collectDockerStream } from './docker-stream-collector.js';

/** A started, never-used container whose main process (the driver) waits for its input on stdin. */
export interface ArmedContainer {
  container: Docker.Container;
  /** Hijacked attach stream: stdin in, multiplexed stdout/stderr out. */
  stream: Duplex;
}

export interface ArmedRunOptions {
  /** Tar archive the driver unpacks from stdin (files, argv, timeout, nonce, patch). */
  input: Buffer;
  capBytes: number;
  hardLimitBytes: number;
  deadlineMs: number;
  signal?: AbortSignal;
  kill: () => Promise<void>;
}

const sleep = (ms: number): Promise<number> =>
  new Promise((resolve) => setTimeout(() => resolve(137), ms).unref());

/**
 * Feeds an armed container its input and collects its output until it exits. The container's
 * main process is the execution, so when it ends the container stops and every process the
 * script left behind dies with it; no `docker exec` is spawned on the critical path.
 */
export async function runArmedContainer(
  armed: ArmedContainer,
  options: ArmedRunOptions,
): Promise<DockerExecOutcome> {
  const started = Date.now();
  const { stream } = armed;
  const exitCode = armed.container.wait().then(
    (result: { StatusCode?: number }) => result.StatusCode ?? 137,
    () => 137,
  );
  const collector = collectDockerStream(stream, options);
  stream.end(options.input);
  await collector.ended;
  const stoppedBy = collector.finish();
  // The stream ends when the container exits; its status follows within moments.
  const code = await Promise.race([exitCode, sleep(10_000)]);
  return {
    exitCode: stoppedBy === undefined ? code : 137,
    output: collector.output,
    ...(stoppedBy ? { stoppedBy } : {}),
    durationMs: Date.now() - started,
  };
}
