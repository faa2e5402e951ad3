import { CodemonkeysError } from '../../errors.js';
import type { LlmClient } from '../../llm/client.js';

/**
 * Lets the first sample's FIRST call of a machine finish before the sibling samples make theirs,
 * so the siblings read the shared prompt prefix from the cache instead of all writing it.
 * (src/llm/siblings.ts `runFirstThenRest` gates whole tasks; samples must only wait for one call,
 * not for sample 0's entire trajectory, hence this per-call gate.)
 *
 * The gate opens when the leader's first call of that stage settles (success or failure) or when
 * the leader's machine ends without calling (e.g. resumed from a finished checkpoint).
 */
export interface FirstCallGate {
  /** Client for the leading sample: opens the gate once its first call settles. */
  leader(llm: LlmClient): LlmClient;
  /** Client for a sibling: its first call waits for the gate. */
  follower(llm: LlmClient): LlmClient;
  open(): void;
}

export function createFirstCallGate(): FirstCallGate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    open,
    leader: (llm) => ({
      complete: (request) => llm.complete(request).finally(open),
    }),
    follower: (llm) => {
      let waited = false;
      return {
        async complete(request) {
          if (!waited) {
            await raceAbort(opened, request.signal);
            waited = true;
          }
          return llm.complete(request);
        },
      };
    },
  };
}

function raceAbort(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return promise;
  return new Promise((resolve, reject) => {
    const cancelled = (): CodemonkeysError =>
      new CodemonkeysError('CANCELLED', 'The run was cancelled.', { cause: signal.reason });
    if (signal.aborted) {
      reject(cancelled());
      return;
    }
    const onAbort = (): void => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}
