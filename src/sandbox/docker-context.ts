import type Docker from 'dockerode';
import type { Logger } from '../logger.js';
import type { OwnerIdentity } from './labels.js';

/** What the Docker backend's parts share: the engine, who we are, and how we log. */
export interface DockerContext {
  docker: Docker;
  identity: OwnerIdentity;
  logger: Logger;
}

/** Default scratch directory inside every sandbox (created by environment preparation). */
export const SCRATCH_DIR = '/scratch';
export const SANDBOX_USER = '1000:1000';
export const SANDBOX_HOME = '/home/sandbox';

/** The only environment variables a sandbox gets besides the image's own ENV lines. */
export function getSandboxEnv(workdir: string): string[] {
  return [
    `HOME=${SANDBOX_HOME}`,
    'LANG=C.UTF-8',
    'PYTHONUNBUFFERED=1',
    `CODEMONKEYS_WORKDIR=${workdir}`,
    `CODEMONKEYS_SCRATCH=${SCRATCH_DIR}`,
  ];
}

/** Best-effort force removal; a container that is already gone is fine. */
export async function removeContainer(
  ctx: DockerContext,
  container: Docker.Container,
): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 409)
      ctx.logger.warn({ err: error, id: container.id }, 'sandbox container removal failed');
  }
}

export async function killContainer(container: Docker.Container): Promise<void> {
  try {
    await container.kill({ signal: 'SIGKILL' });
  } catch {
    // Already stopped or removed.
  }
}
