import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Probot, ProbotOctokit } from 'probot';
import { createApp } from '../../../src/index.js';
import { createBackground, type Background } from '../../../src/app/background.js';
import type { ReadCache } from '../../../src/app/read-cache.js';
import { createRedisConnection, getRunKeys } from '../../../src/queue/connection.js';
import { createRunRegistry } from '../../../src/queue/registry.js';
import { createCancelChannel } from '../../../src/queue/cancel-channel.js';
import { createRunProducer, type RunProducer } from '../../../src/queue/producer.js';
import { startWebServer, type WebServer } from '../../../src/server/web-server.js';
import { createSilentLogger } from '../../../src/logger.js';

export const SECRET = 'test-webhook-secret';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;

/** A real example payload from @octokit/webhooks-examples, made to target one issue. */
export function examplePayload(
  event: 'issues' | 'issue_comment',
  action: string,
  patch: {
    issue?: number;
    label?: string;
    body?: string;
    sender?: string;
    senderType?: string;
    state?: string;
    installation?: number;
  } = {},
): Record<string, unknown> {
  const def = examples.find((d) => d.name === event);
  const found = def?.examples.find(
    (e) => e.action === action && !(e.issue as { pull_request?: unknown }).pull_request,
  );
  if (found === undefined) throw new Error(`no example ${event}.${action}`);
  const p = structuredClone(found);
  p.installation = { id: patch.installation ?? 1 };
  const issue = p.issue as Record<string, unknown>;
  issue.number = patch.issue ?? 1;
  issue.state = patch.state ?? 'open';
  if (patch.label !== undefined) p.label = { ...(p.label as object), name: patch.label };
  if (patch.body !== undefined) (p.comment as Record<string, unknown>).body = patch.body;
  const sender = p.sender as Record<string, unknown>;
  if (patch.sender !== undefined) sender.login = patch.sender;
  if (patch.senderType !== undefined) sender.type = patch.senderType;
  return p;
}

export function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface Harness {
  url: string;
  hookUrl: string;
  queue: Queue;
  producer: RunProducer;
  background: Background;
  redis: Redis;
  send(
    event: string,
    payload: unknown,
    options?: { signature?: string | null; raw?: string; id?: string },
  ): Promise<Response>;
  close(): Promise<void>;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const PRIVATE_KEY = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

/** The real web server (Probot node middleware + /healthz) on a free local port, real Redis. */
export async function startHarness(
  options: { redis?: Redis; baseUrl?: string; reads?: ReadCache } = {},
): Promise<Harness> {
  const prefix = `cmtest-app-${randomUUID().slice(0, 8)}`;
  const keys = getRunKeys(prefix);
  const redis = options.redis ?? createRedisConnection(REDIS_URL);
  const queue = new Queue('runs', { connection: createRedisConnection(REDIS_URL), prefix });
  const registry = createRunRegistry(redis, keys);
  const producer = createRunProducer({
    queue,
    redis,
    keys,
    registry,
    cancel: createCancelChannel(redis, keys),
  });
  const logger = createSilentLogger();
  const background = createBackground(logger);
  const probot = new Probot({
    appId: 1,
    privateKey: PRIVATE_KEY,
    secret: SECRET,
    log: logger,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    // Probot's own defaults are applied first; this function runs last and turns off the
    // process-wide write throttle (1 write/s) and retries so tests run fast and deterministic.
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      retry: { enabled: false },
      throttle: { ...(o.throttle as object), enabled: false },
    })),
  });
  const web: WebServer = await startWebServer({
    probot,
    app: createApp({
      producer,
      logger,
      background,
      botLogin: 'codemonkeys[bot]',
      ...(options.reads === undefined ? {} : { reads: options.reads }),
    }),
    redis,
    logger,
    port: 0,
    host: '127.0.0.1',
  });
  const hookUrl = `${web.url}/api/github/webhooks`;
  return {
    url: web.url,
    hookUrl,
    queue,
    producer,
    background,
    redis,
    async send(event, payload, opts = {}) {
      const body = opts.raw ?? JSON.stringify(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': opts.id ?? randomUUID(),
      };
      const signature = opts.signature === undefined ? sign(body) : opts.signature;
      if (signature !== null) headers['x-hub-signature-256'] = signature;
      return fetch(hookUrl, { method: 'POST', headers, body });
    },
    async close() {
      await background.drain();
      await web.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      if (options.redis !== undefined) return; // the caller owns that connection
      const stale = await redis.keys(`${prefix}:*`);
      if (stale.length > 0) await redis.del(...stale);
      await redis.quit();
    },
  };
}
