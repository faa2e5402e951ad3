import { randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodemonkeysError, throwIfAborted } from '../errors.js';
import { type Logger, createLogger } from '../logger.js';
import { GIT_BASE_SCRIPT, GIT_EXCLUDE_SETUP_OUTPUT } from './git-scripts.js';
import { LocalEnvironment, getLocalEnv } from './local-environment.js';
import { runProcess } from './process-runner.js';
import { Semaphore } from './semaphore.js';
import type {
  Environment,
  EnvironmentSpec,
  PrepareOptions,
  RepoSnapshot,
  SandboxProvider,
} from './types.js';

export const LOCAL_SANDBOX_ENV_FLAG = 'CODEMONKEYS_ALLOW_LOCAL_SANDBOX';

export interface LocalProviderOptions {
  concurrency: number;
  /** Must be true (or CODEMONKEYS_ALLOW_LOCAL_SANDBOX=1): this backend does not isolate anything. */
  allowUnsafeLocal?: boolean;
  logger?: Logger;
  hardOutputLimitBytes?: number;
}

/**
 * Development-only backend: child processes in temporary copies of the repository, as the
 * current user, WITH network and host file access. Refuses to start unless explicitly enabled.
 */
export class LocalSandboxProvider implements SandboxProvider {
  readonly kind = 'local' as const;
  private readonly logger: Logger;
  private readonly semaphore: Semaphore;
  private readonly environments = new Set<LocalEnvironment>();

  constructor(private readonly options: LocalProviderOptions) {
    if (options.allowUnsafeLocal !== true && process.env[LOCAL_SANDBOX_ENV_FLAG] !== '1') {
      throw new CodemonkeysError(
        'SANDBOX_UNAVAILABLE',
        `The local sandbox is not isolated and is disabled: pass allowUnsafeLocal: true or set ${LOCAL_SANDBOX_ENV_FLAG}=1 (development only).`,
        { retryable: false },
      );
    }
    this.logger = (options.logger ?? createLogger()).child({
      component: 'sandbox',
      backend: 'local',
    });
    this.logger.warn(
      'UNSAFE LOCAL SANDBOX: generated code runs as this user with network and host file access. Development only; use the Docker backend for anything real.',
    );
    this.semaphore = new Semaphore(Math.max(1, options.concurrency));
  }

  async prepare(
    spec: EnvironmentSpec,
    snapshot: RepoSnapshot,
    options: PrepareOptions = {},
  ): Promise<Environment> {
    const root = await mkdtemp(join(tmpdir(), `codemonkeys-local-${randomUUID().slice(0, 6)}-`));
    try {
      const repo = join(root, 'repo');
      await cp(snapshot.dir, repo, { recursive: true, verbatimSymlinks: true });
      await mkdir(join(root, 'scratch'), { recursive: true });
      await mkdir(join(root, 'home'), { recursive: true });
      const env = getLocalEnv(join(root, 'home'), repo, join(root, 'scratch'), tmpdir());
      await this.step(
        'git base state',
        ['sh', '-c', GIT_BASE_SCRIPT],
        repo,
        env,
        120_000,
        options.signal,
      );
      const deadline = Date.now() + spec.setupTimeoutMs;
      for (const [index, command] of spec.setup.entries()) {
        options.onLog?.(`setup ${index + 1}/${spec.setup.length}: ${command}`);
        await this.step(
          command,
          ['bash', '-lc', command],
          repo,
          env,
          Math.max(1, deadline - Date.now()),
          options.signal,
        );
      }
      await this.step(
        'hide setup output from git',
        ['sh', '-c', GIT_EXCLUDE_SETUP_OUTPUT],
        repo,
        env,
        60_000,
        options.signal,
      );
      const environment = new LocalEnvironment(
        root,
        this.semaphore,
        this.options.hardOutputLimitBytes ?? 16 * 1024 * 1024,
      );
      this.environments.add(environment);
      return environment;
    } catch (error) {
      await rm(root, { recursive: true, force: true });
      throw error;
    }
  }

  private async step(
    command: string,
    argv: string[],
    cwd: string,
    env: Record<string, string>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const outcome = await runProcess({
      argv,
      cwd,
      env,
      timeoutMs,
      capBytes: 16_384,
      hardLimitBytes: Number.MAX_SAFE_INTEGER,
      ...(signal ? { signal } : {}),
    });
    throwIfAborted(signal);
    if (outcome.exitCode !== 0) {
      const timedOut = outcome.stoppedBy === 'deadline';
      throw new CodemonkeysError(
        'SANDBOX_SETUP_FAILED',
        `Sandbox setup command ${JSON.stringify(command)} ${timedOut ? 'timed out' : `exited with ${outcome.exitCode}`}.`,
        {
          details: {
            command,
            exitCode: outcome.exitCode,
            outputTail: outcome.output.combined.toString().slice(-4_000),
            timedOut,
          },
          retryable: false,
        },
      );
    }
  }

  async reapOrphans(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.environments].map((environment) => environment.dispose()));
    this.environments.clear();
  }
}
