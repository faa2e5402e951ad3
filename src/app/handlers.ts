import type { Context } from 'probot';
import type { Logger } from '../logger.js';
import { DEFAULT_CONFIG } from '../config/repo-config.js';
import {
  ensureMarkedComment,
  ensureStatusComment,
  findMarkedComments,
  type CommentLike,
} from '../github/status-comment.js';
import { STATUS_MARKER } from '../render/status-comment.js';
import type { RunProducer } from '../queue/producer.js';
import type { StatusState } from '../render/status-state.js';
import type { Background } from './background.js';
import type { ReadCache } from './read-cache.js';
import type { GitHubClient } from '../queue/types.js';
import {
  getIssueTarget,
  getLabelDecision,
  getLabelName,
  isSameLabel,
  type IssueTarget,
} from './triggers.js';
import { getRepositoryRole, meetsPermission } from './authorize.js';
import { loadRepoConfig, type LoadedConfig } from './config-loader.js';
import {
  CONFIG_MARKER,
  renderConfigFixed,
  renderConfigProblems,
  renderUnauthorized,
} from './messages.js';

/** What the web handlers need; everything a test replaces is here. */
export interface AppDeps {
  producer: RunProducer;
  logger: Logger;
  /** GitHub writes run here, after the webhook is acknowledged. */
  background: Background;
  /** The App's own login (`<slug>[bot]`), to ignore its own events and find its comments. */
  botLogin?: string;
  /** Short-lived cache of config and permission reads for label events (none when absent). */
  reads?: ReadCache;
  /**
   * How long a new job waits for its status comment before starting anyway (default 5 min).
   * Normally released within a second; the hold only matters if the web process dies or
   * GitHub writes are backed up, and it keeps the worker from racing the first comment.
   */
  holdMs?: number;
  now?: () => number;
}

const DEFAULT_HOLD_MS = 5 * 60_000;

type LabelContext = Context<'issues.labeled'> | Context<'issues.unlabeled'>;

export function botOptions(deps: AppDeps): { botLogin?: string } {
  return deps.botLogin === undefined ? {} : { botLogin: deps.botLogin };
}

/** Comments on the issue after the ack. */
export function postComment(
  octokit: GitHubClient,
  target: IssueTarget,
  body: string,
  deps: AppDeps,
): void {
  deps.background.run('comment', () =>
    octokit.rest.issues.createComment({
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      body,
    }),
  );
}

/** Posts (or updates, via its hidden marker) the one "invalid configuration" comment. */
export function reportConfigProblems(
  octokit: GitHubClient,
  target: IssueTarget,
  config: Extract<LoadedConfig, { ok: false }>,
  deps: AppDeps,
): void {
  deps.background.run('config-comment', () =>
    ensureMarkedComment(octokit, target, renderConfigProblems(config.problems), {
      marker: CONFIG_MARKER,
      ...botOptions(deps),
    }),
  );
}

/**
 * Enqueues a run (held), then after the ack writes the "queued" status comment and releases
 * the job. If the run was cancelled in between, the comment is corrected to "cancelled".
 */
export async function startRun(
  octokit: GitHubClient,
  target: IssueTarget,
  trigger: 'label' | 'retry',
  deps: AppDeps,
) {
  const now = deps.now ?? Date.now;
  const result = await deps.producer.enqueueRun(
    { ref: target, installationId: target.installationId, requestedBy: target.sender, trigger },
    { holdMs: deps.holdMs ?? DEFAULT_HOLD_MS },
  );
  if (result.status !== 'queued') return result;
  deps.background.run('status-comment', async () => {
    const state: StatusState = {
      phase: 'queued',
      runId: result.runId,
      queuePosition: result.queuePosition,
      requestedBy: target.sender,
      ...(result.resumed ? { detail: 'Resuming the previous run from its checkpoints.' } : {}),
    };
    const options = {
      ...botOptions(deps),
      ...(result.statusCommentId === undefined ? {} : { commentId: result.statusCommentId }),
    };
    let commentId: number | undefined;
    let configComment: CommentLike | undefined;
    try {
      // One pass over the comments finds the status comment and a stale config comment.
      // Without the list the status comment still gets written (it searches again if needed).
      const found = await findMarkedComments(
        octokit,
        target,
        [STATUS_MARKER, CONFIG_MARKER],
        deps.botLogin,
      ).catch(() => undefined);
      configComment = found?.get(CONFIG_MARKER);
      const known = result.statusCommentId ?? found?.get(STATUS_MARKER)?.id;
      commentId = await ensureStatusComment(octokit, target, state, {
        ...options,
        ...(known === undefined ? {} : { commentId: known }),
        searched: found !== undefined,
        now: now(),
      });
    } finally {
      // Even without a comment the run must start: the worker writes the comment then.
      const alive = await deps.producer.releaseRun(target, result.runId, commentId);
      if (!alive && commentId !== undefined) {
        await ensureStatusComment(
          octokit,
          target,
          { ...state, phase: 'cancelled', detail: 'Cancelled before it started.' },
          { ...options, commentId },
        );
      }
    }
    if (configComment !== undefined) await markConfigFixed(octokit, target, configComment);
  });
  return result;
}

/** The config was valid for this run: the old "invalid configuration" comment says so now. */
async function markConfigFixed(
  octokit: GitHubClient,
  target: IssueTarget,
  comment: CommentLike,
): Promise<void> {
  const body = renderConfigFixed();
  if (comment.body === body) return;
  await octokit.rest.issues.updateComment({
    owner: target.owner,
    repo: target.repo,
    comment_id: comment.id,
    body,
  });
}

