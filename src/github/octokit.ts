import { ProbotOctokit } from 'probot';
import type { GitHubClient } from '../queue/types.js';

export type { GitHubClient } from '../queue/types.js';

export interface TokenOctokitOptions {
  token: string;
  /** e.g. https://ghe.example.com/api/v3 (defaults to GHE_HOST/GHE_PROTOCOL or api.github.com). */
  baseUrl?: string;
  /** Plugins' own retries/throttling; off in tests so nock sees each request once. */
  retries?: boolean;
}

function defaultBaseUrl(): string | undefined {
  const host = process.env.GHE_HOST;
  if (host === undefined || host === '') return undefined;
  return `${process.env.GHE_PROTOCOL ?? 'https'}://${host}/api/v3`;
}

/** An Octokit authenticated with a plain token (CLI `--issue`, tests). The token stays in memory. */
export function createTokenOctokit(options: TokenOctokitOptions): GitHubClient {
  const baseUrl = options.baseUrl ?? defaultBaseUrl();
  const retries = options.retries ?? true;
  return new ProbotOctokit({
    auth: { token: options.token },
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(retries ? {} : { throttle: { enabled: false }, retry: { enabled: false } }),
  });
}
