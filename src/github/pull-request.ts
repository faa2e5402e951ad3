import type { RepoConfig } from '../config/repo-config.js';
import { CodemonkeysError } from '../errors.js';
import type { RunReport } from '../pipeline/types.js';
import { stripControl } from '../render/markdown.js';
import { renderPrBody } from '../render/pr-body.js';
import { applyDiffToSnapshot, type FileWrite } from './apply-diff.js';
import { createCommit } from './commit-files.js';
import { ensureBranch } from './ensure-branch.js';
import { ensurePullRequest, type PullRequestRef } from './ensure-pull-request.js';
import type { GitHubClient } from './octokit.js';
import { getDefaultBranchHead } from './repo-snapshot.js';

export interface DeliverPullRequestInput {
  owner: string;
  repo: string;
  report: RunReport;
  /** Directory of the snapshot the run analysed (at report.baseCommit). */
  snapshotDir: string;
  config: RepoConfig;
  /** Untrusted. */
  issueTitle: string;
  requestedBy?: string;
  scripted?: boolean;
}

export interface DeliveredPullRequest extends PullRequestRef {
  branch: string;
  commitSha: string;
  /** Set when the default branch moved since the run's base commit. */
  baseMoved?: { currentHead: string; branch: string };
}

/** `<branchPrefix>issue-<n>`: deterministic, so a re-run finds its branch and PR. */
export function getBranchName(config: RepoConfig, issueNumber: number): string {
  return `${config.pr.branchPrefix}issue-${issueNumber}`;
}

/** Where the reproduction test goes when `pr.commitTests` is on. */
export function getCommittedTestPath(config: RepoConfig, issueNumber: number): string {
  return `tests/codemonkeys/test_issue_${issueNumber}${config.sandbox.test.extension}`;
}

export function getPrTitle(issueNumber: number, issueTitle: string): string {
  const title = stripControl(issueTitle).replace(/\s+/g, ' ').trim();
  const cut = title.length > 180 ? `${title.slice(0, 179)}…` : title;
  return `Fix #${issueNumber}: ${cut}`;
}

/**
 * Opens or updates the pull request for a selected run: applies the selected diff to the
 * snapshot in process, commits it (plus, optionally, the reproduction test) on top of the run's
 * base commit with the Git Data API, points the branch at it, and ensures one PR whose body
 * carries the evidence. If the default branch moved meanwhile, the branch still starts at the
 * base commit and the body says so.
 */
export async function deliverPullRequest(
  octokit: GitHubClient,
  input: DeliverPullRequestInput,
): Promise<DeliveredPullRequest> {
  const { owner, repo, report, config } = input;
  const selected = report.selected;
  if (report.outcome !== 'selected' || selected === undefined) {
    throw new CodemonkeysError(
      'INTERNAL',
      'deliverPullRequest called for a run without a selected edit',
      { retryable: false },
    );
  }
  const files: FileWrite[] = await applyDiffToSnapshot(selected.diff, input.snapshotDir);
  let committedTestPath: string | undefined;
  if (config.pr.commitTests && selected.evidence !== undefined) {
    committedTestPath = getCommittedTestPath(config, report.issueNumber);
    const testPath = committedTestPath;
    if (!files.some((f) => f.path === testPath))
      files.push({ path: testPath, content: selected.evidence.script });
  }
  const branch = getBranchName(config, report.issueNumber);
  const commitSha = await createCommit(octokit, {
    owner,
    repo,
    baseSha: report.baseCommit,
    message: `${getPrTitle(report.issueNumber, input.issueTitle)}\n\nCandidate C${selected.candidateId} selected by CodeMonkeys run ${report.runId}.`,
    files,
  });
  const head = await getDefaultBranchHead(octokit, { owner, repo });
  const baseMoved =
    head.sha === report.baseCommit
      ? undefined
      : { currentHead: head.sha, branch: head.defaultBranch };
  await ensureBranch(octokit, { owner, repo, branch, sha: commitSha });
  const body = renderPrBody({
    report,
    issueTitle: input.issueTitle,
    ...(input.requestedBy === undefined ? {} : { requestedBy: input.requestedBy }),
    ...(baseMoved === undefined ? {} : { baseMoved }),
    ...(input.scripted === true ? { scripted: true } : {}),
    ...(committedTestPath === undefined ? {} : { committedTestPath }),
  });
  const pr = await ensurePullRequest(octokit, {
    owner,
    repo,
    branch,
    base: head.defaultBranch,
    title: getPrTitle(report.issueNumber, input.issueTitle),
    body,
    draft: config.pr.draft,
    labels: config.pr.labels,
    reviewers: config.pr.reviewers,
  });
  return { ...pr, branch, commitSha, ...(baseMoved === undefined ? {} : { baseMoved }) };
}
