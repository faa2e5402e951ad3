import type { RunStore } from './run-store.js';

/**
 * In-memory RunStore for tests, benchmarks and the CLI. Values are deep-copied on the way in
 * and out, so callers cannot mutate stored checkpoints (same semantics as the Redis store).
 */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, Map<string, string>>();

  async get<T>(runId: string, key: string): Promise<T | undefined> {
    const raw = this.runs.get(runId)?.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set(runId: string, key: string, value: unknown): Promise<void> {
    let run = this.runs.get(runId);
    if (run === undefined) {
      run = new Map();
      this.runs.set(runId, run);
    }
    run.set(key, JSON.stringify(value));
  }

  async list<T>(runId: string, prefix: string): Promise<Array<{ key: string; value: T }>> {
    const run = this.runs.get(runId);
    if (run === undefined) return [];
    return [...run.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, raw]) => ({ key, value: JSON.parse(raw) as T }));
  }

  async clear(runId: string): Promise<void> {
    this.runs.delete(runId);
  }

  /** Number of keys stored for a run (tests). */
  size(runId: string): number {
    return this.runs.get(runId)?.size ?? 0;
  }
}
