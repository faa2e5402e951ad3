import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal local GitHub API for the benchmark (reached through Probot's `baseUrl`, as with
 * GHE_HOST): installation tokens, no config file, write permission, and issue comments.
 */
export interface FakeGitHub {
  baseUrl: string;
  counts: Record<string, number>;
  close(): Promise<void>;
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const counts: Record<string, number> = {};
  let nextId = 1;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = decodeURIComponent(url.pathname);
      const send = (status: number, body: unknown) => {
        res
          .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
          .end(JSON.stringify(body));
      };
      const route = (name: string) => {
        counts[name] = (counts[name] ?? 0) + 1;
      };
      if (req.method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
        route('token');
        return send(201, {
          token: 'ghs_bench',
          expires_at: '2099-01-01T00:00:00Z',
          permissions: {},
          repository_selection: 'all',
        });
      }
      if (req.method === 'GET' && path.includes('/contents/.github/codemonkeys.yml')) {
        route('config');
        return send(404, { message: 'Not Found' });
      }
      if (req.method === 'GET' && /\/collaborators\/[^/]+\/permission$/.test(path)) {
        route('permission');
        return send(200, { permission: 'write', role_name: 'write', user: { login: 'bench' } });
      }
      if (req.method === 'GET' && /\/issues\/\d+\/comments$/.test(path)) {
        route('listComments');
        return send(200, []);
      }
      if (req.method === 'POST' && /\/issues\/\d+\/comments$/.test(path)) {
        route('createComment');
        nextId += 1;
        return send(201, { id: nextId });
      }
      if (req.method === 'PATCH' && /\/issues\/comments\/\d+$/.test(path)) {
        route('updateComment');
        return send(200, { id: Number(path.split('/').pop()) });
      }
      route('unexpected');
      return send(404, { message: `not faked: ${req.method} ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
