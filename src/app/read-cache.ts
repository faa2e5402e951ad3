/**
 * A tiny time-bounded cache of GitHub reads in the web process. Concurrent deliveries for the
 * same key share one in-flight request (a burst of labels on one repository reads its config
 * once); results live `ttlMs` (a few seconds: a fixed config or a changed permission is seen
 * almost at once). Failures are never cached. `ttlMs: 0` turns caching off (in-flight sharing too).
 */
export interface ReadCache {
  get<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export function createReadCache(options: {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}): ReadCache {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  const max = options.maxEntries ?? 1_000;
  const now = options.now ?? Date.now;
  return {
    get<T>(key: string, load: () => Promise<T>): Promise<T> {
      if (options.ttlMs <= 0) return load();
      const hit = entries.get(key);
      if (hit !== undefined && now() - hit.at < options.ttlMs) return hit.value as Promise<T>;
      const value = load();
      entries.set(key, { at: now(), value });
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      if (entries.size > max) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      return value;
    },
  };
}
