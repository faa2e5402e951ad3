import { getHttpStatus, withGitHub } from './github-error.js';
import type { GitHubClient } from './octokit.js';

export interface EnsurePullRequestInput {
  owner: string;
  repo: string;
  /** Head branch in this repository. */
  branch: string;
  /** Base branch (the default branch). */
  base: string;
  title: string;
  body: string;
  draft: boolean;
  labels: string[];
  reviewers: string[];
}

export interface PullRequestRef {
  number: number;
  url: string;
  created: boolean;
  /** Reviewers GitHub refused (not collaborators, the PR author...), reported not thrown. */
  reviewersRejected?: string[];
}

/**
 * Finds the open PR whose head is `branch` and updates its title and body, or opens one (draft
 * by default). Re-runs therefore never open a second PR. Then adds labels and requests reviewers.
 */
export async function ensurePullRequest(
  octokit: GitHubClient,
  input: EnsurePullRequestInput,
): Promise<PullRequestRef> {
  const { owner, repo } = input;
  const { data: open } = await withGitHub(
    `looking for an open pull request from ${input.branch}`,
    () =>
      octokit.rest.pulls.list({
        owner,
        repo,
        state: 'open',
        head: `${owner}:${input.branch}`,
        per_page: 10,
      }),
  );
  const existing = open.find((pr) => pr.head.ref === input.branch);
  let ref: PullRequestRef;
  if (existing !== undefined) {
    await withGitHub(`updating pull request #${existing.number}`, () =>
      octokit.rest.pulls.update({
        owner,
        repo,
        pull_number: existing.number,
        title: input.title,
        body: input.body,
      }),
    );
    ref = { number: existing.number, url: existing.html_url, created: false };
  } else {
    const { data: created } = await withGitHub('opening the pull request', () =>
      octokit.rest.pulls.create({
        owner,
        repo,
        head: input.branch,
        base: input.base,
        title: input.title,
        body: input.body,
        draft: input.draft,
        maintainer_can_modify: true,
      }),
    );
    ref = { number: created.number, url: created.html_url, created: true };
  }
  if (input.labels.length > 0) {
    await withGitHub('adding labels to the pull request', () =>
      octokit.rest.issues.addLabels({
        owner,
        repo,
        issue_number: ref.number,
        labels: input.labels,
      }),
    );
  }
  if (input.reviewers.length > 0) {
    try {
      await octokit.rest.pulls.requestReviewers({
        owner,
        repo,
        pull_number: ref.number,
        reviewers: input.reviewers,
      });
    } catch (error) {
      // 422: a reviewer is not a collaborator or is the author; the PR is still useful.
      if (getHttpStatus(error) !== 422) throw error;
      ref.reviewersRejected = input.reviewers;
    }
  }
  return ref;
}
