/**
 * Composition root: the only place (with src/bin/*) that constructs real adapters: the
 * Anthropic model client, Docker (or local) sandboxes, the Redis run store, the prompt set.
 */
import { Redis } from 'ioredis';
import type { RepoConfig } from './config/repo-config.js';
import { createExecuteRunWith, requireApiKey, type RunAdapters } from './delivery/execute-run.js';
import { AnthropicLlm } from './llm/anthropic.js';
import { AnthropicBatchLlm } from './llm/anthropic-batch.js';
import type { LlmBatchClient } from './llm/batch.js';
import type { LlmClient } from './llm/client.js';
import { loadPrompts, type PromptSet } from './llm/prompts.js';
import type { Logger } from './logger.js';
import type { ExecuteRun } from './queue/types.js';
import { createSandboxProvider } from './sandbox/provider.js';
import type { SandboxProvider } from './sandbox/types.js';
import { MemoryRunStore } from './store/memory-run-store.js';
import { RedisRunStore } from './store/redis-run-store.js';
import type { RunStore } from './store/run-store.js';

export interface WorkerEnv {
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
  /** Default: REDIS_URL, then redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** Run-store key prefix (default: QUEUE_PREFIX, then `codemonkeys`). */
  queuePrefix?: string;
  /** Default: SANDBOX_BACKEND, then docker. `local` is for development only. */
  sandboxBackend?: 'docker' | 'local';
  /** Parent directory of repository snapshots (default: os tmpdir). */
  snapshotDir?: string;
}

function sandboxKindFrom(value: string | undefined): 'docker' | 'local' {
  return value === 'local' ? 'local' : 'docker';
}

/** Per-run sandbox provider, sized by the repository's `sandbox.concurrency`. */
export function createRunSandbox(
  kind: 'docker' | 'local',
  config: RepoConfig,
  logger: Logger,
): SandboxProvider {
  return createSandboxProvider({
    kind,
    concurrency: config.sandbox.concurrency,
    logger,
    ...(kind === 'local' ? { allowUnsafeLocal: true } : { dockerOptions: { reapIntervalMs: 0 } }),
  });
}

/** Builds the function the queue worker calls for each run job. */
export function createExecuteRun(env: WorkerEnv): ExecuteRun {
  const redisUrl = env.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = env.queuePrefix ?? process.env.QUEUE_PREFIX ?? 'codemonkeys';
  const kind = env.sandboxBackend ?? sandboxKindFrom(process.env.SANDBOX_BACKEND);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const store = new RedisRunStore({ redis, prefix });
  // Templates are loaded and checked when the worker starts: a broken deploy fails at once,
  // not at its first run.
  const prompts: PromptSet = loadPrompts();
  let llm: LlmClient | undefined;
  let llmBatch: LlmBatchClient | undefined;
  const execute = createExecuteRunWith({
    store,
    ...(env.snapshotDir === undefined ? {} : { snapshotParentDir: env.snapshotDir }),
    async createAdapters(config: RepoConfig, logger: Logger): Promise<RunAdapters> {
      const api = {
        apiKey: requireApiKey(env.anthropicApiKey),
        ...(env.anthropicBaseUrl === undefined ? {} : { baseURL: env.anthropicBaseUrl }),
      };
      llm ??= new AnthropicLlm(api);
      // Used only by repositories that set `context.batch: true` (relevance scan at half price).
      llmBatch ??= new AnthropicBatchLlm(api);
      const sandbox = createRunSandbox(kind, config, logger);
      return { deps: { llm, llmBatch, sandbox, store, prompts }, close: () => sandbox.close() };
    },
  });
  return async (data, context) => {
    requireApiKey(env.anthropicApiKey);
    return execute(data, context);
  };
}

export interface CliDepsOptions {
  sandbox: 'docker' | 'local';
  /** Replaces the Anthropic client (the scripted demo transcript). */
  llm?: LlmClient;
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
  /** Checkpoints in Redis (resumable) instead of memory. */
  redisUrl?: string;
  logger: Logger;
}

export interface CliDeps {
  llm: LlmClient;
  /** Message Batches client; absent with a scripted model (`context.batch` then uses normal calls). */
  llmBatch?: LlmBatchClient;
  store: RunStore;
  prompts: PromptSet;
  createSandbox(config: RepoConfig): SandboxProvider;
  close(): Promise<void>;
}

/** Ports for `codemonkeys solve` and the demo: model (or scripted), sandbox, store, prompts. */
export function createCliDeps(options: CliDepsOptions): CliDeps {
  const api = () => ({
    apiKey: requireApiKey(options.anthropicApiKey),
    ...(options.anthropicBaseUrl === undefined ? {} : { baseURL: options.anthropicBaseUrl }),
  });
  const llm = options.llm ?? new AnthropicLlm(api());
  const llmBatch = options.llm === undefined ? new AnthropicBatchLlm(api()) : undefined;
  const redis =
    options.redisUrl === undefined
      ? undefined
      : new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
  const store: RunStore = redis === undefined ? new MemoryRunStore() : new RedisRunStore({ redis });
  return {
    llm,
    ...(llmBatch === undefined ? {} : { llmBatch }),
    store,
    prompts: loadPrompts(),
    createSandbox: (config) => createRunSandbox(options.sandbox, config, options.logger),
    close: async () => {
      redis?.disconnect();
    },
  };
}
