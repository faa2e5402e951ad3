import type Docker from 'dockerode';
import { CodemonkeysError, throwIfAborted } from '../errors.js';
import { runDockerExec } from './docker-exec.js';
import {
  type DockerContext,
  SANDBOX_HOME,
  SANDBOX_USER,
  SCRATCH_DIR,
  getSandboxEnv,
  killContainer,
  removeContainer,
} from './docker-context.js';
import { getEnvironmentKey, getRunImageName } from './environment-key.js';
import {
  LABEL_CREATED,
  LABEL_ENV_KEY,
  LABEL_ROLE,
  LABEL_RUN_IMAGE,
  getResourceLabels,
} from './labels.js';
import { GIT_BASE_SCRIPT, GIT_EXCLUDE_SETUP_OUTPUT } from './git-scripts.js';
import { hashSnapshot, packSnapshot } from './snapshot-archive.js';
import type { EnvironmentSpec, PrepareOptions, RepoSnapshot } from './types.js';

const OUTPUT_TAIL_CHARS = 4_000;

/** Tools every execution relies on (the driver is bash; patches need git or patch). */
const REQUIRED_TOOLS_CHECK = `missing=""
for tool in bash tar git patch timeout sleep; do command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"; done
if [ -n "$missing" ]; then echo "the sandbox image lacks:$missing (install them in the image or in setup)"; exit 1; fi`;

export interface RunImage {
  name: string;
  key: string;
  reused: boolean;
}

/**
 * Builds (or reuses) the run image for a spec + snapshot: copy the repository in, make it a git
 * repo at the base state, run the setup commands with network as the sandbox user, commit.
 */
