import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, type ApplicationFunction, type Probot } from 'probot';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { createHealthHandler } from './health.js';
import { DEFAULT_MAX_BODY_BYTES, readLimitedBody } from './body-limit.js';

export interface WebServerOptions {
  probot: Probot;
  app: ApplicationFunction;
  redis: Redis;
  logger: Logger;
  port: number;
  host?: string;
  webhookPath?: string;
  maxBodyBytes?: number;
}

export interface WebServer {
  server: Server;
  /** Base URL such as http://127.0.0.1:3000 */
  url: string;
  close(): Promise<void>;
}

/**
 * The web process: `GET /healthz`, and Probot's node middleware on the webhook path (it verifies
 * the signature and answers 400 when it does not match). Bodies over the limit get 413.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const webhookPath = options.webhookPath ?? '/api/github/webhooks';
  const middleware = await createNodeMiddleware(options.app, {
    probot: options.probot,
    webhooksPath: webhookPath,
  });
  const health = createHealthHandler(options.redis);
  const log = options.logger.child({ component: 'web' });
  const server = createServer((req, res) => {
    void (async () => {
      if (await health(req, res)) return;
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'POST' && path === webhookPath) {
        if (await readLimitedBody(req, res, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) return;
      }
      await middleware(req, res, () => {
        if (!res.headersSent)
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      });
    })().catch((err: unknown) => {
      log.error({ err }, 'request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  log.info({ url, webhookPath }, 'web server listening');
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