function cachedConfig(
  context: LabelContext,
  target: IssueTarget,
  deps: AppDeps,
): Promise<LoadedConfig> {
  const load = () => loadRepoConfig(context);
  const key = `config:${target.owner}/${target.repo}`.toLowerCase();
  return deps.reads === undefined ? load() : deps.reads.get(key, load);
}

function cachedRole(octokit: GitHubClient, target: IssueTarget, deps: AppDeps): Promise<string> {
  const load = () => getRepositoryRole(octokit, target, target.sender);
  const key = `role:${target.owner}/${target.repo}/${target.sender}`.toLowerCase();
  return deps.reads === undefined ? load() : deps.reads.get(key, load);
}

/** `issues.labeled`: maybe start a run. */
export async function handleLabeled(
  context: Context<'issues.labeled'>,
  deps: AppDeps,
): Promise<void> {
  const payload = context.payload as unknown;
  const pre = getIssueTarget(payload, deps.botLogin);
  const labelName = getLabelName(payload);
  // Cheap checks first: no API call for closed issues, pull requests, bots or missing fields.
  if (!pre.act || labelName === undefined || !pre.target.open) return;
  const { open: _open, ...target } = pre.target;
  // While the issue has a live run nothing is enqueued or written for an authorised sender,
  // but the (cached) config and permission reads still run: an unauthorised labeller must get
  // the polite answer whether or not a run is live.
  const live = await deps.producer.hasLiveRun(target);
  const octokit = context.octokit as unknown as GitHubClient;
  // The default label is the common case: look up config and permission in parallel then.
  const rolePromise = isSameLabel(labelName, DEFAULT_CONFIG.label)
    ? cachedRole(octokit, target, deps)
    : undefined;
  rolePromise?.catch(() => undefined);
  const config = await cachedConfig(context, target, deps);
  const decision = getLabelDecision(payload, config.label, {
    requireOpen: true,
    ...botOptions(deps),
  });
  const log = deps.logger.child({
    repo: `${target.owner}/${target.repo}`,
    issue: target.issueNumber,
  });
  if (!decision.act) {
    log.debug({ reason: decision.reason }, 'labeled event skipped');
    return;
  }
  const minimum = config.ok ? config.config.permission : DEFAULT_CONFIG.permission;
  const role = await (rolePromise ?? cachedRole(octokit, target, deps));
  if (!meetsPermission(role, minimum)) {
    log.info({ sender: target.sender, role }, 'unauthorised labeller');
    postComment(
      octokit,
      target,
      renderUnauthorized(target.sender, minimum, 'start a codemonkeys run'),
      deps,
    );
    return;
  }
  if (live) {
    log.debug('labeled while a run is live: nothing to start');
    return;
  }
  if (!config.ok) {
    log.info({ problems: config.problems.length }, 'invalid repository config');
    reportConfigProblems(octokit, target, config, deps);
    return;
  }
  const result = await startRun(octokit, target, 'label', deps);
  log.info(
    { status: result.status, jobId: result.jobId, runId: result.runId },
    'label trigger handled',
  );
}

/** `issues.unlabeled`: removing the label cancels a queued or running run. */
export async function handleUnlabeled(
  context: Context<'issues.unlabeled'>,
  deps: AppDeps,
): Promise<void> {
  const payload = context.payload as unknown;
  const pre = getIssueTarget(payload, deps.botLogin);
  if (!pre.act || getLabelName(payload) === undefined) return;
  const { open: _open, ...target } = pre.target;
  const config = await cachedConfig(context, target, deps);
  const decision = getLabelDecision(payload, config.label, {
    requireOpen: false,
    ...botOptions(deps),
  });
  if (!decision.act) return;
  // Nothing to cancel: nothing to check or say. Otherwise only an authorised sender cancels
  // (as for `/codemonkeys cancel`); anyone else is told why the run goes on.
  if (!(await deps.producer.hasLiveRun(target))) return;
  const octokit = context.octokit as unknown as GitHubClient;
  const minimum = config.ok ? config.config.permission : DEFAULT_CONFIG.permission;
  const role = await cachedRole(octokit, target, deps);
  if (!meetsPermission(role, minimum)) {
    deps.logger.info({ sender: target.sender, role }, 'unauthorised unlabel: run not cancelled');
    postComment(
      octokit,
      target,
      renderUnauthorized(target.sender, minimum, 'cancel a codemonkeys run'),
      deps,
    );
    return;
  }
  await cancelAndReport(context, decision.target, deps);
}

/** Cancels the issue's run; a queued run's status comment is updated here, an active one by its worker. */
export async function cancelAndReport(
  context: LabelContext | Context<'issue_comment.created'>,
  target: IssueTarget,
  deps: AppDeps,
) {
  const result = await deps.producer.cancelRun(target);
  deps.logger.info({ jobId: result.jobId, status: result.status }, 'cancel requested');
  if (result.status === 'cancelled') {
    const octokit = context.octokit as unknown as GitHubClient;
    deps.background.run('cancel-comment', () =>
      ensureStatusComment(
        octokit,
        target,
        {
          phase: 'cancelled',
          runId: result.runId,
          detail: `Cancelled by ${target.sender} before it started.`,
        },
        {
          ...botOptions(deps),
          ...(result.statusCommentId === undefined ? {} : { commentId: result.statusCommentId }),
        },
      ),
    );
  }
  return result;
}
