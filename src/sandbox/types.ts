/**
 * The sandbox port. Generated code runs ONLY through an Environment: no network, no credentials,
 * no host environment, dropped capabilities, non-root, CPU/memory/pids/time/output limits.
 */

/** A repository checked out at the base commit, as a plain directory on the host. */
export interface RepoSnapshot {
  /** Host directory holding the files (a git work tree or a plain extracted tarball). */
  dir: string;
  /** `owner/name` or a local label. */
  repo: string;
  /** Full commit sha the files come from. */
  commit: string;
}

export interface EnvironmentSpec {
  image: string;
  /** Commands run once, in order, with network, in `workdir`, via `bash -lc`. Trusted (from the repo owner's config). */
  setup: string[];
  /** Where the repository lives inside the sandbox. */
  workdir: string;
  setupTimeoutMs: number;
  cpus: number;
  memoryMb: number;
  pids: number;
  runtime?: string;
}

export interface ExecRequest {
  /** Files written into the scratch directory (outside the repository), by relative name. */
  files: Record<string, string>;
  /** Unified diff applied to the repository first (`git apply`, falling back to `patch --fuzz`). */
  patch?: string;
  /** Command as argv (never a shell string built from untrusted text). Runs in the scratch dir. */
  argv: string[];
  timeoutMs: number;
  /** Maximum bytes kept of each of stdout/stderr/combined; the rest is counted and dropped. */
  outputCapBytes: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** Process exit code; 137 when killed on timeout; 1 when the patch did not apply. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order. */
  combined: string;
  timedOut: boolean;
  /** Output exceeded outputCapBytes and was cut. */
  truncated: boolean;
  durationMs: number;
  /** Set when the patch did not apply: the reason; the script was not run. */
  patchError?: string;
  /** Bytes the script wrote to stdout + stderr, kept or not. */
  outputBytes?: number;
  /** Why the sandbox stopped the script early, if it did (output flood: far beyond outputCapBytes). */
  stoppedBy?: 'timeout' | 'output-limit';
}

export interface Environment {
  readonly id: string;
  /** Absolute path of the scratch directory inside the sandbox, where `files` are written. */
  readonly scratchDir: string;
  /** Absolute path of the repository inside the sandbox. */
  readonly workdir: string;
  run(request: ExecRequest): Promise<ExecResult>;
  /** Removes everything this environment created (run image kept for reuse if the backend caches it). */
  dispose(): Promise<void>;
}

export interface PrepareOptions {
  signal?: AbortSignal;
  /** Progress lines for the status comment and logs (e.g. "setup 2/3: pip install -e ."). */
  onLog?: (line: string) => void;
}

export interface SandboxProvider {
  readonly kind: 'docker' | 'local';
  prepare(
    spec: EnvironmentSpec,
    snapshot: RepoSnapshot,
    options?: PrepareOptions,
  ): Promise<Environment>;
  /** Removes containers/volumes left by crashed workers. Returns how many were removed. */
  reapOrphans(): Promise<number>;
  close(): Promise<void>;
}
