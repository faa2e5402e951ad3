import { CodemonkeysError } from '../errors.js';
import { toGitHubError } from './github-error.js';

/** The repository archive is bigger than the cap (from Content-Length, or counted while reading). */
export function archiveTooLarge(
  maxBytes: number,
  seen: { declared: number } | { read: number },
): CodemonkeysError {
  const how =
    'declared' in seen
      ? `GitHub announced ${seen.declared} bytes; nothing was downloaded`
      : `download stopped after ${seen.read} bytes`;
  return new CodemonkeysError(
    'WORKSPACE_ERROR',
    `the repository archive is larger than the ${maxBytes}-byte cap (${how})`,
    { retryable: false, details: { maxBytes, ...seen } },
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * The body Octokit hands back: a web ReadableStream when the body is not parsed (the normal
 * case), or an already buffered value (test doubles, other clients).
 */
export function toByteSource(data: unknown): AsyncIterable<Uint8Array> {
  if (isAsyncIterable(data)) return data;
  let buffer: Buffer;
  if (Buffer.isBuffer(data)) buffer = data;
  else if (data instanceof ArrayBuffer) buffer = Buffer.from(data);
  else if (ArrayBuffer.isView(data))
    buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  else if (typeof data === 'string') buffer = Buffer.from(data, 'binary');
  else throw new CodemonkeysError('GITHUB_ERROR', 'GitHub returned an unexpected archive format');
  return (async function* single() {
    yield buffer;
  })();
}

/**
 * Passes chunks through while counting them; past `maxBytes` it stops reading (which cancels
 * the underlying download) and throws WORKSPACE_ERROR naming the cap. A failure of the
 * download itself becomes a GitHub error (retryable) or CANCELLED, never "corrupt archive".
 */
export async function* capBytes(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
  action: string,
  onExceeded?: () => void,
): AsyncGenerator<Buffer> {
  let seen = 0;
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw toGitHubError(error, action);
      }
      if (next.done === true) return;
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      seen += chunk.length;
      if (seen > maxBytes) {
        onExceeded?.();
        throw archiveTooLarge(maxBytes, { read: seen });
      }
      yield chunk;
    }
  } finally {
    // Stops the download when we end early (cap, extraction failure, abort).
    await iterator.return?.()?.catch(() => undefined);
  }
}
