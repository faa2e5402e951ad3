import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodemonkeysError } from '../errors.js';
import type { RepoSnapshot } from '../sandbox/types.js';
import { DEFAULT_EXTRACT_LIMITS, extractTarball, type ExtractLimits } from './extract-tarball.js';
import { withGitHub } from './github-error.js';
import type { GitHubClient } from './octokit.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface BaseCommit {
  defaultBranch: string;
  sha: string;
}

/** The default branch and the commit at its head right now. */
export async function getDefaultBranchHead(
  octokit: GitHubClient,
  ref: RepoRef,
): Promise<BaseCommit> {
  const { data: repo } = await withGitHub(`reading ${ref.owner}/${ref.repo}`, () =>
    octokit.rest.repos.get({ owner: ref.owner, repo: ref.repo }),
  );
  const defaultBranch = repo.default_branch;
  const { data: branch } = await withGitHub(`reading the head of ${defaultBranch}`, () =>
    octokit.rest.repos.getBranch({ ...ref, branch: defaultBranch }),
  );
  return { defaultBranch, sha: branch.commit.sha };
}

export interface SnapshotOptions {
  /** Commit to download (default: head of the default branch). */
  sha?: string;
  /** Parent of the temp directory (default: os.tmpdir()). */
  parentDir?: string;
  limits?: Partial<ExtractLimits>;
  signal?: AbortSignal;
}

export interface RepoSnapshotResult extends RepoSnapshot, BaseCommit {
  /** Removes the extracted files. */
  dispose(): Promise<void>;
}

/**
 * Downloads the repository at one commit through the API (no git credentials on disk) and
 * extracts it safely into a fresh temp directory.
 */
export async function snapshotRepo(
  octokit: GitHubClient,
  ref: RepoRef,
  options: SnapshotOptions = {},
): Promise<RepoSnapshotResult> {
  const head = await getDefaultBranchHead(octokit, ref);
  const sha = options.sha ?? head.sha;
  const limits: ExtractLimits = {
    ...DEFAULT_EXTRACT_LIMITS,
    ...options.limits,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const response = await withGitHub(
    `downloading ${ref.owner}/${ref.repo} at ${sha.slice(0, 12)}`,
    () =>
      octokit.rest.repos.downloadTarballArchive({
        ...ref,
        ref: sha,
        request: { signal: options.signal },
      }),
  );
  const archive = toBuffer(response.data);
  if (archive.length > limits.maxBytes) {
    throw new CodemonkeysError(
      'WORKSPACE_ERROR',
      `the repository archive is larger than ${limits.maxBytes} bytes`,
      {
        retryable: false,
      },
    );
  }
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'codemonkeys-snapshot-'));
  try {
    await extractTarball(archive, dir, limits);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    repo: `${ref.owner}/${ref.repo}`,
    commit: sha,
    sha,
    defaultBranch: head.defaultBranch,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data, 'binary');
  throw new CodemonkeysError('GITHUB_ERROR', 'GitHub returned an unexpected archive format');
}
