import { CodemonkeysError } from '../errors.js';
import { withGitHub } from './github-error.js';
import type { GitHubClient } from './octokit.js';

export interface IssueData {
  number: number;
  /** Untrusted. */
  title: string;
  /** Untrusted; empty string when the issue has no body. */
  body: string;
  url: string;
  state: 'open' | 'closed';
}

/** Reads one issue; a pull request number is refused (runs are for issues). */
export async function readIssue(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  issueNumber: number,
): Promise<IssueData> {
  const { data } = await withGitHub(`reading issue #${issueNumber}`, () =>
    octokit.rest.issues.get({ owner, repo, issue_number: issueNumber }),
  );
  if (data.pull_request !== undefined && data.pull_request !== null) {
    throw new CodemonkeysError(
      'CONFIG_INVALID',
      `#${issueNumber} is a pull request, not an issue`,
      { retryable: false },
    );
  }
  return {
    number: data.number,
    title: data.title,
    body: data.body ?? '',
    url: data.html_url,
    state: data.state === 'closed' ? 'closed' : 'open',
  };
}
