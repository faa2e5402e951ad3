import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import { CodemonkeysError } from '../errors.js';
import { type Logger, createLogger } from '../logger.js';
import type { DockerContext } from './docker-context.js';
import { DockerEnvironment } from './docker-environment.js';
import { type RunImage, ensureRunImage } from './docker-image.js';
import { LABEL_RUN_IMAGE } from './labels.js';
import { reapOrphans } from './reaper.js';
import { Semaphore } from './semaphore.js';
import type {
  Environment,
  EnvironmentSpec,
  PrepareOptions,
  RepoSnapshot,
  SandboxProvider,
} from './types.js';

export interface DockerProviderOptions {
  docker?: Docker;
  /** Maximum executions running at once across all environments of this provider. */
  concurrency: number;
  logger?: Logger;
  /** Extra labels on everything created (tests use a unique one per file). */
  labels?: Record<string, string>;
  /** Pre-started containers per environment; defaults to `concurrency`. 0 disables the pool. */
  poolSize?: number;
  /** Containers/volumes of other owners older than this are reaped (default 6 h). */
  orphanTtlMs?: number;
  /** Remove the run images this provider prepared when it closes (tests, demos, one-off CLI runs). */
  removeRunImagesOnClose?: boolean;
  /** Run images older than this are pruned when reaping (default 7 days). */
  runImageTtlMs?: number;
  /** Periodic reaping interval (default 10 min; 0 disables). */
  reapIntervalMs?: number;
  /** An execution writing more than this (all streams) is stopped (default 16 MiB or 4 x cap). */
  hardOutputLimitBytes?: number;
}

/** The production sandbox: Docker containers, one fresh container per execution. */
export class DockerSandboxProvider implements SandboxProvider {
  readonly kind = 'docker' as const;
  readonly owner = `cm-${randomUUID().slice(0, 12)}`;
  private readonly ctx: DockerContext;
  private readonly semaphore: Semaphore;
  private readonly environments = new Set<DockerEnvironment>();
  private readonly building = new Map<string, Promise<RunImage>>();
  private readonly usedImages = new Set<string>();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly startup: Promise<unknown>;
  private closed = false;

  constructor(private readonly options: DockerProviderOptions) {
    const logger = (options.logger ?? createLogger()).child({
      component: 'sandbox',
      owner: this.owner,
    });
    this.ctx = {
      docker: options.docker ?? new Docker(),
      identity: { owner: this.owner, extra: options.labels ?? {} },
      logger,
    };
    this.semaphore = new Semaphore(Math.max(1, options.concurrency));
    this.startup = this.reapOrphans().catch((error: unknown) =>
      logger.warn({ err: error }, 'start-up orphan reaping failed'),
    );
    const interval = options.reapIntervalMs ?? 600_000;
    if (interval > 0) {
      this.timer = setInterval(() => {
        this.reapOrphans().catch((error: unknown) =>
          logger.warn({ err: error }, 'periodic orphan reaping failed'),
        );
      }, interval);
      this.timer.unref();
    }
  }

  async prepare(
    spec: EnvironmentSpec,
    snapshot: RepoSnapshot,
    options: PrepareOptions = {},
  ): Promise<Environment> {
    if (this.closed) throw new CodemonkeysError('SANDBOX_ERROR', 'The sandbox provider is closed.');
    await this.startup;
    await this.ping();
    if (spec.runtime !== undefined) await this.checkRuntime(spec.runtime);
    const buildKey = JSON.stringify([spec, snapshot]);
    let pending = this.building.get(buildKey);
    if (!pending) {
      pending = ensureRunImage(this.ctx, spec, snapshot, options).finally(() =>
        this.building.delete(buildKey),
      );
      this.building.set(buildKey, pending);
    }
    const image = await pending;
    this.usedImages.add(image.name);
    const environment = new DockerEnvironment(this.ctx, image.name, spec, this.semaphore, {
      poolSize: this.options.poolSize ?? this.options.concurrency,
      hardOutputLimitBytes: this.options.hardOutputLimitBytes ?? 16 * 1024 * 1024,
      deadlineGraceMs: 3_000,
      onDispose: (disposed) => this.environments.delete(disposed),
    });
    this.environments.add(environment);
    return environment;
  }

  /** An unknown OCI runtime (e.g. runsc not registered) would fail every container: say so once, clearly. */
  private async checkRuntime(runtime: string): Promise<void> {
    const info = (await this.ctx.docker.info()) as { Runtimes?: Record<string, unknown> };
    if (!Object.hasOwn(info.Runtimes ?? {}, runtime)) {
      throw new CodemonkeysError(
        'SANDBOX_UNAVAILABLE',
        `The Docker engine has no runtime named ${JSON.stringify(runtime)} (sandbox.runtime); registered: ${Object.keys(info.Runtimes ?? {}).join(', ')}.`,
        { retryable: false, details: { runtime } },
      );
    }
  }

  private async ping(): Promise<void> {
    try {
      await this.ctx.docker.ping();
    } catch (error) {
      throw new CodemonkeysError('SANDBOX_UNAVAILABLE', 'The Docker engine is not reachable.', {
        cause: error,
      });
    }
  }

  reapOrphans(): Promise<number> {
    return reapOrphans(this.ctx.docker, {
      selfOwner: this.owner,
      ttlMs: this.options.orphanTtlMs ?? 6 * 3_600_000,
      runImageTtlMs: this.options.runImageTtlMs ?? 7 * 24 * 3_600_000,
      imagesInUse: new Set([...this.environments].map((environment) => environment.image)),
      logger: this.ctx.logger,
    });
  }

  /** Removes run images carrying all of `labels` (e.g. a test's own label). Returns how many. */
  async removeRunImages(labels: Record<string, string>): Promise<number> {
    const filters = {
      label: [`${LABEL_RUN_IMAGE}=1`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)],
    };
    const images = await this.ctx.docker.listImages({ filters });
    for (const image of images) await this.ctx.docker.getImage(image.Id).remove({ force: true });
    return images.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.environments].map((environment) => environment.dispose()));
    if (this.options.removeRunImagesOnClose) {
      for (const name of this.usedImages) {
        await this.ctx.docker
          .getImage(name)
          .remove()
          .catch((error: unknown) =>
            this.ctx.logger.debug({ err: error, image: name }, 'run image not removed'),
          );
      }
    }
  }
}
