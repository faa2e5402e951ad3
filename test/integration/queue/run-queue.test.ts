import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedisConnection, getRunKeys } from '../../../src/queue/connection.js';
import { createRunRegistry } from '../../../src/queue/registry.js';
import { createCancelChannel } from '../../../src/queue/cancel-channel.js';
import { createRunProducer, type RunProducer } from '../../../src/queue/producer.js';
import { createRunProcessor } from '../../../src/queue/processor.js';
import { startRunWorker, type RunWorker } from '../../../src/queue/worker.js';
import { getRunJobId } from '../../../src/queue/jobs.js';
import type { ExecuteRun, GitHubClient, RunJobData } from '../../../src/queue/types.js';
import { CodemonkeysError } from '../../../src/errors.js';
import { createSilentLogger } from '../../../src/logger.js';
import { createCommentRecorder, fakeReport, waitFor } from './fakes.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `cmtest-queue-${randomUUID().slice(0, 8)}`;
const keys = getRunKeys(prefix);
const logger = createSilentLogger();
let redis: Redis;
let queue: Queue;
let producer: RunProducer;
let workers: RunWorker[] = [];
let issueCounter = 0;

const nextRef = () => ({ owner: 'Acme', repo: 'widgets', issueNumber: ++issueCounter });
const request = (ref: ReturnType<typeof nextRef>, trigger: 'label' | 'retry' = 'label') => ({
  ref,
  installationId: 7,
  requestedBy: 'octocat',
  trigger,
});

async function startWorker(
  executeRun: ExecuteRun,
  comments = createCommentRecorder(),
  getOctokit: (installationId: number) => Promise<GitHubClient> = async () => comments.client,
) {
  const processor = createRunProcessor({
    executeRun,
    getOctokit,
    registry: createRunRegistry(redis, keys),
    cancel: createCancelChannel(redis, keys),
    logger,
    statusIntervalMs: 20,
  });
  const w = await startRunWorker({
    connection: createRedisConnection(REDIS_URL),
    subscriber: createRedisConnection(REDIS_URL),
    prefix,
    keys,
    processor,
    concurrency: 2,
    logger,
    stalledIntervalMs: 5_000,
  });
  workers.push(w);
  return { worker: w, comments };
}

/** An ExecuteRun that blocks until aborted, recording the signal it saw. */
function blockingRun() {
  const seen: { signal?: AbortSignal; data?: RunJobData; calls: number } = { calls: 0 };
  const run: ExecuteRun = (data, ctx) => {
    seen.calls += 1;
    seen.signal = ctx.signal;
    seen.data = data;
    ctx.status.update({ stage: 'generating', samplesDone: 1, samplesTotal: 4 });
    return new Promise((_resolve, reject) => {
      if (ctx.signal.aborted) reject(new CodemonkeysError('CANCELLED', 'aborted'));
      ctx.signal.addEventListener(
        'abort',
        () => reject(new CodemonkeysError('CANCELLED', 'aborted')),
        { once: true },
      );
    });
  };
  return { run, seen };
}

const stateOf = async (ref: ReturnType<typeof nextRef>) =>
  (await queue.getJob(getRunJobId(ref)))?.getState() ?? 'none';

beforeAll(async () => {
  redis = createRedisConnection(REDIS_URL);
  queue = new Queue('runs', { connection: redis, prefix });
  const registry = createRunRegistry(redis, keys);
  producer = createRunProducer({
    queue,
    redis,
    keys,
    registry,
    cancel: createCancelChannel(redis, keys),
    policy: { attempts: 3, backoffMs: 150 },
  });
});

afterEach(async () => {
  await Promise.all(workers.map((w) => w.close()));
  workers = [];
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  const stale = await redis.keys(`${prefix}:*`);
  if (stale.length > 0) await redis.del(...stale);
  await redis.quit();
});

