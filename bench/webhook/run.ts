/**
 * `npm run bench:webhook`: acknowledgement latency of the web process.
 * 200 signed `issues.labeled` deliveries (40 distinct issues, each delivered 5 times, shuffled)
 * are sent 50 at a time to the real server (Probot node middleware, signature checks, real
 * Redis queue); the GitHub API is a local fake server reached through Probot's baseUrl.
 * Prints p50/p99/max ack latency and checks that exactly one job exists per distinct issue.
 */
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Queue } from 'bullmq';
import { Probot } from 'probot';
import { createApp } from '../../src/index.js';
import { createBackground } from '../../src/app/background.js';
import { createReadCache } from '../../src/app/read-cache.js';
import { createRedisConnection, getRunKeys } from '../../src/queue/connection.js';
import { createRunRegistry } from '../../src/queue/registry.js';
import { createCancelChannel } from '../../src/queue/cancel-channel.js';
import { createRunProducer } from '../../src/queue/producer.js';
import { startWebServer } from '../../src/server/web-server.js';
import { createSilentLogger } from '../../src/logger.js';
import { startFakeGitHub } from './fake-github.js';

const DELIVERIES = 200;
const DISTINCT_ISSUES = 40;
const BATCH = 50;
const SEQUENTIAL = 20;
const SECRET = 'bench-secret';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

async function main(): Promise<void> {
  const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
    name: string;
    examples: Array<Record<string, unknown>>;
  }>;
  const base = examples
    .find((d) => d.name === 'issues')
    ?.examples.find((e) => e.action === 'labeled');
  if (base === undefined) throw new Error('no issues.labeled example');

  const fake = await startFakeGitHub();
  const prefix = `cmbench-${randomUUID().slice(0, 8)}`;
  const keys = getRunKeys(prefix);
  const redis = createRedisConnection(REDIS_URL);
  const queue = new Queue('runs', { connection: redis, prefix });
  const logger = createSilentLogger();
  const background = createBackground(logger);
  const producer = createRunProducer({
    queue,
    redis,
    keys,
    registry: createRunRegistry(redis, keys),
    cancel: createCancelChannel(redis, keys),
  });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // Default Octokit settings (throttling on), as in production.
  const probot = new Probot({
    appId: 1,
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    secret: SECRET,
    baseUrl: fake.baseUrl,
    log: logger,
  });
  const web = await startWebServer({
    probot,
    app: createApp({ producer, logger, background, reads: createReadCache({ ttlMs: 5_000 }) }),
    redis,
    logger,
    port: 0,
    host: '127.0.0.1',
  });
  const hookUrl = `${web.url}/api/github/webhooks`;

  const bodies = Array.from({ length: DELIVERIES }, (_, i) => {
    const p = structuredClone(base);
    p.installation = { id: 1 };
    p.label = { ...(p.label as object), name: 'codemonkeys' };
    (p.issue as Record<string, unknown>).number = 1 + (i % DISTINCT_ISSUES);
    (p.issue as Record<string, unknown>).state = 'open';
    return JSON.stringify(p);
  });
  for (let i = bodies.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [bodies[i], bodies[j]] = [bodies[j] as string, bodies[i] as string];
  }

  const send = async (body: string): Promise<{ ms: number; status: number }> => {
    const t0 = performance.now();
    const res = await fetch(hookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, status: res.status };
  };

  // Phase A: unloaded latency of first-time triggers (distinct issues, one at a time).
  const sequential: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i += 1) {
    const p = structuredClone(base);
    p.installation = { id: 1 };
    p.label = { ...(p.label as object), name: 'codemonkeys' };
    (p.issue as Record<string, unknown>).number = 10_000 + i;
    (p.issue as Record<string, unknown>).state = 'open';
    sequential.push((await send(JSON.stringify(p))).ms);
  }
  sequential.sort((a, b) => a - b);

  // Phase B: the burst.
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const started = performance.now();
  for (let offset = 0; offset < bodies.length; offset += BATCH) {
    await Promise.all(
      bodies.slice(offset, offset + BATCH).map(async (body) => {
        const { ms, status } = await send(body);
        latencies.push(ms);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }),
    );
  }
  const sendMs = performance.now() - started;
  const drainStart = performance.now();
  await background.drain();
  const drainMs = performance.now() - drainStart;
  const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
  const burstJobs = jobs.filter((j) => (j.data as { issueNumber: number }).issueNumber < 10_000);
  const distinctJobIssues = new Set(
    burstJobs.map((j) => (j.data as { issueNumber: number }).issueNumber),
  );
  latencies.sort((a, b) => a - b);

  const line = (k: string, v: string) => process.stdout.write(`${k.padEnd(34)} ${v}\n`);
  process.stdout.write(
    '\nbench:webhook (issues.labeled, real middleware + Redis, fake GitHub API over HTTP)\n',
  );
  line(
    'A: new-issue trigger p50 / max',
    `${percentile(sequential, 50).toFixed(1)} / ${(sequential.at(-1) ?? NaN).toFixed(1)} ms (${SEQUENTIAL} sequential; max = cold config + permission read)`,
  );
  line(
    'B: deliveries / distinct issues',
    `${DELIVERIES} / ${DISTINCT_ISSUES} (sent ${BATCH} at a time)`,
  );
  line('B: HTTP statuses', JSON.stringify(statuses));
  line('B: ack latency p50', `${percentile(latencies, 50).toFixed(1)} ms`);
  line('B: ack latency p99', `${percentile(latencies, 99).toFixed(1)} ms`);
  line('B: ack latency max', `${(latencies.at(-1) ?? NaN).toFixed(1)} ms`);
  line(
    'B: throughput',
    `${((DELIVERIES / sendMs) * 1000).toFixed(0)} deliveries/s (${sendMs.toFixed(0)} ms total)`,
  );
  line(
    'B: jobs created',
    `${burstJobs.length} (distinct issues with a job: ${distinctJobIssues.size}); phase A jobs: ${jobs.length - burstJobs.length}`,
  );
  line(
    'status comments written after ack',
    `${fake.counts.createComment ?? 0} in ${(drainMs / 1000).toFixed(1)} s (Octokit throttles comment creation to 1 per 3 s per process)`,
  );
  line('GitHub API calls', JSON.stringify(fake.counts));
  const ok =
    burstJobs.length === DISTINCT_ISSUES &&
    jobs.length === DISTINCT_ISSUES + SEQUENTIAL &&
    distinctJobIssues.size === DISTINCT_ISSUES &&
    statuses[200] === DELIVERIES;
  line('result', ok ? 'OK: one job per distinct issue' : 'MISMATCH');

  await web.close();
  await queue.obliterate({ force: true });
  await queue.close();
  const stale = await redis.keys(`${prefix}:*`);
  if (stale.length > 0) await redis.del(...stale);
  await redis.quit();
  await fake.close();
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exit(1);
});
