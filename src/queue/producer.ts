import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunJobData } from './types.js';
import {
  getRunId,
  getRunJobId,
  getRunJobOptions,
  RUN_JOB_NAME,
  type IssueRef,
  type RunJobPolicy,
} from './jobs.js';
import type { RunKeys } from './connection.js';
import type { CancelChannel } from './cancel-channel.js';
import type { IssueRunRecord, RunRegistry } from './registry.js';

/** BullMQ states in which a job still counts as "the active run of this issue". */
const LIVE_STATES = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children', 'active']);
const QUEUED_STATES = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

export interface EnqueueRequest {
  ref: IssueRef;
  installationId: number;
  requestedBy: string;
  trigger: RunJobData['trigger'];
}

export interface EnqueueInfo {
  runId: string;
  /** Runs waiting ahead of this one. */
  queuePosition: number;
  /** True when a retry reuses the run id of a failed or cancelled run. */
  resumed: boolean;
}

export type EnqueueResult =
  | ({ status: 'queued'; jobId: string; statusCommentId?: number } & EnqueueInfo)
  | { status: 'duplicate'; jobId: string; runId?: string; state: string };

export type CancelResult =
  | { status: 'cancelled'; jobId: string; runId: string; statusCommentId?: number }
  | { status: 'cancelling'; jobId: string; runId: string }
  | { status: 'none'; jobId: string };

export interface RunStatus {
  jobId: string;
  /** BullMQ state, or `none` when no job exists. */
  state: string;
  queuePosition?: number;
  attemptsMade?: number;
  record?: IssueRunRecord;
}

export interface EnqueueOptions {
  /**
   * Add the job delayed by this long; `releaseRun` starts it early once the status comment
   * exists. The worker cannot start before the comment is written, and if the web process dies
   * in between, the job still starts when the hold expires.
   */
  holdMs?: number;
}

