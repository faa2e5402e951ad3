import { z } from 'zod';
import type { JobsOptions } from 'bullmq';
import { CodemonkeysError } from '../errors.js';
import type { RunJobData } from './types.js';

/** Queue and job names. One queue; one job per issue at a time. */
export const RUN_QUEUE = 'runs';
export const RUN_JOB_NAME = 'run';

/** Identity of one issue, case-folded the way GitHub compares names. */
export interface IssueRef {
  owner: string;
  repo: string;
  issueNumber: number;
}

/**
 * Deterministic BullMQ job id of an issue: `run/<owner>/<repo>/<n>` (lower case). `/` cannot
 * appear in owner or repo names, so ids never collide; no `:` (BullMQ reserves it). While a job
 * with this id is queued or active, adding another is a no-op: one active run per issue.
 */
export function getRunJobId(ref: IssueRef): string {
  return `run/${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}/${ref.issueNumber}`;
}

/**
 * Run ids: `<owner>/<repo>#<n>@<generation>`. The generation is a per-issue counter in Redis,
 * incremented when a NEW run starts (label, or retry after a finished run). A retry of a
 * failed or cancelled run reuses the previous run id, so the run store's checkpoints are found
 * and the run resumes instead of paying again.
 */
export function getRunId(ref: IssueRef, generation: number): string {
  return `${ref.owner}/${ref.repo}#${ref.issueNumber}@${generation}`;
}

export const runJobDataSchema = z.strictObject({
  runId: z.string().min(1).max(300),
  installationId: z.number().int().positive(),
  owner: z.string().min(1).max(100),
  repo: z.string().min(1).max(100),
  issueNumber: z.number().int().positive(),
  requestedBy: z.string().min(1).max(100),
  trigger: z.enum(['label', 'retry']),
  statusCommentId: z.number().int().positive().optional(),
  enqueuedAt: z.string().min(1),
});

/** Validates job data read back from Redis (a bad payload is a permanent failure). */
export function parseRunJobData(raw: unknown): RunJobData {
  const parsed = runJobDataSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CodemonkeysError(
      'INTERNAL',
      `Invalid run job data: ${z.prettifyError(parsed.error)}`,
      {
        retryable: false,
      },
    );
  }
  const { statusCommentId, ...rest } = parsed.data;
  return statusCommentId === undefined ? rest : { ...rest, statusCommentId };
}

export interface RunJobPolicy {
  /** Total attempts for transient failures (CodemonkeysError.retryable). */
  attempts: number;
  /** First backoff delay; doubles each attempt. */
  backoffMs: number;
}

export const DEFAULT_JOB_POLICY: RunJobPolicy = { attempts: 3, backoffMs: 30_000 };

/**
 * Completed jobs are removed at once so a later label starts a new run; failed jobs are kept a
 * week for inspection (the producer removes one before re-adding the same id).
 */
export function getRunJobOptions(
  jobId: string,
  policy: RunJobPolicy = DEFAULT_JOB_POLICY,
): JobsOptions {
  return {
    jobId,
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
  };
}
