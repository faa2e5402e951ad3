import type { GitHubClient } from '../queue/types.js';
import type { RepoConfig } from '../config/repo-config.js';

const RANK: Record<string, number> = {
  none: 0,
  read: 1,
  triage: 2,
  write: 3,
  maintain: 4,
  admin: 5,
};

export type MinimumPermission = RepoConfig['permission'];

/** Pure: does a role (GitHub role_name or legacy permission) meet the configured minimum? */
export function meetsPermission(role: string, minimum: MinimumPermission): boolean {
  return (RANK[role] ?? 0) >= (RANK[minimum] ?? Infinity);
}

/**
 * The user's effective role on the repository. Uses `role_name` (distinguishes maintain and
 * triage); custom roles fall back to the legacy `permission` field. Not a collaborator → none.
 */
export async function getRepositoryRole(
  octokit: GitHubClient,
  where: { owner: string; repo: string },
  username: string,
): Promise<string> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: where.owner,
      repo: where.repo,
      username,
    });
    const roleName = (data as { role_name?: string }).role_name;
    return roleName !== undefined && roleName in RANK ? roleName : data.permission;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return 'none';
    throw error;
  }
}

export async function isAuthorized(
  octokit: GitHubClient,
  where: { owner: string; repo: string },
  username: string,
  minimum: MinimumPermission,
): Promise<boolean> {
  return meetsPermission(await getRepositoryRole(octokit, where, username), minimum);
}
