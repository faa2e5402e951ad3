import { withGitHub } from './github-error.js';
import type { FileWrite } from './apply-diff.js';
import type { GitHubClient } from './octokit.js';

export interface CommitFilesInput {
  owner: string;
  repo: string;
  /** Parent commit; its tree is the base tree. */
  baseSha: string;
  message: string;
  files: FileWrite[];
  author?: { name: string; email: string };
}

/**
 * Creates one commit through the Git Data API: blobs -> tree (base_tree = parent's tree) ->
 * commit with the given parent. No git credentials or clones on disk. Returns the commit sha.
 */
export async function createCommit(
  octokit: GitHubClient,
  input: CommitFilesInput,
): Promise<string> {
  const { owner, repo } = input;
  const { data: parent } = await withGitHub(`reading commit ${input.baseSha.slice(0, 12)}`, () =>
    octokit.rest.git.getCommit({ owner, repo, commit_sha: input.baseSha }),
  );
  const tree: Array<{ path: string; mode: '100644' | '100755'; type: 'blob'; sha: string | null }> =
    [];
  for (const file of input.files) {
    if (file.content === null) {
      tree.push({ path: file.path, mode: '100644', type: 'blob', sha: null });
      continue;
    }
    const content = file.content;
    const { data: blob } = await withGitHub(`uploading ${file.path}`, () =>
      octokit.rest.git.createBlob({
        owner,
        repo,
        content: Buffer.from(content, 'utf8').toString('base64'),
        encoding: 'base64',
      }),
    );
    tree.push({
      path: file.path,
      mode: file.executable === true ? '100755' : '100644',
      type: 'blob',
      sha: blob.sha,
    });
  }
  const { data: newTree } = await withGitHub('creating the tree', () =>
    octokit.rest.git.createTree({ owner, repo, base_tree: parent.tree.sha, tree }),
  );
  const { data: commit } = await withGitHub('creating the commit', () =>
    octokit.rest.git.createCommit({
      owner,
      repo,
      message: input.message,
      tree: newTree.sha,
      parents: [input.baseSha],
      ...(input.author === undefined
        ? {}
        : { author: { ...input.author, date: new Date().toISOString() } }),
    }),
  );
  return commit.sha;
}