export async function ensureRunImage(
  ctx: DockerContext,
  spec: EnvironmentSpec,
  snapshot: RepoSnapshot,
  options: PrepareOptions = {},
): Promise<RunImage> {
  const snapshotHash = await hashSnapshot(snapshot.dir);
  const key = getEnvironmentKey(spec, snapshot, snapshotHash);
  const name = getRunImageName(snapshot, key);
  try {
    await ctx.docker.getImage(name).inspect();
    ctx.logger.info({ image: name }, 'sandbox run image reused');
    return { name, key, reused: true };
  } catch {
    // Not there yet: build it.
  }
  throwIfAborted(options.signal);
  await ensureBaseImage(ctx, spec.image, options.signal);
  const started = Date.now();
  const container = await ctx.docker.createContainer({
    Image: spec.image,
    Cmd: ['sleep', 'infinity'],
    User: '0:0',
    Env: getSandboxEnv(spec.workdir),
    Labels: getResourceLabels(ctx.identity, 'setup'),
    HostConfig: {
      Init: true,
      CapDrop: ['ALL'],
      CapAdd: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER'],
      SecurityOpt: ['no-new-privileges'],
      PidsLimit: Math.max(spec.pids, 1024),
      Memory: spec.memoryMb * 1024 * 1024,
      MemorySwap: spec.memoryMb * 1024 * 1024,
      NanoCpus: Math.round(spec.cpus * 1e9),
      ...(spec.runtime ? { Runtime: spec.runtime } : {}),
    },
  });
  const onAbort = (): void => void killContainer(container);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await container.start();
    await step(
      ctx,
      container,
      spec,
      'prepare directories',
      [
        'sh',
        '-c',
        'mkdir -p "$1" "$2" "$3" && chown 1000:1000 "$1" "$2" "$3"',
        'sh',
        spec.workdir,
        SCRATCH_DIR,
        SANDBOX_HOME,
      ],
      '0:0',
      '/',
      60_000,
      options.signal,
    );
    await step(
      ctx,
      container,
      spec,
      'check required tools',
      ['sh', '-c', REQUIRED_TOOLS_CHECK],
      SANDBOX_USER,
      '/',
      60_000,
      options.signal,
    );
    await container.putArchive(packSnapshot(snapshot.dir), { path: spec.workdir });
    throwIfAborted(options.signal);
    await step(
      ctx,
      container,
      spec,
      'git base state',
      ['sh', '-c', GIT_BASE_SCRIPT],
      SANDBOX_USER,
      spec.workdir,
      300_000,
      options.signal,
    );
    const deadline = started + spec.setupTimeoutMs;
    for (const [index, command] of spec.setup.entries()) {
      options.onLog?.(`setup ${index + 1}/${spec.setup.length}: ${command}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw setupFailed(command, 137, 'setup time budget exhausted before this command', true);
      const argv = ['timeout', '-s', 'KILL', (remaining / 1000).toFixed(3), 'bash', '-lc', command];
      await step(
        ctx,
        container,
        spec,
        command,
        argv,
        SANDBOX_USER,
        spec.workdir,
        remaining + 5_000,
        options.signal,
      );
    }
    await step(
      ctx,
      container,
      spec,
      'hide setup output from git',
      ['sh', '-c', GIT_EXCLUDE_SETUP_OUTPUT],
      SANDBOX_USER,
      spec.workdir,
      60_000,
      options.signal,
    );
    await container.commit({
      _query: {
        container: container.id,
        repo: name.split(':')[0],
        tag: name.split(':')[1],
        pause: true,
      },
      _body: {
        User: SANDBOX_USER,
        WorkingDir: SCRATCH_DIR,
        Cmd: ['sleep', 'infinity'],
        Labels: {
          ...ctx.identity.extra,
          [LABEL_RUN_IMAGE]: '1',
          [LABEL_ENV_KEY]: key,
          [LABEL_ROLE]: 'run-image',
          [LABEL_CREATED]: String(Date.now()),
          'codemonkeys.repo': snapshot.repo,
          'codemonkeys.commit': snapshot.commit,
        },
      },
    } as unknown as object);
    ctx.logger.info({ image: name, ms: Date.now() - started }, 'sandbox run image built');
    return { name, key, reused: false };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await removeContainer(ctx, container);
  }
}

async function step(
  ctx: DockerContext,
  container: Docker.Container,
  spec: EnvironmentSpec,
  label: string,
  cmd: string[],
  user: string,
  workingDir: string,
  deadlineMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const outcome = await runDockerExec(container, {
    cmd,
    user,
    workingDir,
    env: getSandboxEnv(spec.workdir),
    capBytes: 16_384,
    hardLimitBytes: Number.MAX_SAFE_INTEGER,
    deadlineMs,
    ...(signal ? { signal } : {}),
    kill: () => killContainer(container),
  });
  throwIfAborted(signal);
  if (outcome.exitCode !== 0) {
    const tail = outcome.output.combined.toString().slice(-OUTPUT_TAIL_CHARS);
    throw setupFailed(
      label,
      outcome.exitCode,
      tail,
      outcome.stoppedBy === 'deadline' || outcome.exitCode === 137,
    );
  }
  ctx.logger.debug({ step: label, ms: outcome.durationMs }, 'sandbox setup step done');
}

function setupFailed(
  command: string,
  exitCode: number,
  outputTail: string,
  timedOut: boolean,
): CodemonkeysError {
  const why = timedOut ? 'timed out' : `exited with ${exitCode}`;
  return new CodemonkeysError(
    'SANDBOX_SETUP_FAILED',
    `Sandbox setup command ${JSON.stringify(command)} ${why}.`,
    {
      details: { command, exitCode, outputTail, timedOut },
      retryable: false,
    },
  );
}

/** The base image must exist locally; otherwise try to pull it (works where a registry is reachable). */
async function ensureBaseImage(
  ctx: DockerContext,
  image: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await ctx.docker.getImage(image).inspect();
    return;
  } catch {
    // Try a pull below.
  }
  try {
    const stream = await ctx.docker.pull(image, signal ? { abortSignal: signal } : {});
    await new Promise<void>((resolve, reject) => {
      ctx.docker.modem.followProgress(stream, (error: Error | null) =>
        error ? reject(error) : resolve(),
      );
    });
  } catch (error) {
    throwIfAborted(signal);
    throw new CodemonkeysError(
      'SANDBOX_SETUP_FAILED',
      `Sandbox image ${image} is not available and could not be pulled.`,
      {
        cause: error,
        details: {
          command: `pull ${image}`,
          exitCode: -1,
          outputTail: error instanceof Error ? error.message : String(error),
        },
        retryable: false,
      },
    );
  }
}
