import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Redis } from 'ioredis';
import { CodemonkeysError } from '../errors.js';
import type { RunStore } from './run-store.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface RedisRunStoreOptions {
  redis: Redis;
  /** Key prefix, e.g. `codemonkeys`; the run hash is `<prefix>:cm:run:<runId>`. */
  prefix?: string;
  /** Expiry of a run's hash, refreshed on every write. Default 14 days. */
  ttlSeconds?: number;
}

export const DEFAULT_RUN_TTL_SECONDS = 14 * 24 * 3600;
const MGET_CHUNK = 500;

/**
 * RunStore on Redis: one hash per run (field = checkpoint key, value = gzip-compressed JSON),
 * expiring `ttlSeconds` after the last write. A retried job (same run id) finds every checkpoint
 * of the previous attempt. The Redis client is owned by the caller (composition root).
 * Failures become STORE_ERROR (retryable).
 */
export class RedisRunStore implements RunStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlSeconds: number;

  constructor(options: RedisRunStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? 'codemonkeys';
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_RUN_TTL_SECONDS;
  }

  /** The Redis key of a run's hash. */
  keyOf(runId: string): string {
    return `${this.prefix}:cm:run:${runId}`;
  }

  async get<T>(runId: string, key: string): Promise<T | undefined> {
    const raw = await this.guard('read', () => this.redis.hgetBuffer(this.keyOf(runId), key));
    return raw === null ? undefined : decode<T>(raw);
  }

  async set(runId: string, key: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    if (json === undefined)
      throw new CodemonkeysError('STORE_ERROR', `checkpoint ${key} is not JSON-serialisable`, {
        retryable: false,
      });
    const packed = await gzipAsync(Buffer.from(json, 'utf8'));
    const hash = this.keyOf(runId);
    const results = await this.guard('write', () =>
      this.redis.multi().hset(hash, key, packed).expire(hash, this.ttlSeconds).exec(),
    );
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (results === null || failed)
      throw new CodemonkeysError('STORE_ERROR', 'run store write failed', { cause: failed });
  }

  async list<T>(runId: string, prefix: string): Promise<Array<{ key: string; value: T }>> {
    const hash = this.keyOf(runId);
    const fields = (await this.guard('list', () => this.redis.hkeys(hash)))
      .filter((f) => f.startsWith(prefix))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out: Array<{ key: string; value: T }> = [];
    for (let i = 0; i < fields.length; i += MGET_CHUNK) {
      const chunk = fields.slice(i, i + MGET_CHUNK);
      const values = await this.guard('list', () => this.redis.hmgetBuffer(hash, ...chunk));
      for (const [j, raw] of values.entries()) {
        if (raw !== null) out.push({ key: chunk[j] as string, value: await decode<T>(raw) });
      }
    }
    return out;
  }

  async clear(runId: string): Promise<void> {
    await this.guard('clear', () => this.redis.del(this.keyOf(runId)));
  }

  private async guard<R>(what: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (error) {
      throw new CodemonkeysError('STORE_ERROR', `run store ${what} failed`, { cause: error });
    }
  }
}

async function decode<T>(raw: Buffer): Promise<T> {
  try {
    return JSON.parse((await gunzipAsync(raw)).toString('utf8')) as T;
  } catch (error) {
    throw new CodemonkeysError('STORE_ERROR', 'a stored checkpoint could not be decoded', {
      cause: error,
      retryable: false,
    });
  }
}
