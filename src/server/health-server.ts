import { createServer, type Server } from 'node:http';
import type { Redis } from 'ioredis';
import { createHealthHandler } from './health.js';

/**
 * A worker-only process has no webhook server; this serves just `GET /healthz` so orchestrators
 * can probe it the same way as the web process.
 */
export async function startHealthServer(
  redis: Redis,
  port: number,
  host = '0.0.0.0',
): Promise<{ server: Server; close(): Promise<void> }> {
  const health = createHealthHandler(redis);
  const server = createServer((req, res) => {
    void health(req, res).then((handled) => {
      if (!handled)
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
