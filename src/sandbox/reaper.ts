import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { Logger } from '../logger.js';
import {
  LABEL_CREATED,
  LABEL_HOST,
  LABEL_OWNER,
  LABEL_PID,
  LABEL_RUN_IMAGE,
  LABEL_SANDBOX,
} from './labels.js';

export interface ReapOptions {
  /** This provider's owner id: never reaped here. */
  selfOwner: string;
  /** Anything older than this is reaped whoever owns it. */
  ttlMs: number;
  /** Run images built longer ago than this are removed (unless in use). Omit to keep them. */
  runImageTtlMs?: number;
  /** Run image names this process still uses: never pruned. */
  imagesInUse?: ReadonlySet<string>;
  logger: Logger;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Decides whether a labelled resource is an orphan: its owner process (on this host) is gone,
 * or it is older than the TTL. Owners on other hosts are only judged by age.
 */
export function isOrphan(
  labels: Record<string, string> | undefined,
  options: Pick<ReapOptions, 'selfOwner' | 'ttlMs'>,
  now = Date.now(),
): boolean {
  if (!labels || labels[LABEL_SANDBOX] !== '1') return false;
  if (labels[LABEL_OWNER] === options.selfOwner) return false;
  const created = Number(labels[LABEL_CREATED]);
  if (Number.isFinite(created) && now - created > options.ttlMs) return true;
  const pid = Number(labels[LABEL_PID]);
  if (labels[LABEL_HOST] === hostname() && Number.isInteger(pid) && pid > 0)
    return !isProcessAlive(pid);
  return false;
}

/** Removes orphaned sandbox containers and volumes. Returns how many were removed. */
export async function reapOrphans(docker: Docker, options: ReapOptions): Promise<number> {
  const filters = { label: [`${LABEL_SANDBOX}=1`] };
  let removed = 0;
  const containers = await docker.listContainers({ all: true, filters });
  for (const info of containers) {
    if (!isOrphan(info.Labels, options)) continue;
    try {
      await docker.getContainer(info.Id).remove({ force: true, v: true });
      removed += 1;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404)
        options.logger.warn({ err: error, id: info.Id }, 'orphan container removal failed');
    }
  }
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  for (const volume of volumes) {
    if (!isOrphan(volume.Labels ?? undefined, options)) continue;
    try {
      await docker.getVolume(volume.Name).remove();
      removed += 1;
    } catch (error) {
      options.logger.warn({ err: error, name: volume.Name }, 'orphan volume removal failed');
    }
  }
  if (options.runImageTtlMs !== undefined)
    removed += await pruneRunImages(
      docker,
      options.runImageTtlMs,
      options.imagesInUse ?? new Set(),
      options.logger,
    );
  if (removed > 0) options.logger.info({ removed }, 'sandbox orphans reaped');
  return removed;
}

/** Removes run images older than the TTL; an image still used by a container is skipped. */
async function pruneRunImages(
  docker: Docker,
  ttlMs: number,
  inUse: ReadonlySet<string>,
  logger: Logger,
): Promise<number> {
  const images = await docker.listImages({ filters: { label: [`${LABEL_RUN_IMAGE}=1`] } });
  let removed = 0;
  for (const image of images) {
    const created = Number(image.Labels?.[LABEL_CREATED]);
    if (!Number.isFinite(created) || Date.now() - created <= ttlMs) continue;
    if ((image.RepoTags ?? []).some((tag) => inUse.has(tag))) continue;
    try {
      await docker.getImage(image.Id).remove();
      removed += 1;
    } catch (error) {
      logger.debug({ err: error, id: image.Id }, 'run image kept (in use or already gone)');
    }
  }
  return removed;
}
