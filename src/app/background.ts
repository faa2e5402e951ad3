import type { Logger } from '../logger.js';

/**
 * Work the web process does AFTER acknowledging a webhook (GitHub writes are throttled to about
 * one per second per process by Octokit, so they must not hold the 200 response). Failures are
 * logged; `drain()` waits for everything in flight (graceful shutdown, tests).
 */
export interface Background {
  run(label: string, task: () => Promise<unknown>): void;
  drain(): Promise<void>;
  pending(): number;
}

export function createBackground(logger: Logger): Background {
  const inFlight = new Set<Promise<unknown>>();
  return {
    run(label, task) {
      const p = Promise.resolve()
        .then(task)
        .catch((err: unknown) => logger.warn({ err, task: label }, 'background task failed'))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    pending: () => inFlight.size,
  };
}
