import { Worker, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { RUN_QUEUE } from './jobs.js';
import type { RunKeys } from './connection.js';
import { subscribeToCancels } from './cancel-channel.js';
import { ABORT_CANCELLED, ABORT_SHUTDOWN, type RunProcessor } from './processor.js';

export interface RunWorkerOptions {
  connection: ConnectionOptions;
  /** A dedicated connection for the cancel subscription (closed by the worker). */
  subscriber: Redis;
  prefix: string;
  keys: RunKeys;
  processor: RunProcessor;
  concurrency: number;
  logger: Logger;
  queueName?: string;
  /** Lock renewed every lockDuration/2; a job whose lock expires is "stalled". */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** A job stalled more often than this fails instead of being re-run. */
  maxStalledCount?: number;
}

export interface RunWorker {
  worker: Worker;
  /**
   * Graceful stop: take no new jobs, abort active ones with reason `shutdown` (they checkpoint
   * and return to the queue), wait for them, close connections. Safe to call twice.
   */
  close(): Promise<void>;
}

export async function startRunWorker(options: RunWorkerOptions): Promise<RunWorker> {
  const worker = new Worker(options.queueName ?? RUN_QUEUE, options.processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs ?? 60_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 2,
    autorun: false,
  });
  const log = options.logger.child({ component: 'worker' });
  worker.on('error', (err) => log.error({ err }, 'worker error'));
  worker.on('failed', (job, err) =>
    log.info({ jobId: job?.id, reason: err.message }, 'job failed'),
  );
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled: re-queued'));

  const unsubscribe = await subscribeToCancels(options.subscriber, options.keys, (jobId) => {
    if (worker.cancelJob(jobId, ABORT_CANCELLED))
      log.info({ jobId }, 'cancel delivered to active job');
  });
  void worker.run().catch((err: unknown) => log.error({ err }, 'worker loop stopped'));
  await worker.waitUntilReady();

  let closing: Promise<void> | undefined;
  return {
    worker,
    close() {
      closing ??= (async () => {
        log.info('worker closing: aborting active jobs so they checkpoint');
        const closed = worker.close();
        worker.cancelAllJobs(ABORT_SHUTDOWN);
        await closed;
        await unsubscribe().catch(() => undefined);
      })();
      return closing;
    },
  };
}
