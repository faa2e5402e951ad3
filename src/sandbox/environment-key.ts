import { createHash } from 'node:crypto';
import type { EnvironmentSpec, RepoSnapshot } from './types.js';

/** Bumped when preparation changes in a way that invalidates existing run images. */
const RECIPE_VERSION = 2;

/** Everything that determines a run image's content: repo, commit, spec, snapshot bytes. */
export function getEnvironmentKey(
  spec: EnvironmentSpec,
  snapshot: RepoSnapshot,
  snapshotHash: string,
): string {
  const material = JSON.stringify({
    v: RECIPE_VERSION,
    repo: snapshot.repo,
    commit: snapshot.commit,
    image: spec.image,
    setup: spec.setup,
    workdir: spec.workdir,
    snapshotHash,
  });
  return createHash('sha256').update(material).digest('hex');
}

/** `codemonkeys/run:<repo-slug>-<commit12>-<key16>`: readable in `docker images`, unique by key. */
export function getRunImageName(snapshot: RepoSnapshot, key: string): string {
  const slug = snapshot.repo
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  const commit = snapshot.commit
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 12);
  return `codemonkeys/run:${slug || 'repo'}-${commit || 'nocommit'}-${key.slice(0, 16)}`;
}
