import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, safeJson } from '../../fakes/http-body.js';

export interface FakeRequest {
  method: string;
  path: string;
  body: unknown;
}

export type FakeHandler = (request: FakeRequest) => {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
};

/**
 * A tiny GitHub API stand-in on 127.0.0.1 for integration tests that also talk to Docker (nock's
 * interceptors would capture the Docker socket too). Routes are `METHOD /path`; unknown routes
 * answer 599 and are recorded so the test fails loudly.
 */
export class FakeGitHub {
  readonly requests: FakeRequest[] = [];
  readonly unmatched: string[] = [];
  private server: Server | undefined;

  constructor(private readonly routes: Record<string, FakeHandler>) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const path = (req.url ?? '/').split('?')[0] as string;
        const request: FakeRequest = {
          method: req.method ?? 'GET',
          path,
          body: raw.length > 0 && !raw.startsWith('\u001f') ? safeJson(raw) : undefined,
        };
        this.requests.push(request);
        const handler = this.routes[`${request.method} ${path}`];
        if (handler === undefined) {
          this.unmatched.push(`${request.method} ${path}`);
          res.writeHead(599).end();
          return;
        }
        const reply = handler(request);
        if (Buffer.isBuffer(reply.body)) {
          res
            .writeHead(reply.status, { 'content-type': 'application/x-gzip', ...reply.headers })
            .end(reply.body);
        } else {
          res
            .writeHead(reply.status, {
              'content-type': 'application/json; charset=utf-8',
              ...reply.headers,
            })
            .end(JSON.stringify(reply.body));
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** Routes never requested. */
  unused(): string[] {
    const seen = new Set(this.requests.map((r) => `${r.method} ${r.path}`));
    return Object.keys(this.routes).filter((route) => !seen.has(route));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
