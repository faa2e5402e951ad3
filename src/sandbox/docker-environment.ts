import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import { CodemonkeysError, throwIfAborted } from '../errors.js';
import { runDockerExec } from './docker-exec.js';
import {
  type DockerContext,
  SANDBOX_USER,
  SCRATCH_DIR,
  getSandboxEnv,
  killContainer,
  removeContainer,
} from './docker-context.js';
import { NONCE_PATH, PATCH_PATH, buildExecArchive } from './exec-files.js';
import { getResourceLabels } from './labels.js';
import { buildExecResult } from './exec-result.js';
import { type Semaphore, cancelled } from './semaphore.js';
import type { Environment, EnvironmentSpec, ExecRequest, ExecResult } from './types.js';

/**
 * One exec per execution: unpack the request's files from stdin, apply the patch if any (`git
 * apply`, then `patch --fuzz=5`), then `exec timeout -s KILL <secs> argv...` in the scratch dir.
 * A patch failure is reported as a first stdout line holding a per-execution nonce the script
 * never sees (it is read from a file and deleted before the script starts), so it cannot be forged.
 */
const DRIVER_SCRIPT = `tar -x -m -f - -C / 2>/tmp/codemonkeys-tar.err || { cat /tmp/codemonkeys-tar.err >&2; exit 125; }
nonce=$(cat ${NONCE_PATH}); rm -f ${NONCE_PATH} /tmp/codemonkeys-tar.err
if [ -f ${PATCH_PATH} ]; then
  cd "$CODEMONKEYS_WORKDIR" || exit 125
  if ! git apply --whitespace=nowarn ${PATCH_PATH} 2>/tmp/codemonkeys-git.err; then
    if ! patch -p1 --fuzz=5 --batch --forward --no-backup-if-mismatch -i ${PATCH_PATH} >/tmp/codemonkeys-patch.out 2>&1; then
      printf '%s\\n' "$nonce"; cat /tmp/codemonkeys-git.err; printf '\\n[patch --fuzz=5]\\n'; cat /tmp/codemonkeys-patch.out; exit 1
    fi
  fi
  rm -f ${PATCH_PATH} /tmp/codemonkeys-git.err /tmp/codemonkeys-patch.out
  cd "$CODEMONKEYS_SCRATCH" || exit 125
fi
exec timeout -s KILL "$@"`;

export interface DockerEnvironmentOptions {
  /** Pre-started containers kept ready (each still used for exactly one execution). */
  poolSize: number;
  /** Output beyond this many bytes (all streams) stops the execution. */
  hardOutputLimitBytes: number;
  /** Extra time the host waits past `timeoutMs` before killing the container itself. */
  deadlineGraceMs: number;
  /** Told once when the environment is disposed (the provider forgets it). */
  onDispose?: (environment: DockerEnvironment) => void;
}

/**
 * One prepared environment on Docker: every `run` gets a fresh container from the run image
 * (taken from a small pool of pre-started, never-used containers), used once, then removed in
 * the background.
 */
export class DockerEnvironment implements Environment {
  readonly id = `env-${randomUUID().slice(0, 12)}`;
  readonly scratchDir = SCRATCH_DIR;
  readonly workdir: string;
  private readonly ready: Docker.Container[] = [];
  private creating = 0;
  private readonly background = new Set<Promise<void>>();
  private readonly live = new Set<Docker.Container>();
  private disposed = false;
  private poolFailures = 0;

  constructor(
    private readonly ctx: DockerContext,
    private readonly image: string,
    private readonly spec: EnvironmentSpec,
    private readonly semaphore: Semaphore,
    private readonly options: DockerEnvironmentOptions,
  ) {
    this.workdir = spec.workdir;
  }

