/**
 * The run store: checkpoints keyed by run id so a retried or crashed job resumes instead of
 * re-paying. Values are JSON-serialisable. Implementations: Redis (production), memory (tests).
 */
export interface RunStore {
  get<T>(runId: string, key: string): Promise<T | undefined>;
  set(runId: string, key: string, value: unknown): Promise<void>;
  /** All keys of a run starting with `prefix`, with their values. */
  list<T>(runId: string, prefix: string): Promise<Array<{ key: string; value: T }>>;
  /** Forget a run (e.g. `/codemonkeys retry` from scratch). */
  clear(runId: string): Promise<void>;
}