describe('queue/run-queue', () => {
  it('enqueues exactly one job per issue: sequential and concurrent duplicates are refused', async () => {
    const ref = nextRef();
    const first = await producer.enqueueRun(request(ref));
    expect(first).toMatchObject({ status: 'queued', runId: 'Acme/widgets#1@1', resumed: false });
    const again = await producer.enqueueRun(request(ref));
    expect(again).toMatchObject({
      status: 'duplicate',
      state: 'waiting',
      runId: 'Acme/widgets#1@1',
    });

    const other = nextRef();
    const burst = await Promise.all(
      Array.from({ length: 8 }, () => producer.enqueueRun(request(other))),
    );
    expect(burst.filter((r) => r.status === 'queued')).toHaveLength(1);
    const waiting = await queue.getWaiting();
    expect(
      waiting.map((j) => j.id).filter((id) => id === getRunJobId(ref) || id === getRunJobId(other)),
    ).toHaveLength(2);
    const job = await queue.getJob(getRunJobId(ref));
    expect(JSON.stringify(job?.data)).not.toMatch(/token|ghs_|key/i);
    await producer.cancelRun(ref);
    await producer.cancelRun(other);
  });

  it('cancels a queued job (removed, never run) and a retry then resumes the same run id', async () => {
    const ref = nextRef();
    const queued = await producer.enqueueRun(request(ref), { holdMs: 60_000 });
    if (queued.status !== 'queued') throw new Error('expected queued');
    expect(await stateOf(ref)).toBe('delayed');
    expect(await producer.enqueueRun(request(ref))).toMatchObject({
      status: 'duplicate',
      state: 'delayed',
    });
    expect(await producer.releaseRun(ref, queued.runId, 555)).toBe(true);
    expect(await stateOf(ref)).toBe('waiting');
    expect((await queue.getJob(getRunJobId(ref)))?.data.statusCommentId).toBe(555);
    const cancelled = await producer.cancelRun(ref);
    expect(cancelled).toMatchObject({ status: 'cancelled', statusCommentId: 555 });
    expect(await stateOf(ref)).toBe('none');
    expect((await producer.getRunStatus(ref)).record?.outcome).toBe('cancelled');
    const retried = await producer.enqueueRun(request(ref, 'retry'));
    expect(retried).toMatchObject({
      status: 'queued',
      resumed: true,
      runId: queued.runId,
      statusCommentId: 555,
    });
    await producer.cancelRun(ref);
    expect(await producer.cancelRun(ref)).toMatchObject({ status: 'none' });
    expect(await producer.releaseRun(ref, queued.runId, 555)).toBe(false);
  });

  it('runs a job, removes it on completion, and a later label starts a new generation', async () => {
    const ref = nextRef();
    const calls: RunJobData[] = [];
    const { comments } = await startWorker(async (data, ctx) => {
      calls.push(data);
      ctx.status.update({ stage: 'generating', samplesDone: 2, samplesTotal: 2 });
      return fakeReport(data.runId, 'selected');
    });
    await producer.enqueueRun(request(ref));
    await waitFor(async () => (await producer.getRunStatus(ref)).record?.outcome === 'done');
    await waitFor(async () => (await stateOf(ref)) === 'none');
    expect(comments.last()).toContain('**Done**');
    const second = await producer.enqueueRun(request(ref));
    expect(second).toMatchObject({ status: 'queued', runId: `Acme/widgets#${ref.issueNumber}@2` });
    await waitFor(() => calls.length === 2);
    expect(calls.map((c) => c.runId)).toEqual([
      `Acme/widgets#${ref.issueNumber}@1`,
      `Acme/widgets#${ref.issueNumber}@2`,
    ]);
  });

  it('cancels an active job through pub/sub: the processor sees the AbortSignal and the comment says cancelled', async () => {
    const ref = nextRef();
    const { run, seen } = blockingRun();
    const { comments, worker } = await startWorker(run);
    await producer.enqueueRun(request(ref));
    await waitFor(async () => (await stateOf(ref)) === 'active' && seen.signal !== undefined);
    expect(seen.signal?.aborted).toBe(false);
    expect(await producer.enqueueRun(request(ref))).toMatchObject({
      status: 'duplicate',
      state: 'active',
    });
    expect(await producer.cancelRun(ref)).toMatchObject({ status: 'cancelling' });
    await waitFor(async () => (await stateOf(ref)) === 'failed');
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.signal?.reason).toBe('cancelled');
    expect(seen.calls).toBe(1);
    expect((await producer.getRunStatus(ref)).record?.outcome).toBe('cancelled');
    await waitFor(() => comments.last().includes('**Cancelled**'));
    const retried = await producer.enqueueRun(request(ref, 'retry'));
    expect(retried).toMatchObject({ status: 'queued', resumed: true, runId: seen.data?.runId });
    await worker.close();
    expect(await producer.cancelRun(ref)).toMatchObject({ status: 'cancelled' });
  });

  it('retries transient failures with exponential backoff, then succeeds', async () => {
    const ref = nextRef();
    const times: number[] = [];
    const attempts: number[] = [];
    const { comments } = await startWorker(async (data, ctx) => {
      times.push(Date.now());
      attempts.push(ctx.attempt);
      if (times.length < 3) throw new CodemonkeysError('LLM_OVERLOADED', 'overloaded');
      return fakeReport(data.runId, 'abstained');
    });
    await producer.enqueueRun(request(ref));
    await waitFor(async () => (await producer.getRunStatus(ref)).record?.outcome === 'abstained');
    expect(attempts).toEqual([1, 2, 3]);
    const [t0, t1, t2] = times as [number, number, number];
    expect(t1 - t0).toBeGreaterThanOrEqual(140); // 150 ms
    expect(t2 - t1).toBeGreaterThanOrEqual(290); // 300 ms: doubled
    expect(comments.bodies.some((b) => b.includes('retrying automatically'))).toBe(true);
    expect(comments.last()).toContain('No convincing fix found');
  });

  it('does not retry permanent failures and reports reason and action', async () => {
    const ref = nextRef();
    let calls = 0;
    const { comments } = await startWorker(async () => {
      calls += 1;
      throw new CodemonkeysError('SANDBOX_SETUP_FAILED', 'setup command `pip install .` exited 1');
    });
    await producer.enqueueRun(request(ref));
    await waitFor(async () => (await stateOf(ref)) === 'failed');
    const job = await queue.getJob(getRunJobId(ref));
    expect(job?.attemptsMade).toBe(1);
    expect(calls).toBe(1);
    await waitFor(() => comments.last().includes('**Failed**'));
    expect(comments.last()).toContain('`SANDBOX_SETUP_FAILED`');
    expect(comments.last()).toContain('**What to do:** Fix the command in');
    expect(comments.last()).toContain('pip install .');
    expect((await producer.getRunStatus(ref)).record?.outcome).toBe('failed');
  });

  it('gives up after the last attempt of a transient failure', async () => {
    const ref = nextRef();
    let calls = 0;
    const { comments } = await startWorker(async () => {
      calls += 1;
      throw new CodemonkeysError('LLM_SERVER', 'upstream 500');
    });
    await producer.enqueueRun(request(ref));
    await waitFor(async () => (await stateOf(ref)) === 'failed');
    expect(calls).toBe(3);
    await waitFor(() => comments.last().includes('**Failed**'));
  });

  it('when no installation client can be had, the run is marked failed after the last attempt and retry resumes it', async () => {
    const ref = nextRef();
    let tokenCalls = 0;
    let runs = 0;
    await startWorker(
      async (data) => {
        runs += 1;
        return fakeReport(data.runId);
      },
      createCommentRecorder(),
      async () => {
        tokenCalls += 1;
        throw Object.assign(new Error('Bad credentials'), { status: 401 });
      },
    );
    const queued = await producer.enqueueRun(request(ref));
    await waitFor(async () => (await stateOf(ref)) === 'failed');
    expect(tokenCalls).toBe(3); // GITHUB_ERROR is retryable: every attempt is used
    expect(runs).toBe(0);
    expect((await producer.getRunStatus(ref)).record?.outcome).toBe('failed');
    await Promise.all(workers.map((w) => w.close()));
    workers = [];
    const retried = await producer.enqueueRun(request(ref, 'retry'));
    expect(retried).toMatchObject({
      status: 'queued',
      resumed: true,
      runId: queued.status === 'queued' ? queued.runId : '',
    });
    await producer.cancelRun(ref);
  });

  it('a failed report is a value: the job completes, the comment shows reason and action, retry resumes', async () => {
    const ref = nextRef();
    const { comments, worker } = await startWorker(async (data) => ({
      ...fakeReport(data.runId, 'failed'),
      errorCode: 'BUDGET_EXCEEDED',
      outcomeReason: 'The run reached its $20 budget.',
    }));
    const queued = await producer.enqueueRun(request(ref));
    await waitFor(async () => (await producer.getRunStatus(ref)).record?.outcome === 'failed');
    await waitFor(async () => (await stateOf(ref)) === 'none');
    expect(comments.last()).toContain('**Failed**');
    expect(comments.last()).toContain('budget.maxUsdPerRun');
    await worker.close();
    const retried = await producer.enqueueRun(request(ref, 'retry'));
    expect(retried).toMatchObject({
      status: 'queued',
      resumed: true,
      runId: queued.status === 'queued' ? queued.runId : '',
    });
    await producer.cancelRun(ref);
  });

  it('a cancel reaches whichever worker process holds the job', async () => {
    const ref = nextRef();
    const idle = await startWorker(async (data) => fakeReport(data.runId));
    await idle.worker.worker.pause(true);
    const { run, seen } = blockingRun();
    await startWorker(run);
    await producer.enqueueRun(request(ref));
    await waitFor(async () => (await stateOf(ref)) === 'active' && seen.signal !== undefined);
    await producer.cancelRun(ref);
    await waitFor(() => seen.signal?.aborted === true);
    await waitFor(async () => (await stateOf(ref)) === 'failed');
  });

  it('graceful shutdown aborts the active run, returns the job to the queue, and another worker resumes it', async () => {
    const ref = nextRef();
    const { run, seen } = blockingRun();
    const { worker } = await startWorker(run);
    await producer.enqueueRun(request(ref));
    await waitFor(async () => (await stateOf(ref)) === 'active' && seen.signal !== undefined);
    await worker.close();
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.signal?.reason).toBe('shutdown');
    expect(await stateOf(ref)).toBe('waiting');
    expect((await producer.getRunStatus(ref)).record?.outcome).toBe('queued');
    const resumedIds: string[] = [];
    await startWorker(async (data) => {
      resumedIds.push(data.runId);
      return fakeReport(data.runId);
    });
    await waitFor(() => resumedIds.length === 1);
    expect(resumedIds[0]).toBe(seen.data?.runId);
  });
});
