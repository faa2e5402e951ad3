import type { Duplex } from 'node:stream';
import { DockerDemuxer, OutputCapture } from './output-sink.js';

export type DockerStopReason = 'deadline' | 'output-limit' | 'abort';

export interface DockerStreamCollectorOptions {
  capBytes: number;
  /** Output beyond this many bytes stops the execution (the container is killed). */
  hardLimitBytes: number;
  /** Host-side backstop: after this many ms the container is killed. */
  deadlineMs: number;
  signal?: AbortSignal;
  /** Kills the container (idempotent). Called on deadline, output flood or abort. */
  kill: () => Promise<void>;
}

export interface DockerStreamCollector {
  output: OutputCapture;
  /** Settles when the stream ends, closes or fails. */
  ended: Promise<void>;
  /** True once `finish` has been called. */
  readonly finished: boolean;
  /**
   * Ends collection: later deadline/flood/abort no longer stop anything, the deadline timer and
   * abort listener are released. Returns what stopped the execution, if anything did.
   */
  finish: () => DockerStopReason | undefined;
}

/**
 * Demultiplexes a hijacked Docker stream into a capped capture, and stops the execution (kill the
 * container, then destroy the stream if it lingers) on deadline, output flood or abort.
 */
export function collectDockerStream(
  stream: Duplex,
  options: DockerStreamCollectorOptions,
): DockerStreamCollector {
  const output = new OutputCapture(options.capBytes);
  let stoppedBy: DockerStopReason | undefined;
  let finished = false;

  const stop = (reason: DockerStopReason): void => {
    if (stoppedBy !== undefined || finished) return;
    stoppedBy = reason;
    void options.kill().finally(() => setTimeout(() => stream.destroy(), 2_000).unref());
  };

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

  return {
    output,
    ended,
    get finished() {
      return finished;
    },
    finish: () => {
      finished = true;
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      return stoppedBy;
    },
  };
}
