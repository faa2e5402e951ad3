import { CodemonkeysError } from '../errors.js';
import { getHttpStatus, toGitHubError } from './github-error.js';
import type { GitHubClient } from './octokit.js';

export interface EnsureBranchInput {
  owner: string;
  repo: string;
  branch: string;
  sha: string;
}

export interface EnsureBranchResult {
  created: boolean;
  /** Commit the branch pointed at before (undefined when created). */
  previousSha?: string;
}

async function readRef(
  octokit: GitHubClient,
  input: EnsureBranchInput,
): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.git.getRef({
      owner: input.owner,
      repo: input.repo,
      ref: `heads/${input.branch}`,
    });
    return data.object.sha;
  } catch (error) {
    if (getHttpStatus(error) === 404) return undefined;
    throw toGitHubError(error, `reading the branch ${input.branch}`);
  }
}

/**
 * Points `branch` at `sha`: creates the ref, or force-updates it (the branch belongs to
 * CodeMonkeys; a re-run replaces its commit). A concurrent create (422) is retried as an update
 * once; a second conflict is GITHUB_CONFLICT.
 */
export async function ensureBranch(
  octokit: GitHubClient,
  input: EnsureBranchInput,
): Promise<EnsureBranchResult> {
  const { owner, repo, branch, sha } = input;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const current = await readRef(octokit, input);
    if (current === sha) return { created: false, previousSha: current };
    try {
      if (current === undefined) {
        await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha });
        return { created: true };
      }
      await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true });
      return { created: false, previousSha: current };
    } catch (error) {
      const status = getHttpStatus(error);
      if ((status === 422 || status === 409) && attempt === 0) continue;
      if (status === 422 || status === 409) {
        throw new CodemonkeysError(
          'GITHUB_CONFLICT',
          `the branch ${branch} changed while CodeMonkeys was updating it`,
          {
            cause: error,
            details: { status },
          },
        );
      }
      throw toGitHubError(error, `updating the branch ${branch}`);
    }
  }
  throw new CodemonkeysError(
    'GITHUB_CONFLICT',
    `the branch ${branch} changed while CodeMonkeys was updating it`,
  );
}
