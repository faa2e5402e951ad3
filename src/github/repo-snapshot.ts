import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { throwIfAborted } from '../errors.js';
import { archiveTooLarge, capBytes, toByteSource } from './capped-download.js';
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
  /** Cap on the downloaded (compressed) archive, enforced while downloading (default limits.maxBytes). */
  maxArchiveBytes?: number;
  signal?: AbortSignal;
}

export interface RepoSnapshotResult extends RepoSnapshot, BaseCommit {
  /** Removes the extracted files. */
  dispose(): Promise<void>;
}

/**
 * Downloads the repository at one commit through the API (no git credentials on disk) and
 * extracts it safely into a fresh temp directory while it streams in: the archive is never held
 * in memory whole, and a download past `maxArchiveBytes` is stopped with WORKSPACE_ERROR.
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
  const maxArchiveBytes = options.maxArchiveBytes ?? limits.maxBytes;
  const action = `downloading ${ref.owner}/${ref.repo} at ${sha.slice(0, 12)}`;
  // Our own controller (following the caller's signal) so the cap can stop the download.
  const download = new AbortController();
  const follow = () => download.abort(options.signal?.reason);
  if (options.signal?.aborted === true) follow();
  options.signal?.addEventListener('abort', follow, { once: true });
  let dir: string | undefined;
  try {
    const response = await withGitHub(action, () =>
      octokit.rest.repos.downloadTarballArchive({
        ...ref,
        ref: sha,
        // Streamed, never buffered whole: the body is read as it is extracted.
        request: { signal: download.signal, parseSuccessResponseBody: false },
      }),
    );
    const source = toByteSource(response.data);
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxArchiveBytes) {
      download.abort();
      throw archiveTooLarge(maxArchiveBytes, { declared });
    }
    dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'codemonkeys-snapshot-'));
    await extractTarball(
      capBytes(source, maxArchiveBytes, action, () => download.abort()),
      dir,
      limits,
    );
  } catch (error) {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    throwIfAborted(options.signal);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', follow);
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
