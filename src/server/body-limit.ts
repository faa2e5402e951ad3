import type { IncomingMessage, ServerResponse } from 'node:http';

/** GitHub issue and comment payloads are far below this; bigger bodies are refused early. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads a request body up to `maxBytes` and hands it to the webhook middleware as `req.body`
 * (a string, which @octokit/webhooks verifies as-is). Over the limit: 413, nothing parsed.
 * Returns true when it already answered.
 */
export async function readLimitedBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number = DEFAULT_MAX_BODY_BYTES,
): Promise<boolean> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = Number.isFinite(declared) && declared > maxBytes;
  try {
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBytes) tooBig = true;
      if (!tooBig) chunks.push(buf);
      // Stop draining a hostile stream after a while.
      if (size > maxBytes * 16) break;
    }
  } catch {
    res
      .writeHead(400, { 'content-type': 'application/json' })
      .end('{"error":"request body could not be read"}');
    return true;
  }
  if (tooBig) {
    res
      .writeHead(413, { 'content-type': 'application/json', connection: 'close' })
      .end(JSON.stringify({ error: `request body exceeds ${maxBytes} bytes` }));
    return true;
  }
  req.body = Buffer.concat(chunks).toString('utf8');
  return false;
}
