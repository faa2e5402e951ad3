import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections. BullMQ workers need `maxRetriesPerRequest: null` (blocking commands must
 * not time out); the web process uses the same settings so enqueueing waits out a short blip.
 */
export function createRedisConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

/** Key names of codemonkeys' own Redis data, next to BullMQ's `<prefix>:runs:*` keys. */
export interface RunKeys {
  /** Per-issue run record (run id, generation, outcome, status comment id). */
  record(jobId: string): string;
  /** Short lock held while one delivery decides whether to enqueue. */
  lock(jobId: string): string;
  /** Set when a cancel was requested, so a worker that picks the job up later still sees it. */
  cancelFlag(jobId: string): string;
  /** Pub/sub channel carrying job ids to cancel. */
  cancelChannel: string;
}

export function getRunKeys(prefix: string): RunKeys {
  return {
    record: (jobId) => `${prefix}:cm:record:${jobId}`,
    lock: (jobId) => `${prefix}:cm:lock:${jobId}`,
    cancelFlag: (jobId) => `${prefix}:cm:cancel:${jobId}`,
    cancelChannel: `${prefix}:cm:cancel-channel`,
  };
}

/** Pings Redis with a deadline; used by the health endpoint. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([redis.ping().then((r) => r === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
