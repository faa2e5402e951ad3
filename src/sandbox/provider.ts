import type Docker from 'dockerode';
import type { Logger } from '../logger.js';
import { DockerSandboxProvider, type DockerProviderOptions } from './docker-provider.js';
import { LocalSandboxProvider } from './local-provider.js';
import type { SandboxProvider } from './types.js';

export interface SandboxProviderOptions {
  kind: 'docker' | 'local';
  /** Executions running at once (repo config `sandbox.concurrency`). */
  concurrency: number;
  /** Required for `local` (or CODEMONKEYS_ALLOW_LOCAL_SANDBOX=1). */
  allowUnsafeLocal?: boolean;
  docker?: Docker;
  logger?: Logger;
  /** Docker-only tuning (labels, pool size, reaping); see DockerProviderOptions. */
  dockerOptions?: Omit<DockerProviderOptions, 'docker' | 'concurrency' | 'logger'>;
}

/** The one way to get a sandbox: Docker in production, local processes in development only. */
export function createSandboxProvider(options: SandboxProviderOptions): SandboxProvider {
  if (options.kind === 'local') {
    return new LocalSandboxProvider({
      concurrency: options.concurrency,
      ...(options.allowUnsafeLocal !== undefined
        ? { allowUnsafeLocal: options.allowUnsafeLocal }
        : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }
  return new DockerSandboxProvider({
    ...options.dockerOptions,
    concurrency: options.concurrency,
    ...(options.docker ? { docker: options.docker } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
