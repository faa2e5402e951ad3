import type { Redis } from 'ioredis';
import type { RunKeys } from './connection.js';

export type RunOutcome = 'queued' | 'running' | 'done' | 'abstained' | 'failed' | 'cancelled';

/** What Redis remembers about the latest run of one issue (kept 30 days). */
export interface IssueRunRecord {
  runId: string;
  generation: number;
  outcome: RunOutcome;
  statusCommentId?: number;
  updatedAt: string;
}

const TTL_SECONDS = 30 * 24 * 3600;

export interface RunRegistry {
  get(jobId: string): Promise<IssueRunRecord | undefined>;
  /** Increments and returns the per-issue run generation (1, 2, 3...). */
  nextGeneration(jobId: string): Promise<number>;
  update(
    jobId: string,
    patch: Partial<Omit<IssueRunRecord, 'generation' | 'updatedAt'>>,
  ): Promise<void>;
}

export function createRunRegistry(redis: Redis, keys: RunKeys): RunRegistry {
  return {
    async get(jobId) {
      const h = await redis.hgetall(keys.record(jobId));
      if (h.runId === undefined || h.outcome === undefined) return undefined;
      const commentId = h.statusCommentId === undefined ? NaN : Number(h.statusCommentId);
      return {
        runId: h.runId,
        generation: Number(h.generation ?? 0),
        outcome: h.outcome as RunOutcome,
        ...(Number.isInteger(commentId) && commentId > 0 ? { statusCommentId: commentId } : {}),
        updatedAt: h.updatedAt ?? '',
      };
    },
    async nextGeneration(jobId) {
      const key = keys.record(jobId);
      const [[, generation]] = (await redis
        .multi()
        .hincrby(key, 'generation', 1)
        .expire(key, TTL_SECONDS)
        .exec()) as [[Error | null, number]];
      return generation;
    },
    async update(jobId, patch) {
      const fields: Record<string, string> = { updatedAt: new Date().toISOString() };
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) fields[k] = String(v);
      const key = keys.record(jobId);
      await redis.multi().hset(key, fields).expire(key, TTL_SECONDS).exec();
    },
  };
}
