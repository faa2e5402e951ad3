import pLimit from 'p-limit';

/**
 * Runs `fn` over `items` so that the first call completes before any sibling starts, then the
 * rest with at most `concurrency` in flight. Why: sibling calls share a long prompt prefix; the
 * first call writes it to the prompt cache and every sibling then reads it (0.1x) instead of
 * each writing it (1.25x) because they all started before the cache existed.
 *
 * Results keep the input order. Errors behave like `Promise.all` (the first rejection rejects
 * the whole group; siblings already started still run to completion in the background): wrap
 * `fn` in try/catch when one failing item must not stop the others. If the first item fails,
 * no sibling is started.
 */
export async function runFirstThenRest<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  concurrency: number,
): Promise<R[]> {
  if (items.length === 0) return [];
  const limit = pLimit(Math.max(1, Math.floor(concurrency)));
  const first = await fn(items[0] as T, 0);
  const rest = await Promise.all(items.slice(1).map((item, i) => limit(() => fn(item, i + 1))));
  return [first, ...rest];
}
