import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import type { DockerExecOutcome } from './docker-exec.js';
import { DockerDemuxer, OutputCapture } from './output-sink.js';

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
  const output = new OutputCapture(options.capBytes);
  let stoppedBy: DockerExecOutcome['stoppedBy'];
  let finished = false;
  const stop = (reason: NonNullable<DockerExecOutcome['stoppedBy']>): void => {
    if (stoppedBy !== undefined || finished) return;
    stoppedBy = reason;
    void options.kill().finally(() => setTimeout(() => stream.destroy(), 2_000).unref());
  };
  const exitCode = armed.container.wait().then(
    (result: { StatusCode?: number }) => result.StatusCode ?? 137,
    () => 137,
  );
  const demuxer = new DockerDemuxer((which, payload) => {
    output.write(which, payload);
    if (output.totalBytes > options.hardLimitBytes) stop('output-limit');
  });
  const ended = new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => demuxer.push(chunk));
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', resolve);
  });
  const deadline = setTimeout(() => stop('deadline'), options.deadlineMs);
  const onAbort = (): void => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  stream.end(options.input);
  await ended;
  finished = true;
  clearTimeout(deadline);
  options.signal?.removeEventListener('abort', onAbort);
  // The stream ends when the container exits; its status follows within moments.
  const code = await Promise.race([exitCode, sleep(10_000)]);
  return {
    exitCode: stoppedBy === undefined ? code : 137,
    output,
    ...(stoppedBy ? { stoppedBy } : {}),
    durationMs: Date.now() - started,
  };
}
