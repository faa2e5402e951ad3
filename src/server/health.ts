import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { pingRedis } from '../queue/connection.js';

/**
 * `GET /healthz`: 200 `{"status":"ok","redis":"up"}` when Redis answers within a second,
 * 503 `{"status":"unavailable","redis":"down"}` otherwise. Returns false for other routes.
 */
export function createHealthHandler(redis: Redis, timeoutMs = 1_000) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/healthz') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' })
        .end('{"error":"method not allowed"}');
      return true;
    }
    const up = await pingRedis(redis, timeoutMs);
    const body = JSON.stringify(
      up ? { status: 'ok', redis: 'up' } : { status: 'unavailable', redis: 'down' },
    );
    res.writeHead(up ? 200 : 503, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
