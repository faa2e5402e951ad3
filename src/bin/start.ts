/**
 * `npm start`: the GitHub App. One process runs the webhook server and the run worker;
 * `--role web` / `--role worker` split them for scale-out (same Redis).
 */
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Probot } from 'probot';
import { loadEnv, type AppEnv, type Role } from '../config/env.js';
import { loadDotEnv } from '../config/dotenv.js';
import { isCodemonkeysError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { createApp } from '../index.js';
import { createExecuteRun } from '../deps.js';
import { RUN_QUEUE } from '../queue/jobs.js';
import { createRedisConnection, getRunKeys } from '../queue/connection.js';
import { createRunRegistry } from '../queue/registry.js';
import { createCancelChannel } from '../queue/cancel-channel.js';
import { createRunProducer } from '../queue/producer.js';
import { createRunProcessor } from '../queue/processor.js';
import { startRunWorker } from '../queue/worker.js';
import { createSandboxProvider } from '../sandbox/provider.js';
import type { GitHubClient } from '../queue/types.js';
import { startWebServer } from '../server/web-server.js';
import { runSetupFlow } from '../server/setup-flow.js';
import { startHealthServer } from '../server/health-server.js';
import { createBackground } from '../app/background.js';
import { createReadCache } from '../app/read-cache.js';

function readRole(argv: string[]): Role {
  const { values } = parseArgs({
    args: argv,
    options: { role: { type: 'string', default: 'all' } },
    strict: true,
  });
  const role = values.role;
  if (role !== 'all' && role !== 'web' && role !== 'worker') {
    throw new Error(`--role must be web, worker or all (got ${String(role)})`);
  }
  return role;
}

async function getBotLogin(probot: Probot, log: Logger): Promise<string | undefined> {
  try {
    const octokit = await probot.auth();
    // No retries and a short deadline: an unreachable GitHub must not hold up start-up.
    const { data } = await octokit.rest.apps.getAuthenticated({
      request: { retries: 0, signal: AbortSignal.timeout(5_000) },
    });
    return data?.slug === undefined ? undefined : `${data.slug}[bot]`;
  } catch (err) {
    log.warn({ err }, 'could not read the App slug; only Bot-type senders are ignored');
    return undefined;
  }
}

async function main(): Promise<void> {
  const role = readRole(process.argv.slice(2));
  loadDotEnv();
  let env: AppEnv;
  try {
    env = loadEnv(process.env, role);
  } catch (error) {
    if (isCodemonkeysError(error, 'ENV_INVALID')) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: env.logLevel });
  if (env.appId === undefined || env.privateKey === undefined) {
    logger.warn(
      { port: env.port },
      'no App credentials: starting the Probot setup flow (register the App from app.yml)',
    );
    await runSetupFlow();
    return;
  }
  const redis = createRedisConnection(env.redisUrl);
  const keys = getRunKeys(env.queuePrefix);
  const registry = createRunRegistry(redis, keys);
  const cancel = createCancelChannel(redis, keys);
  const probot = new Probot({
    appId: env.appId,
    privateKey: env.privateKey,
    ...(env.webhookSecret === undefined ? {} : { secret: env.webhookSecret }),
    ...(env.githubBaseUrl === undefined ? {} : { baseUrl: env.githubBaseUrl }),
    log: logger.child({ name: 'probot' }),
  });
  const botLogin = await getBotLogin(probot, logger);
  const stops: Array<() => Promise<unknown>> = [];

  if (role !== 'worker') {
    const queue = new Queue(RUN_QUEUE, { connection: redis, prefix: env.queuePrefix });
    const producer = createRunProducer({ queue, redis, keys, registry, cancel });
    const background = createBackground(logger);
    // Config and permission reads are shared for 5 s: a burst of labels reads them once.
    const reads = createReadCache({ ttlMs: 5_000 });
    const app = createApp({
      producer,
      logger,
      background,
      reads,
      ...(botLogin === undefined ? {} : { botLogin }),
    });
    const web = await startWebServer({
      probot,
      app,
      redis,
      logger,
      port: env.port,
      ...(env.host === undefined ? {} : { host: env.host }),
      webhookPath: env.webhookPath,
    });
    stops.push(
      () => web.close(),
      () => background.drain(),
      () => queue.close(),
    );
  }
  if (role !== 'web') {
    const processor = createRunProcessor({
      executeRun: createExecuteRun({
        ...(env.anthropicApiKey === undefined ? {} : { anthropicApiKey: env.anthropicApiKey }),
        ...(env.anthropicBaseUrl === undefined ? {} : { anthropicBaseUrl: env.anthropicBaseUrl }),
        redisUrl: env.redisUrl,
        queuePrefix: env.queuePrefix,
        sandboxBackend: env.sandboxBackend,
      }),
      getOctokit: async (installationId) =>
        (await probot.auth(installationId)) as unknown as GitHubClient,
      registry,
      cancel,
      logger,
      ...(botLogin === undefined ? {} : { botLogin }),
    });
    const worker = await startRunWorker({
      connection: createRedisConnection(env.redisUrl),
      subscriber: createRedisConnection(env.redisUrl),
      prefix: env.queuePrefix,
      keys,
      processor,
      concurrency: env.workerConcurrency,
      logger,
    });
    // The worker stops first so active runs checkpoint while Redis is still open.
    stops.unshift(() => worker.close());
    if (env.sandboxBackend === 'docker') {
      // Sandbox janitor: reaps containers/volumes left by crashed workers at start-up and every
      // 10 minutes (per-run providers only reap when a run starts).
      const janitor = createSandboxProvider({ kind: 'docker', concurrency: 1, logger });
      stops.push(() => janitor.close());
    }
    if (role === 'worker') {
      const health = await startHealthServer(redis, env.port, env.host);
      stops.push(() => health.close());
    }
    logger.info(
      { concurrency: env.workerConcurrency, sandbox: env.sandboxBackend },
      'run worker started',
    );
  }
  stops.push(() => redis.quit());

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down gracefully');
    void (async () => {
      for (const stop of stops)
        await stop().catch((err: unknown) => logger.error({ err }, 'shutdown step failed'));
      logger.info('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  logger.info({ role }, 'codemonkeys started');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `codemonkeys failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
