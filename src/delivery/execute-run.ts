import type { RepoConfig } from '../config/repo-config.js';
import { CodemonkeysError, throwIfAborted } from '../errors.js';
import { loadRepoConfig } from '../github/load-repo-config.js';
import { deliverPullRequest } from '../github/pull-request.js';
import { readIssue } from '../github/read-issue.js';
import { snapshotRepo, type RepoSnapshotResult } from '../github/repo-snapshot.js';
import type { Logger } from '../logger.js';
import { runPipeline as realRunPipeline } from '../pipeline/run.js';
import type { PipelineDeps, RunReport, RunRequest } from '../pipeline/types.js';
import type { ExecuteRun, ExecuteRunContext, RunJobData } from '../queue/types.js';
import { renderAbstentionSummary } from '../render/abstention-summary.js';
import type { RunStore } from '../store/run-store.js';
import { getStatusPatch } from './progress-status.js';

/** Adapters built per run (the sandbox concurrency comes from the repo config). */
export interface RunAdapters {
  deps: Omit<PipelineDeps, 'onProgress' | 'logger'>;
  close(): Promise<void>;
}

export interface ExecuteRunDeps {
  /** Builds the pipeline's ports for one run; closed when the run ends. */
  createAdapters(config: RepoConfig, logger: Logger): Promise<RunAdapters>;
  /** The store used to pin the base commit across attempts (the same one the adapters use). */
  store: RunStore;
  runPipeline?: typeof realRunPipeline;
  /** Parent directory of repository snapshots (default: os tmpdir). */
  snapshotParentDir?: string;
  /** Replies come from a scripted transcript (labelled in the PR). */
  scripted?: boolean;
}

/** Checkpoint key pinning the base commit: a retried attempt analyses the same commit. */
export const BASE_COMMIT_KEY = 'delivery/base-commit';

/**
 * The ExecuteRun port: issue -> config -> snapshot -> pipeline -> PR or abstention report,
 * keeping the status comment truthful on the way. Failures are thrown as CodemonkeysError; the
 * queue processor decides retry vs give up and writes the failure into the status comment.
 */
export function createExecuteRunWith(deps: ExecuteRunDeps): ExecuteRun {
  const runPipeline = deps.runPipeline ?? realRunPipeline;
  return async (data: RunJobData, context: ExecuteRunContext): Promise<RunReport> => {
    const { octokit, signal, status } = context;
    const { owner, repo } = data;
    const logger = context.logger.child({
      runId: data.runId,
      repo: `${owner}/${repo}`,
      issue: data.issueNumber,
    });
    status.update({
      phase: 'running',
      stage: 'preparing',
      detail: 'reading the issue and the configuration',
      requestedBy: data.requestedBy,
    });
    const issue = await readIssue(octokit, owner, repo, data.issueNumber);
    const { config, source } = await loadRepoConfig(octokit, owner, repo);
    logger.info({ configSource: source, samples: config.samples }, 'configuration loaded');
    throwIfAborted(signal);
    status.update({
      detail: 'downloading the repository',
      samplesTotal: config.samples,
      samplesDone: 0,
    });
    const pinned = await deps.store.get<string>(data.runId, BASE_COMMIT_KEY);
    let snapshot: RepoSnapshotResult | undefined;
    let adapters: RunAdapters | undefined;
    try {
      snapshot = await snapshotRepo(
        octokit,
        { owner, repo },
        {
          ...(pinned === undefined ? {} : { sha: pinned }),
          ...(deps.snapshotParentDir === undefined ? {} : { parentDir: deps.snapshotParentDir }),
          signal,
        },
      );
      if (pinned === undefined) await deps.store.set(data.runId, BASE_COMMIT_KEY, snapshot.commit);
      const request: RunRequest = {
        runId: data.runId,
        repo: `${owner}/${repo}`,
        issue: { number: issue.number, title: issue.title, body: issue.body, url: issue.url },
        snapshot: { dir: snapshot.dir, repo: snapshot.repo, commit: snapshot.commit },
        config,
      };
      adapters = await deps.createAdapters(config, logger);
      const report = await runPipeline(
        request,
        { ...adapters.deps, logger, onProgress: (event) => status.update(getStatusPatch(event)) },
        signal,
      );
      status.update({ usage: report.usage });
      if (report.outcome === 'selected') {
        status.update({
          stage: 'delivering',
          detail: 'opening the pull request',
          usage: report.usage,
        });
        const pr = await deliverPullRequest(octokit, {
          owner,
          repo,
          report,
          snapshotDir: snapshot.dir,
          config,
          issueTitle: issue.title,
          requestedBy: data.requestedBy,
          ...(deps.scripted === true ? { scripted: true } : {}),
        });
        logger.info(
          {
            pr: pr.number,
            created: pr.created,
            baseMoved: pr.baseMoved !== undefined,
            draftUnsupported: pr.draftUnsupported === true,
          },
          'pull request ready',
        );
        const moved =
          pr.baseMoved === undefined
            ? ''
            : ` (based on ${report.baseCommit.slice(0, 12)}; ${pr.baseMoved.branch} has moved since)`;
        const notDraft =
          pr.draftUnsupported === true
            ? ' as a normal pull request (this repository does not support drafts)'
            : '';
        status.update({
          stage: 'done',
          prUrl: pr.url,
          detail: `pull request ${pr.created ? 'opened' : 'updated'}${notDraft}${moved}`,
        });
      } else if (report.outcome === 'abstained') {
        status.update({
          stage: 'done',
          detail: 'no convincing candidate: no pull request',
          summaryMarkdown: renderAbstentionSummary(report),
        });
      }
      return report;
    } finally {
      await adapters
        ?.close()
        .catch((error: unknown) => logger.warn({ err: error }, 'closing run adapters failed'));
      await snapshot?.dispose().catch(() => undefined);
    }
  };
}

/** Guard for the composition root: a worker without a model key cannot run anything. */
export function requireApiKey(key: string | undefined): string {
  if (key === undefined || key === '') {
    throw new CodemonkeysError('ENV_INVALID', 'ANTHROPIC_API_KEY is not set on the worker.', {
      retryable: false,
    });
  }
  return key;
}
