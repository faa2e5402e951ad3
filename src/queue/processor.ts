import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import {
  isCodemonkeysError,
  toCodemonkeysError,
  ERROR_CODES,
  type CodemonkeysError,
  type ErrorCode,
} from '../errors.js';
import type { Logger } from '../logger.js';
import type { RunReport } from '../pipeline/types.js';
import type { StatusState } from '../render/status-state.js';
import { createStatusReporter, type StatusReporterHandle } from '../github/status-comment.js';
import type { ExecuteRun, GitHubClient, RunJobData } from './types.js';
import { parseRunJobData } from './jobs.js';
import { getFailureMessage } from '../render/failure-message.js';
import type { CancelChannel } from './cancel-channel.js';
import type { RunOutcome, RunRegistry } from './registry.js';

/** Abort reasons the worker uses; the processor tells a user's cancel from a shutdown. */
export const ABORT_CANCELLED = 'cancelled';
export const ABORT_SHUTDOWN = 'shutdown';

export interface RunProcessorDeps {
  executeRun: ExecuteRun;
  /** Installation-authenticated client; the token never leaves process memory. */
  getOctokit(installationId: number): Promise<GitHubClient>;
  registry: RunRegistry;
  cancel: CancelChannel;
  logger: Logger;
  botLogin?: string;
  /** Minimum time between status comment writes (default 5 s). */
  statusIntervalMs?: number;
  now?: () => number;
}

/** What a completed job stores as its return value (no secrets, small). */
export interface RunJobResult {
  runId: string;
  outcome: RunReport['outcome'];
}

export type RunProcessor = (
  job: Job,
  token: string | undefined,
  signal: AbortSignal | undefined,
) => Promise<RunJobResult>;

const OUTCOME_PHASE: Record<RunReport['outcome'], StatusState['phase'] & RunOutcome> = {
  selected: 'done',
  abstained: 'abstained',
  failed: 'failed',
  cancelled: 'cancelled',
};

/**
 * The one place that decides retry vs give up: retryable CodemonkeysErrors are rethrown while
 * attempts remain (BullMQ backs off exponentially), everything else becomes UnrecoverableError.
 * A user's cancel ends the job as cancelled; a worker shutdown puts the job back in the queue so
 * another worker resumes it from its checkpoints.
 */
