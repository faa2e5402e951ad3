/**
 * Composition root: the only place (with src/bin/*) that constructs real adapters.
 * Owned by the delivery work; replaced as the adapters land.
 */
import { CodemonkeysError } from './errors.js';
import type { ExecuteRun } from './queue/types.js';

export interface WorkerEnv {
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
}

/** Builds the function the queue worker calls for each run job. */
export function createExecuteRun(_env: WorkerEnv): ExecuteRun {
  return async () => {
    throw new CodemonkeysError('INTERNAL', 'The run pipeline is not wired into this build yet.', {
      retryable: false,
    });
  };
}
