import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { CodemonkeysError, throwIfAborted } from '../errors.js';
import { type ArmedContainer, runArmedContainer } from './docker-attach-run.js';
import {
  type DockerContext,
  SANDBOX_USER,
  SCRATCH_DIR,
  getSandboxEnv,
  killContainer,
  removeContainer,
} from './docker-context.js';
import { ARGV_PATH, NONCE_PATH, PATCH_PATH, TIMEOUT_PATH, buildExecArchive } from './exec-files.js';
import { getResourceLabels } from './labels.js';
import { buildExecResult, buildPatchErrorResult } from './exec-result.js';
import { type Semaphore, cancelled } from './semaphore.js';
import type { Environment, EnvironmentSpec, ExecRequest, ExecResult } from './types.js';

/**
 * The main process of every execution container (bash, for `mapfile`). It blocks until the host
 * writes a tar to stdin, unpacks the files and control files, applies the patch if any (`git
 * apply`, then `patch --fuzz=5`), then `exec timeout -s KILL <secs> argv...` in the scratch dir.
 * Argv travels NUL-separated, never through a shell string. A patch failure is reported as a first
 * stdout line holding a per-execution nonce the script never sees (read then deleted before it
 * starts), so a script cannot forge one.
 */
const DRIVER_SCRIPT = `tar -x -m -f - -C / 2>/tmp/codemonkeys-tar.err || { cat /tmp/codemonkeys-tar.err >&2; exit 125; }
read -r nonce < ${NONCE_PATH}; read -r secs < ${TIMEOUT_PATH}; mapfile -d '' -t args < ${ARGV_PATH}
rm -f ${NONCE_PATH} ${TIMEOUT_PATH} ${ARGV_PATH} /tmp/codemonkeys-tar.err
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
unset nonce
exec timeout -s KILL "$secs" "\${args[@]}" </dev/null`;

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
  private readonly ready: ArmedContainer[] = [];
  private creating = 0;
  private readonly background = new Set<Promise<void>>();
  private readonly live = new Set<Docker.Container>();
  private disposed = false;
  private poolFailures = 0;

  constructor(
    private readonly ctx: DockerContext,
    readonly image: string,
    private readonly spec: EnvironmentSpec,
    private readonly semaphore: Semaphore,
    private readonly options: DockerEnvironmentOptions,
  ) {
    this.workdir = spec.workdir;
  }

  async run(request: ExecRequest): Promise<ExecResult> {
    if (this.disposed)
      throw new CodemonkeysError('SANDBOX_ERROR', 'This sandbox environment was disposed.');
    const release = await this.semaphore.acquire(request.signal);
    let armed: ArmedContainer | undefined;
    try {
      throwIfAborted(request.signal);
      const nonce = randomUUID();
      const seconds = (request.timeoutMs / 1000).toFixed(3);
      const input = await buildExecArchive(this.scratchDir, request.files, request.patch, {
        nonce,
        argv: request.argv,
        timeoutSeconds: seconds,
      });
      armed = await this.take();
      const { container } = armed;
      throwIfAborted(request.signal);
      const patchBudget = request.patch === undefined ? 0 : 60_000;
      const outcome = await runArmedContainer(armed, {
        input,
        capBytes: request.outputCapBytes,
        hardLimitBytes: Math.max(this.options.hardOutputLimitBytes, request.outputCapBytes * 4),
        deadlineMs: request.timeoutMs + this.options.deadlineGraceMs + patchBudget,
        ...(request.signal ? { signal: request.signal } : {}),
        kill: () => killContainer(container),
      });
      if (outcome.stoppedBy === 'abort') throw cancelled(request.signal);
      const stdout = outcome.output.stdout.toString();
      if (outcome.exitCode === 1 && stdout.startsWith(`${nonce}\n`)) {
        const reason = stdout.slice(nonce.length + 1).trim() || 'the patch could not be applied';
        return buildPatchErrorResult(reason, outcome.durationMs);
      }
      return buildExecResult(outcome, request.timeoutMs);
    } finally {
      release();
      if (armed) this.discard(armed);
      this.refill();
    }
  }

  /** A never-used started container: from the pool if one is ready, else created now. */
  private async take(): Promise<ArmedContainer> {
    let pooled = this.ready.shift();
    while (pooled && (pooled.stream.readableEnded || pooled.stream.destroyed)) {
      this.discard(pooled);
      pooled = this.ready.shift();
    }
    this.refill();
    if (pooled) return pooled;
    const fresh = await this.createArmed();
    this.poolFailures = 0;
    return fresh;
  }

  private refill(): void {
    if (this.disposed || this.poolFailures >= 3) return;
    while (this.ready.length + this.creating < this.options.poolSize) {
      this.creating += 1;
      const task = this.createArmed()
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

  private async createArmed(): Promise<ArmedContainer> {
    const bytes = this.spec.memoryMb * 1024 * 1024;
    const container = await this.ctx.docker.createContainer({
      Image: this.image,
      Cmd: ['bash', '-c', DRIVER_SCRIPT],
      User: SANDBOX_USER,
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
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
    let stream: Duplex | undefined;
    try {
      stream = (await container.attach({
        stream: true,
        hijack: true,
        stdin: true,
        stdout: true,
        stderr: true,
      })) as Duplex;
      await container.start();
    } catch (error) {
      this.discard({ container, ...(stream ? { stream } : {}) });
      throw new CodemonkeysError('SANDBOX_UNAVAILABLE', 'A sandbox container failed to start.', {
        cause: error,
      });
    }
    return { container, stream };
  }

  /** Removes a used container off the critical path. */
  private discard({ container, stream }: { container: Docker.Container; stream?: Duplex }): void {
    stream?.destroy();
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
    for (const armed of this.ready.splice(0)) this.discard(armed);
    for (const container of this.live) this.discard({ container });
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }
}
