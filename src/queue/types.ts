import type { ProbotOctokit } from 'probot';
import type { Logger } from '../logger.js';
import type { RunReport } from '../pipeline/types.js';
import type { StatusReporter } from '../render/status-state.js';

export type GitHubClient = InstanceType<typeof ProbotOctokit>;

/**
 * Data of one run job, as stored in Redis. NEVER put tokens or keys here: the worker obtains an
 * installation token from the App credentials in its own memory.
 */
export interface RunJobData {
  runId: string;
  installationId: number;
  owner: string;
  repo: string;
  issueNumber: number;
  /** Login of the authorised user who labelled the issue or asked for a retry. */
  requestedBy: string;
  trigger: 'label' | 'retry';
  /** Id of the status comment created when the job was queued, if any. */
  statusCommentId?: number;
  enqueuedAt: string;
}

export interface ExecuteRunContext {
  /** Installation-authenticated client (the token stays inside it). */
  octokit: GitHubClient;
  signal: AbortSignal;
  logger: Logger;
  status: StatusReporter;
  /** 1-based attempt number of this job (BullMQ attemptsMade + 1). */
  attempt: number;
}

/**
 * Runs one issue end to end: read issue + config, snapshot the repository, run the pipeline,
 * open/update the pull request or report abstention. Implemented in src/delivery/; the queue
 * processor only calls it. Throws CodemonkeysError (retryable or not) for failures.
 */
export type ExecuteRun = (data: RunJobData, context: ExecuteRunContext) => Promise<RunReport>;