  async run(request: ExecRequest): Promise<ExecResult> {
    if (this.disposed) throw new CodemonkeysError('SANDBOX_ERROR', 'This sandbox environment was disposed.');
    const release = await this.semaphore.acquire(request.signal);
    let container: Docker.Container | undefined;
    try {
      throwIfAborted(request.signal);
      const nonce = randomUUID();
      const archive = await buildExecArchive(this.scratchDir, request.files, request.patch, nonce);
      container = await this.take();
      throwIfAborted(request.signal);
      const seconds = (request.timeoutMs / 1000).toFixed(3);
      const patchBudget = request.patch === undefined ? 0 : 60_000;
      const outcome = await runDockerExec(container, {
        cmd: ['sh', '-c', DRIVER_SCRIPT, 'sandbox-driver', seconds, ...request.argv],
        user: SANDBOX_USER,
        workingDir: this.scratchDir,
        stdin: archive,
        capBytes: request.outputCapBytes,
        hardLimitBytes: Math.max(this.options.hardOutputLimitBytes, request.outputCapBytes * 4),
        deadlineMs: request.timeoutMs + this.options.deadlineGraceMs + patchBudget,
        ...(request.signal ? { signal: request.signal } : {}),
        kill: () => killContainer(container as Docker.Container),
      });
      if (outcome.stoppedBy === 'abort') throw cancelled(request.signal);
      const stdout = outcome.output.stdout.toString();
      if (outcome.exitCode === 1 && stdout.startsWith(`${nonce}\n`)) {
        const reason = stdout.slice(nonce.length + 1).trim() || 'the patch could not be applied';
        return { exitCode: 1, stdout: '', stderr: reason, combined: reason, timedOut: false, truncated: false, durationMs: outcome.durationMs, patchError: reason };
      }
      return buildExecResult(outcome, request.timeoutMs);
    } finally {
      release();
      if (container) this.discard(container);
      this.refill();
    }
  }

  /** A never-used started container: from the pool if one is ready, else created now. */
  private async take(): Promise<Docker.Container> {
    const pooled = this.ready.shift();
    this.refill();
    return pooled ?? (await this.createStarted());
  }

  private refill(): void {
    if (this.disposed || this.poolFailures >= 3) return;
    while (this.ready.length + this.creating < this.options.poolSize) {
      this.creating += 1;
      const task = this.createStarted()
        .then((container) => {
          if (this.disposed) this.discard(container);
          else this.ready.push(container);
          this.poolFailures = 0;
        })
        .catch((error: unknown) => {
          this.poolFailures += 1;
          this.ctx.logger.warn({ err: error }, 'sandbox pool container failed to start');
        })
        .finally(() => {
          this.creating -= 1;
        });
      this.track(task);
    }
  }

  private async createStarted(): Promise<Docker.Container> {
    const bytes = this.spec.memoryMb * 1024 * 1024;
    const container = await this.ctx.docker.createContainer({
      Image: this.image,
      Cmd: ['sleep', 'infinity'],
      User: SANDBOX_USER,
      WorkingDir: this.scratchDir,
      Env: getSandboxEnv(this.workdir),
      Hostname: 'sandbox',
      NetworkDisabled: true,
      Labels: getResourceLabels(this.ctx.identity, 'exec'),
      HostConfig: {
        NetworkMode: 'none',
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Privileged: false,
        Init: true,
        NanoCpus: Math.round(this.spec.cpus * 1e9),
        Memory: bytes,
        MemorySwap: bytes,
        PidsLimit: this.spec.pids,
        Ulimits: [{ Name: 'nofile', Soft: 4096, Hard: 4096 }],
        ...(this.spec.runtime ? { Runtime: this.spec.runtime } : {}),
      },
    });
    this.live.add(container);
    try {
      await container.start();
    } catch (error) {
      this.discard(container);
      throw new CodemonkeysError('SANDBOX_UNAVAILABLE', 'A sandbox container failed to start.', { cause: error });
    }
    return container;
  }

  /** Removes a used container off the critical path. */
  private discard(container: Docker.Container): void {
    this.track(
      removeContainer(this.ctx, container).finally(() => {
        this.live.delete(container);
      }),
    );
  }

  private track(task: Promise<void>): void {
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  async dispose(): Promise<void> {
    if (!this.disposed) this.options.onDispose?.(this);
    this.disposed = true;
    for (const container of this.ready.splice(0)) this.discard(container);
    for (const container of this.live) this.discard(container);
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }
}
