import { getHttpStatus, isDraftUnsupported, toGitHubError, withGitHub } from './github-error.js';
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
  /** A draft was asked for, but the repository does not support drafts: opened as a normal PR. */
  draftUnsupported?: boolean;
}

/** Added to the body when a draft was asked for but the repository cannot have drafts. */
export const DRAFT_UNSUPPORTED_NOTE =
  '> [!NOTE]\n> This repository does not support draft pull requests, so this one was opened as a normal pull request. Please review it before merging.';

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
    ref = await createPullRequest(octokit, input);
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

/** Opens the PR; a draft refused because the repository cannot have drafts becomes a normal PR. */
async function createPullRequest(
  octokit: GitHubClient,
  input: EnsurePullRequestInput,
): Promise<PullRequestRef> {
  const create = (draft: boolean, body: string) =>
    octokit.rest.pulls.create({
      owner: input.owner,
      repo: input.repo,
      head: input.branch,
      base: input.base,
      title: input.title,
      body,
      draft,
      maintainer_can_modify: true,
    });
  try {
    const { data } = await create(input.draft, input.body);
    return { number: data.number, url: data.html_url, created: true };
  } catch (error) {
    if (!input.draft || !isDraftUnsupported(error))
      throw toGitHubError(error, 'opening the pull request');
  }
  const { data } = await withGitHub('opening the pull request (not as a draft)', () =>
    create(false, `${DRAFT_UNSUPPORTED_NOTE}\n\n${input.body}`),
  );
  return { number: data.number, url: data.html_url, created: true, draftUnsupported: true };
}
