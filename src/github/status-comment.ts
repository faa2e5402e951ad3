import type { GitHubClient } from '../queue/types.js';
import type { Logger } from '../logger.js';
import type { StatusReporter, StatusState } from '../render/status-state.js';
import { renderStatusComment, STATUS_MARKER } from '../render/status-comment.js';

export interface IssueLocation {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface EnsureCommentOptions {
  /** Hidden marker that identifies the comment. */
  marker: string;
  /** Comment id found earlier (skips the search when it still exists). */
  commentId?: number;
  /** Only comments by this login count (e.g. `my-app[bot]`); else any Bot-type author. */
  botLogin?: string;
  /** The caller already searched the issue and found none (without `commentId`): create. */
  searched?: boolean;
}

export interface CommentLike {
  id: number;
  body?: string | null;
  user?: { login: string; type?: string } | null;
}

function isOwnComment(comment: CommentLike, marker: string, botLogin: string | undefined): boolean {
  if (!(comment.body ?? '').includes(marker)) return false;
  const user = comment.user;
  if (user === null || user === undefined) return false;
  return botLogin === undefined ? user.type === 'Bot' : user.login === botLogin;
}

/** Finds the bot's comment carrying `marker` (first match), paging through the issue. */
export async function findMarkedComment(
  octokit: GitHubClient,
  where: IssueLocation,
  marker: string,
  botLogin?: string,
): Promise<CommentLike | undefined> {
  return (await findMarkedComments(octokit, where, [marker], botLogin)).get(marker);
}

/**
 * One pass over the issue's comments finding the bot's first comment for each marker (stops
 * paging once every marker is found).
 */
export async function findMarkedComments(
  octokit: GitHubClient,
  where: IssueLocation,
  markers: readonly string[],
  botLogin?: string,
): Promise<Map<string, CommentLike>> {
  const found = new Map<string, CommentLike>();
  const iterator = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: where.owner,
    repo: where.repo,
    issue_number: where.issueNumber,
    per_page: 100,
  });
  for await (const page of iterator) {
    for (const marker of markers) {
      if (found.has(marker)) continue;
      const hit = page.data.find((c) => isOwnComment(c, marker, botLogin));
      if (hit !== undefined) found.set(marker, hit);
    }
    if (found.size === markers.length) break;
  }
  return found;
}

/**
 * Idempotent write of a marked comment: updates it in place when it exists (skipping the
 * write when the body is unchanged), creates it otherwise. Returns the comment id.
 */
export async function ensureMarkedComment(
  octokit: GitHubClient,
  where: IssueLocation,
  body: string,
  options: EnsureCommentOptions,
): Promise<number> {
  if (options.commentId !== undefined) {
    try {
      await octokit.rest.issues.updateComment({
        owner: where.owner,
        repo: where.repo,
        comment_id: options.commentId,
        body,
      });
      return options.commentId;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
      // Deleted by someone: fall back to search / create.
    }
  }
  const existing =
    options.searched === true && options.commentId === undefined
      ? undefined
      : await findMarkedComment(octokit, where, options.marker, options.botLogin);
  if (existing !== undefined) {
    if (existing.body !== body) {
      await octokit.rest.issues.updateComment({
        owner: where.owner,
        repo: where.repo,
        comment_id: existing.id,
        body,
      });
    }
    return existing.id;
  }
  const created = await octokit.rest.issues.createComment({
    owner: where.owner,
    repo: where.repo,
    issue_number: where.issueNumber,
    body,
  });
  return created.data.id;
}

/** The one sticky status comment of an issue: find-or-create via its marker, update in place. */
export async function ensureStatusComment(
  octokit: GitHubClient,
  where: IssueLocation,
  state: StatusState,
  options: { commentId?: number; botLogin?: string; now?: number; searched?: boolean } = {},
): Promise<number> {
  const body = renderStatusComment(state, options.now ?? Date.now());
  return ensureMarkedComment(octokit, where, body, {
    marker: STATUS_MARKER,
    ...(options.searched === true ? { searched: true } : {}),
    ...(options.commentId === undefined ? {} : { commentId: options.commentId }),
    ...(options.botLogin === undefined ? {} : { botLogin: options.botLogin }),
  });
}

export interface StatusReporterOptions {
  octokit: GitHubClient;
  where: IssueLocation;
  initial: StatusState;
  commentId?: number;
  botLogin?: string;
  logger: Logger;
  /** Minimum time between two writes (default 5 s). */
  minIntervalMs?: number;
  now?: () => number;
  /** Called with each state actually written (e.g. to mirror progress into the job). */
  onWrite?: (state: StatusState) => void;
}

export interface StatusReporterHandle extends StatusReporter {
  /** Current merged state. */
  current(): StatusState;
  /** Id of the comment once written. */
  commentId(): number | undefined;
}

/**
 * Throttled writer: at most one write per interval, never two writes at once, and the latest
 * state is always written eventually (flush writes it now). A failed write is logged, not
 * thrown: the status comment must never break a run.
 */
export function createStatusReporter(options: StatusReporterOptions): StatusReporterHandle {
  const minInterval = options.minIntervalMs ?? 5_000;
  const now = options.now ?? Date.now;
  let state: StatusState = { ...options.initial };
  let commentId = options.commentId;
  let dirty = false;
  let lastWrite = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  async function write(): Promise<void> {
    dirty = false;
    const snapshot = { ...state };
    try {
      commentId = await ensureStatusComment(options.octokit, options.where, snapshot, {
        ...(commentId === undefined ? {} : { commentId }),
        ...(options.botLogin === undefined ? {} : { botLogin: options.botLogin }),
        now: now(),
      });
      options.onWrite?.(snapshot);
    } catch (error) {
      options.logger.warn({ err: error, runId: state.runId }, 'status comment write failed');
    } finally {
      lastWrite = now();
    }
  }

  function run(): Promise<void> {
    inFlight = write().finally(() => {
      inFlight = undefined;
      if (dirty) schedule();
    });
    return inFlight;
  }

  function schedule(): void {
    if (inFlight !== undefined || timer !== undefined) return;
    const wait = lastWrite + minInterval - now();
    if (wait <= 0) {
      void run();
      return;
    }
    timer = setTimeout(() => {
      timer = undefined;
      if (dirty) void run();
    }, wait);
    timer.unref?.();
  }

  return {
    update(patch) {
      state = { ...state, ...patch };
      dirty = true;
      schedule();
    },
    async flush() {
      for (;;) {
        if (timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
        }
        if (inFlight !== undefined) {
          await inFlight;
          continue;
        }
        if (!dirty) return;
        await run();
      }
    },
    current: () => ({ ...state }),
    commentId: () => commentId,
  };
}
