import { CodemonkeysError } from '../errors.js';
import { parseRepoConfigYaml, type RepoConfig } from '../config/repo-config.js';
import { getHttpStatus, toGitHubError } from './github-error.js';
import type { GitHubClient } from './octokit.js';

export const REPO_CONFIG_PATH = '.github/codemonkeys.yml';

export interface LoadedRepoConfig {
  config: RepoConfig;
  /** Where it came from: `owner/repo`, `owner/.github`, or `defaults`. */
  source: string;
}

async function readText(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  ref?: string,
): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({
      owner,
      repo,
      path: REPO_CONFIG_PATH,
      ...(ref === undefined ? {} : { ref }),
    });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
    return Buffer.from(data.content, 'base64').toString('utf8');
  } catch (error) {
    if (getHttpStatus(error) === 404) return undefined;
    throw toGitHubError(error, `reading ${REPO_CONFIG_PATH} of ${owner}/${repo}`);
  }
}

/**
 * Loads `.github/codemonkeys.yml` from the repository (at `ref`, default branch by default),
 * falling back to the organisation's `.github` repository, then to the defaults. An invalid
 * file is CONFIG_INVALID (not retryable) listing every problem in `details.problems`.
 */
export async function loadRepoConfig(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  ref?: string,
): Promise<LoadedRepoConfig> {
  let source = `${owner}/${repo}`;
  let text = await readText(octokit, owner, repo, ref);
  if (text === undefined && repo !== '.github') {
    source = `${owner}/.github`;
    text = await readText(octokit, owner, '.github');
  }
  if (text === undefined) {
    const parsed = parseRepoConfigYaml('');
    if (!parsed.ok) throw new CodemonkeysError('INTERNAL', 'the default configuration is invalid');
    return { config: parsed.config, source: 'defaults' };
  }
  const parsed = parseRepoConfigYaml(text);
  if (!parsed.ok) {
    const problems = parsed.problems.map((p) => `${p.path}: ${p.message}`);
    throw new CodemonkeysError(
      'CONFIG_INVALID',
      `${REPO_CONFIG_PATH} in ${source} has ${problems.length} problem(s)`,
      {
        retryable: false,
        details: { problems, path: `${source}/${REPO_CONFIG_PATH}` },
      },
    );
  }
  return { config: parsed.config, source };
}
