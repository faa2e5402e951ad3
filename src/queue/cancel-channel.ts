import type { Redis } from 'ioredis';
import type { RunKeys } from './connection.js';

/**
 * Cross-process cancellation. A cancel sets a flag (seen by a worker that picks the job up
 * later) and publishes the job id (seen by whichever worker process holds the job now).
 */
export interface CancelChannel {
  requestCancel(jobId: string): Promise<void>;
  isCancelRequested(jobId: string): Promise<boolean>;
  clearCancel(jobId: string): Promise<void>;
}

const FLAG_TTL_SECONDS = 24 * 3600;

export function createCancelChannel(redis: Redis, keys: RunKeys): CancelChannel {
  return {
    async requestCancel(jobId) {
      await redis.set(keys.cancelFlag(jobId), '1', 'EX', FLAG_TTL_SECONDS);
      await redis.publish(keys.cancelChannel, jobId);
    },
    async isCancelRequested(jobId) {
      return (await redis.exists(keys.cancelFlag(jobId))) === 1;
    },
    async clearCancel(jobId) {
      await redis.del(keys.cancelFlag(jobId));
    },
  };
}

/**
 * Subscribes a dedicated connection (subscriber mode blocks other commands) to cancel
 * requests. Returns a function that unsubscribes and closes that connection.
 */
export async function subscribeToCancels(
  subscriber: Redis,
  keys: RunKeys,
  onCancel: (jobId: string) => void,
): Promise<() => Promise<void>> {
  const listener = (channel: string, message: string) => {
    if (channel === keys.cancelChannel) onCancel(message);
  };
  subscriber.on('message', listener);
  await subscriber.subscribe(keys.cancelChannel);
  return async () => {
    subscriber.off('message', listener);
    try {
      await subscriber.unsubscribe(keys.cancelChannel);
    } finally {
      subscriber.disconnect();
    }
  };
}
