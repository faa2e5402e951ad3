import { randomUUID } from 'node:crypto';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CodemonkeysError, throwIfAborted } from '../errors.js';
import { buildExecResult, buildPatchErrorResult } from './exec-result.js';
import { checkRelativeName } from './exec-files.js';
import { runProcess } from './process-runner.js';
import { type Semaphore, cancelled } from './semaphore.js';
import type { Environment, ExecRequest, ExecResult } from './types.js';

/** The minimal environment a local child gets: never the host's variables (tokens live there). */
export function getLocalEnv(
  home: string,
  workdir: string,
  scratch: string,
  tmp: string,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    TMPDIR: tmp,
    LANG: 'C.UTF-8',
    PYTHONUNBUFFERED: '1',
    CODEMONKEYS_WORKDIR: workdir,
    CODEMONKEYS_SCRATCH: scratch,
  };
}

const APPLY_PATCH = (patchFile: string, errFile: string): string[] => [
  'sh',
  '-c',
  `git apply --whitespace=nowarn "$1" 2>"$2" && exit 0
patch -p1 --fuzz=5 --batch --forward --no-backup-if-mismatch -i "$1" >"$2.patch" 2>&1 && exit 0
cat "$2"; printf '\\n[patch --fuzz=5]\\n'; cat "$2.patch"; exit 1`,
  'sh',
  patchFile,
  errFile,
];

/** `from/x` -> `to/x` (and `from` -> `to`); undefined when `arg` is not under `from`. */
function rebasePath(arg: string, from: string, to: string): string | undefined {
  if (arg === from) return to;
  return arg.startsWith(`${from}/`) ? `${to}${arg.slice(from.length)}` : undefined;
}

/**
 * Development-only environment: each execution gets a fresh copy of the prepared repository and
 * scratch directory under a temporary root, and runs as the current user. NOT isolated.
 * `workdir`/`scratchDir` name the prepared template; each execution's own paths are passed to the
 * script as CODEMONKEYS_WORKDIR / CODEMONKEYS_SCRATCH (and the script's cwd is its scratch dir),
 * and argv elements under `scratchDir`/`workdir` are rewritten to the execution's copies.
 */
export class LocalEnvironment implements Environment {
  readonly id = `local-${randomUUID().slice(0, 12)}`;
  readonly scratchDir: string;
  readonly workdir: string;
  private disposed = false;
  private counter = 0;

  constructor(
    private readonly root: string,
    private readonly semaphore: Semaphore,
    private readonly hardOutputLimitBytes: number,
  ) {
    this.workdir = join(root, 'repo');
    this.scratchDir = join(root, 'scratch');
  }

  async run(request: ExecRequest): Promise<ExecResult> {
    if (this.disposed)
      throw new CodemonkeysError('SANDBOX_ERROR', 'This sandbox environment was disposed.');
    const release = await this.semaphore.acquire(request.signal);
    this.counter += 1;
    const execRoot = join(this.root, `exec-${this.counter}-${randomUUID().slice(0, 8)}`);
    try {
      throwIfAborted(request.signal);
      const repo = join(execRoot, 'repo');
      const scratch = join(execRoot, 'scratch');
      const home = join(execRoot, 'home');
      await cp(this.workdir, repo, { recursive: true, verbatimSymlinks: true });
      await mkdir(scratch, { recursive: true });
      await mkdir(home, { recursive: true });
      await mkdir(join(execRoot, 'tmp'), { recursive: true });
      for (const [name, content] of Object.entries(request.files)) {
        const target = join(scratch, checkRelativeName(name));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content, { mode: 0o755 });
      }
      const env = getLocalEnv(home, repo, scratch, join(execRoot, 'tmp'));
      const common = {
        env,
        hardLimitBytes: this.hardOutputLimitBytes,
        ...(request.signal ? { signal: request.signal } : {}),
      };
      if (request.patch !== undefined) {
        const patchFile = join(execRoot, 'patch.diff');
        await writeFile(patchFile, request.patch);
        const applied = await runProcess({
          ...common,
          argv: APPLY_PATCH(patchFile, join(execRoot, 'apply.err')),
          cwd: repo,
          timeoutMs: 60_000,
          capBytes: 65_536,
        });
        if (applied.stoppedBy === 'abort') throw cancelled(request.signal);
        if (applied.exitCode !== 0) {
          const reason =
            applied.output.combined.toString().trim() ||
            `patch could not be applied (exit ${applied.exitCode})`;
          return buildPatchErrorResult(reason, 0);
        }
      }
      const argv = request.argv.map(
        (arg) =>
          rebasePath(arg, this.scratchDir, scratch) ?? rebasePath(arg, this.workdir, repo) ?? arg,
      );
      const outcome = await runProcess({
        ...common,
        argv,
        cwd: scratch,
        timeoutMs: request.timeoutMs,
        capBytes: request.outputCapBytes,
      });
      if (outcome.stoppedBy === 'abort') throw cancelled(request.signal);
      return buildExecResult(outcome, request.timeoutMs);
    } finally {
      release();
      await rm(execRoot, { recursive: true, force: true });
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await rm(this.root, { recursive: true, force: true });
  }
}