export function createRunProcessor(deps: RunProcessorDeps): RunProcessor {
  const now = deps.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();

  return async function processRunJob(job, token, signal) {
    const jobId = job.id ?? '';
    let data: RunJobData;
    try {
      data = parseRunJobData(job.data);
    } catch (error) {
      throw new UnrecoverableError(toCodemonkeysError(error).message);
    }
    const attempt = job.attemptsMade + 1;
    const log = deps.logger.child({
      runId: data.runId,
      repo: `${data.owner}/${data.repo}`,
      issue: data.issueNumber,
      jobId,
      attempt,
    });
    const abortSignal = signal ?? new AbortController().signal;
    let octokit: GitHubClient;
    try {
      octokit = await deps.getOctokit(data.installationId);
    } catch (error) {
      return failWithoutClient(
        toCodemonkeysError(error, 'GITHUB_ERROR'),
        job,
        jobId,
        data,
        log,
        deps,
      );
    }
    const status = createStatusReporter({
      octokit,
      where: { owner: data.owner, repo: data.repo, issueNumber: data.issueNumber },
      initial: {
        phase: 'running',
        runId: data.runId,
        requestedBy: data.requestedBy,
        startedAt: iso(),
        stage: 'preparing',
      },
      ...(data.statusCommentId === undefined ? {} : { commentId: data.statusCommentId }),
      ...(deps.botLogin === undefined ? {} : { botLogin: deps.botLogin }),
      logger: log,
      ...(deps.statusIntervalMs === undefined ? {} : { minIntervalMs: deps.statusIntervalMs }),
      now,
      onWrite: (s) =>
        void job
          .updateProgress({
            phase: s.phase,
            stage: s.stage ?? null,
            samplesDone: s.samplesDone ?? null,
            samplesTotal: s.samplesTotal ?? null,
          })
          .catch(() => undefined),
    });
    const finish = async (outcome: RunOutcome, patch: Partial<StatusState>) => {
      status.update({
        ...patch,
        phase: outcome === 'running' ? 'running' : outcome,
        ...(outcome === 'queued' || outcome === 'running' ? {} : { finishedAt: iso() }),
      });
      await status.flush();
      await deps.registry.update(jobId, {
        runId: data.runId,
        outcome,
        statusCommentId: status.commentId(),
      });
    };

    const onAbort = async (): Promise<never> => {
      if (abortSignal.reason === ABORT_SHUTDOWN && token !== undefined) {
        log.info('worker shutting down: returning the job to the queue');
        await finish('queued', {
          detail: 'A worker restarted; the run resumes from its last checkpoint.',
        });
        await job.moveToWait(token);
        throw new WaitingError();
      }
      log.info('run cancelled');
      await deps.cancel.clearCancel(jobId);
      await finish('cancelled', { detail: undefined });
      throw new UnrecoverableError('cancelled');
    };

    status.update({ phase: 'running' });
    await deps.registry.update(jobId, { runId: data.runId, outcome: 'running' });
    if (await deps.cancel.isCancelRequested(jobId)) return onAbort();
    // An abort that fired while we were setting up would never reach a listener added later.
    if (abortSignal.aborted) return onAbort();

    let report: RunReport;
    try {
      report = await deps.executeRun(data, {
        octokit,
        signal: abortSignal,
        logger: log,
        status,
        attempt,
      });
    } catch (error) {
      if (abortSignal.aborted || isCodemonkeysError(error, 'CANCELLED')) return onAbort();
      return handleFailure(error, job, status, log, finish);
    }
    if (report.outcome === 'cancelled' && abortSignal.aborted) return onAbort();
    const phase = OUTCOME_PHASE[report.outcome];
    await finish(phase, {
      usage: report.usage,
      detail: undefined,
      ...(report.outcome === 'failed'
        ? {
            failure: getFailureMessage({
              code: asCode(report.errorCode),
              message: report.outcomeReason ?? 'The run failed.',
            }),
          }
        : {}),
    });
    log.info({ outcome: report.outcome }, 'run finished');
    return { runId: data.runId, outcome: report.outcome };
  };
}

async function handleFailure(
  error: unknown,
  job: Job,
  status: StatusReporterHandle,
  log: Logger,
  finish: (outcome: RunOutcome, patch: Partial<StatusState>) => Promise<void>,
): Promise<never> {
  const err = toCodemonkeysError(error);
  const attempts = job.opts.attempts ?? 1;
  const attempt = job.attemptsMade + 1;
  if (err.retryable && attempt < attempts) {
    log.warn({ err, code: err.code }, 'transient failure: retrying with backoff');
    status.update({
      detail: `Transient problem (${err.code}); retrying automatically (attempt ${attempt + 1} of ${attempts}).`,
    });
    await status.flush();
    throw err;
  }
  log.error({ err, code: err.code }, 'run failed');
  await finish('failed', {
    failure: getFailureMessage({ code: err.code, message: err.message, details: err.details }),
    detail: undefined,
  });
  throw new UnrecoverableError(`${err.code}: ${err.message}`);
}

/**
 * No installation client, so no status comment can be written: apply the same retry rule, and
 * on giving up record the outcome `failed` so `/codemonkeys retry` resumes this run id.
 */
async function failWithoutClient(
  err: CodemonkeysError,
  job: Job,
  jobId: string,
  data: RunJobData,
  log: Logger,
  deps: RunProcessorDeps,
): Promise<never> {
  const attempts = job.opts.attempts ?? 1;
  const attempt = job.attemptsMade + 1;
  if (err.retryable && attempt < attempts) {
    log.warn({ err, code: err.code }, 'no installation client: retrying with backoff');
    throw err;
  }
  log.error({ err, code: err.code }, 'run failed: no installation client');
  await deps.registry.update(jobId, { runId: data.runId, outcome: 'failed' });
  throw new UnrecoverableError(`${err.code}: ${err.message}`);
}

function asCode(code: string | undefined): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code ?? '') ? (code as ErrorCode) : 'INTERNAL';
}