export interface RunProducer {
  /** Enqueues one run unless the issue already has a queued or active run. */
  enqueueRun(request: EnqueueRequest, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Records the status comment id and lets a held job start now. */
  /** Returns false when the run is gone (cancelled meanwhile). */
  releaseRun(ref: IssueRef, runId: string, statusCommentId: number | undefined): Promise<boolean>;
  cancelRun(ref: IssueRef): Promise<CancelResult>;
  /** True while the issue has a queued, held, retrying or active run (two Redis reads). */
  hasLiveRun(ref: IssueRef): Promise<boolean>;
  getRunStatus(ref: IssueRef): Promise<RunStatus>;
}

export interface RunProducerDeps {
  queue: Queue;
  redis: Redis;
  keys: RunKeys;
  registry: RunRegistry;
  cancel: CancelChannel;
  policy?: RunJobPolicy;
  now?: () => Date;
}

const LOCK_MS = 15_000;
const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

export function createRunProducer(deps: RunProducerDeps): RunProducer {
  const { queue, redis, keys, registry, cancel } = deps;
  const now = deps.now ?? (() => new Date());

  /** Serialises decisions per issue across web processes; a concurrent duplicate sees "busy". */
  async function withIssueLock<T>(jobId: string, busy: () => T, fn: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    const acquired = await redis.set(keys.lock(jobId), token, 'PX', LOCK_MS, 'NX');
    if (acquired !== 'OK') return busy();
    try {
      return await fn();
    } finally {
      await redis.eval(RELEASE, 1, keys.lock(jobId), token);
    }
  }

  async function enqueueRun(
    request: EnqueueRequest,
    options: EnqueueOptions = {},
  ): Promise<EnqueueResult> {
    const jobId = getRunJobId(request.ref);
    const busy = (): EnqueueResult => ({ status: 'duplicate', jobId, state: 'enqueueing' });
    return withIssueLock(jobId, busy, async () => {
      const existing = await queue.getJob(jobId);
      if (existing !== undefined) {
        const state = await existing.getState();
        if (LIVE_STATES.has(state)) {
          return { status: 'duplicate', jobId, runId: (existing.data as RunJobData).runId, state };
        }
        // A finished job keeps its id until removed; clear it so the id can be reused.
        await existing.remove().catch(() => undefined);
      }
      const record = await registry.get(jobId);
      const resumed =
        request.trigger === 'retry' &&
        record !== undefined &&
        (record.outcome === 'failed' || record.outcome === 'cancelled');
      const runId = resumed
        ? record.runId
        : getRunId(request.ref, await registry.nextGeneration(jobId));
      const [queuePosition] = await Promise.all([
        queue.getWaitingCount(),
        cancel.clearCancel(jobId),
      ]);
      const statusCommentId = record?.statusCommentId;
      const data: RunJobData = {
        runId,
        installationId: request.installationId,
        owner: request.ref.owner,
        repo: request.ref.repo,
        issueNumber: request.ref.issueNumber,
        requestedBy: request.requestedBy,
        trigger: request.trigger,
        ...(statusCommentId === undefined ? {} : { statusCommentId }),
        enqueuedAt: now().toISOString(),
      };
      const jobOptions = getRunJobOptions(jobId, deps.policy);
      if (options.holdMs !== undefined && options.holdMs > 0) jobOptions.delay = options.holdMs;
      await queue.add(RUN_JOB_NAME, data, jobOptions);
      await registry.update(jobId, { runId, outcome: 'queued' });
      return {
        status: 'queued',
        jobId,
        runId,
        queuePosition,
        resumed,
        ...(statusCommentId === undefined ? {} : { statusCommentId }),
      };
    });
  }

  async function releaseRun(
    ref: IssueRef,
    runId: string,
    statusCommentId: number | undefined,
  ): Promise<boolean> {
    const jobId = getRunJobId(ref);
    const job = await queue.getJob(jobId);
    if (job === undefined || (job.data as RunJobData).runId !== runId) return false; // cancelled meanwhile
    if (statusCommentId !== undefined) {
      await job.updateData({ ...(job.data as RunJobData), statusCommentId });
      await registry.update(jobId, { statusCommentId });
    }
    if ((await job.getState()) === 'delayed') await job.promote().catch(() => undefined);
    return true;
  }

  async function cancelRun(ref: IssueRef): Promise<CancelResult> {
    const jobId = getRunJobId(ref);
    const job = await queue.getJob(jobId);
    if (job === undefined) return { status: 'none', jobId };
    const runId = (job.data as RunJobData).runId;
    const state = await job.getState();
    if (QUEUED_STATES.has(state)) {
      const removed = await job.remove().then(
        () => true,
        () => false, // became active meanwhile: fall through to a signal
      );
      if (removed) {
        await registry.update(jobId, { runId, outcome: 'cancelled' });
        const commentId = (job.data as RunJobData).statusCommentId;
        return {
          status: 'cancelled',
          jobId,
          runId,
          ...(commentId === undefined ? {} : { statusCommentId: commentId }),
        };
      }
    } else if (state !== 'active') {
      return { status: 'none', jobId };
    }
    await cancel.requestCancel(jobId);
    return { status: 'cancelling', jobId, runId };
  }

  async function hasLiveRun(ref: IssueRef): Promise<boolean> {
    const job = await queue.getJob(getRunJobId(ref));
    return job !== undefined && LIVE_STATES.has(await job.getState());
  }

  async function getRunStatus(ref: IssueRef): Promise<RunStatus> {
    const jobId = getRunJobId(ref);
    const [job, record] = await Promise.all([queue.getJob(jobId), registry.get(jobId)]);
    const base = record === undefined ? { jobId } : { jobId, record };
    if (job === undefined) return { ...base, state: 'none' };
    const state = await job.getState();
    const status: RunStatus = { ...base, state, attemptsMade: job.attemptsMade };
    if (state === 'waiting') {
      const waiting = await queue.getWaiting(0, 999);
      status.queuePosition = waiting.filter((w) => w.timestamp < job.timestamp).length;
    }
    return status;
  }

  return { enqueueRun, releaseRun, cancelRun, hasLiveRun, getRunStatus };
}
