import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { RedisRunStore } from '../../../src/store/redis-run-store.js';
import { runStoreContract } from '../../unit/store/run-store-contract.js';
import { runContextStage } from '../../../src/pipeline/context/run-context.js';
import { ScriptedLlm } from '../../../src/llm/scripted.js';
import { createRunLlm } from '../../../src/llm/metered.js';
import { UsageLedger } from '../../../src/llm/usage.js';
import { loadPrompts } from '../../../src/llm/prompts.js';
import { DEFAULT_CONFIG } from '../../../src/config/repo-config.js';
import { createSilentLogger } from '../../../src/logger.js';

const PREFIX = `cmtest-store-${process.pid}-${Date.now()}`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: 1,
});

async function cleanup(): Promise<void> {
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
}

describe('RedisRunStore', () => {
  beforeAll(cleanup);
  afterAll(async () => {
    await cleanup();
    redis.disconnect();
  });

  runStoreContract(
    () => new RedisRunStore({ redis, prefix: PREFIX }),
    (name) => `run-${name}`,
  );

  it('stores one gzip-compressed hash per run with a TTL', async () => {
    const store = new RedisRunStore({ redis, prefix: PREFIX, ttlSeconds: 3600 });
    await store.set('acme/x#1@1', 'llm/ranking/0', { text: 'y'.repeat(10_000) });
    const key = store.keyOf('acme/x#1@1');
    expect(await redis.type(key)).toBe('hash');
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
    const raw = await redis.hgetBuffer(key, 'llm/ranking/0');
    expect(raw!.length).toBeLessThan(1_000);
    expect(JSON.parse(gunzipSync(raw!).toString('utf8'))).toEqual({ text: 'y'.repeat(10_000) });
  });

  it('a retried job with the same runId re-uses relevance verdicts and rankings instead of paying again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-store-retry-'));
    cpSync(join(import.meta.dirname, '..', '..', 'fixtures', 'context-repo'), dir, {
      recursive: true,
    });
    const prompts = loadPrompts();
    const request = {
      runId: 'acme/shapes#7@retry',
      repo: 'acme/shapes',
      issue: { number: 7, title: 'Circle area is wrong', body: 'area_of(Circle(2)) is 12.57' },
      snapshot: { dir, repo: 'acme/shapes', commit: 'b'.repeat(40) },
      config: DEFAULT_CONFIG,
    };
    const rules = () => [
      {
        key: 'relevance/shapes/area.py',
        reply: 'RELEVANCE: Relevant\nSUMMARY: area_of is wrong for circles.',
      },
      { key: 'relevance/shapes/models.py', reply: 'RELEVANCE: Relevant\nSUMMARY: defines Circle.' },
      { stage: 'relevance' as const, reply: 'RELEVANCE: Not Relevant' },
      { stage: 'ranking' as const, reply: '```json\n["shapes/area.py", "shapes/models.py"]\n```' },
    ];
    const attempt = async (client: ScriptedLlm) => {
      // A fresh connection and store per attempt, as a restarted worker would have.
      const conn = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
        maxRetriesPerRequest: 1,
      });
      const ledger = new UsageLedger();
      const store = new RedisRunStore({ redis: conn, prefix: PREFIX });
      const llm = createRunLlm({ client, store, runId: request.runId, maxUsd: 5, ledger });
      const result = await runContextStage(request, { llm, prompts, logger: createSilentLogger() });
      conn.disconnect();
      return { result, ledger };
    };
    try {
      const firstClient = new ScriptedLlm({ rules: rules() });
      const first = await attempt(firstClient);
      const secondClient = new ScriptedLlm({ rules: rules() });
      const second = await attempt(secondClient);
      expect(firstClient.count('relevance')).toBe(8);
      expect(firstClient.count('ranking')).toBe(3);
      expect(secondClient.count()).toBe(0);
      expect(second.result.report).toEqual(first.result.report);
      expect(second.ledger.snapshot().total).toMatchObject({ calls: 0, replays: 11, usd: 0 });
      expect(first.ledger.snapshot().total.usd).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
