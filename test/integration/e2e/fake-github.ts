import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, safeJson } from '../../fakes/http-body.js';

/**
 * A GitHub (Enterprise-style, `/api/v3`) stand-in for the whole App: it keeps a little state
 * (comments, refs, pull requests) so the App's read-after-write calls see their own writes, and
 * records every request. A route it does not know answers 500 and is listed in `unexpected`.
 */
export interface GitHubRequest {
  method: string;
  /** Decoded path without `/api/v3`. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: unknown;
}

export interface RepoFixture {
  owner: string;
  repo: string;
  sha: string;
  /** Gzipped tar with one top-level folder, as GitHub's tarball endpoint returns it. */
  tarball: Buffer;
  configYaml: string;
  issue: { number: number; title: string; body: string };
  appSlug: string;
  installationToken: string;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (req: GitHubRequest, match: RegExpExecArray) => Reply;

export interface Comment {
  id: number;
  body: string;
  user: { login: string; type: 'Bot' };
  html_url: string;
}

export class FakeGitHub {
  readonly requests: GitHubRequest[] = [];
  readonly unexpected: string[] = [];
  readonly comments: Comment[] = [];
  readonly refs = new Map<string, string>();
  readonly pulls: Array<{
    number: number;
    head: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
  }> = [];
  private server: Server | undefined;
  /** A second origin for archive downloads, like codeload.github.com. */
  private codeload: Server | undefined;
  private codeloadUrl = '';
  private nextId = 100;
  private readonly routes: Array<[string, RegExp, Handler]>;

  constructor(private readonly fx: RepoFixture) {
    const repo = `/repos/${fx.owner}/${fx.repo}`;
    const esc = repo.replace(/[.]/g, '\\.');
    const r = (m: string, pattern: string, handler: Handler): [string, RegExp, Handler] => [
      m,
      new RegExp(`^${pattern}$`),
      handler,
    ];
    const bot = { login: `${fx.appSlug}[bot]`, type: 'Bot' as const };
    const pullJson = (p: FakeGitHub['pulls'][number]) => ({
      number: p.number,
      html_url: `https://github.example/${fx.owner}/${fx.repo}/pull/${p.number}`,
      head: { ref: p.head },
      draft: p.draft,
    });
    this.routes = [
      r('GET', '/app', () => ({
        status: 200,
        body: { id: 1, slug: fx.appSlug, name: fx.appSlug },
      })),
      r('POST', '/app/installations/\\d+/access_tokens', () => ({
        status: 201,
        body: {
          token: fx.installationToken,
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          permissions: {},
          repository_selection: 'all',
        },
      })),
      r('GET', `${esc}/collaborators/([^/]+)/permission`, (_q, m) => ({
        status: 200,
        body: { permission: 'write', role_name: 'write', user: { login: m[1] } },
      })),
      r('GET', `${esc}/contents/\\.github/codemonkeys\\.yml`, (q) =>
        // Probot's config plugin asks for the raw media type; the worker reads the JSON form.
        String(q.headers.accept).includes('raw')
          ? {
              status: 200,
              body: fx.configYaml,
              headers: { 'content-type': 'text/plain; charset=utf-8' },
            }
          : {
              status: 200,
              body: {
                type: 'file',
                encoding: 'base64',
                path: '.github/codemonkeys.yml',
                content: Buffer.from(fx.configYaml).toString('base64'),
              },
            },
      ),
      r('GET', esc, () => ({
        status: 200,
        body: { name: fx.repo, full_name: `${fx.owner}/${fx.repo}`, default_branch: 'main' },
      })),
      r('GET', `${esc}/branches/main`, () => ({
        status: 200,
        body: { name: 'main', commit: { sha: fx.sha } },
      })),
      r('GET', `${esc}/tarball/([0-9a-f]{40})`, (_q, m) => ({
        status: 302,
        headers: {
          location: `${this.codeloadUrl}/_codeload/${fx.owner}/${fx.repo}/legacy.tar.gz/${m[1]}`,
        },
      })),
      r('GET', `/_codeload/${fx.owner}/${fx.repo}/legacy\\.tar\\.gz/${fx.sha}`, () => ({
        status: 200,
        body: fx.tarball,
        headers: { 'content-type': 'application/x-gzip' },
      })),
      r('GET', `${esc}/issues/${fx.issue.number}`, () => ({
        status: 200,
        body: {
          ...fx.issue,
          state: 'open',
          html_url: `https://github.example/${fx.owner}/${fx.repo}/issues/${fx.issue.number}`,
        },
      })),
      r('GET', `${esc}/issues/${fx.issue.number}/comments`, () => ({
        status: 200,
        body: this.comments,
      })),
      r('POST', `${esc}/issues/${fx.issue.number}/comments`, (q) => {
        const id = this.nextId++;
        const comment = {
          id,
          body: (q.body as { body: string }).body,
          user: bot,
          html_url: `https://github.example/c/${id}`,
        };
        this.comments.push(comment);
        return { status: 201, body: comment };
      }),
      r('PATCH', `${esc}/issues/comments/(\\d+)`, (q, m) => {
        const comment = this.comments.find((c) => c.id === Number(m[1]));
        if (comment === undefined) return { status: 404, body: { message: 'Not Found' } };
        comment.body = (q.body as { body: string }).body;
        return { status: 200, body: comment };
      }),
      r('GET', `${esc}/git/commits/${fx.sha}`, () => ({
        status: 200,
        body: { sha: fx.sha, tree: { sha: 't'.repeat(40) } },
      })),
      r('POST', `${esc}/git/blobs`, () => ({ status: 201, body: { sha: this.sha('b') } })),
      r('POST', `${esc}/git/trees`, () => ({ status: 201, body: { sha: this.sha('t') } })),
      r('POST', `${esc}/git/commits`, () => ({ status: 201, body: { sha: this.sha('c') } })),
      r('GET', `${esc}/git/ref/(heads/.+)`, (_q, m) => {
        const sha = this.refs.get(`refs/${m[1]}`);
        return sha === undefined
          ? { status: 404, body: { message: 'Not Found' } }
          : { status: 200, body: { ref: `refs/${m[1]}`, object: { sha, type: 'commit' } } };
      }),
      r('POST', `${esc}/git/refs`, (q) => {
        const { ref, sha } = q.body as { ref: string; sha: string };
        if (this.refs.has(ref))
          return { status: 422, body: { message: 'Reference already exists' } };
        this.refs.set(ref, sha);
        return { status: 201, body: { ref, object: { sha, type: 'commit' } } };
      }),
      r('GET', `${esc}/pulls`, (q) => ({
        status: 200,
        body: this.pulls
          .filter((p) => `${fx.owner}:${p.head}` === q.query.get('head'))
          .map(pullJson),
      })),
      r('POST', `${esc}/pulls`, (q) => {
        const input = q.body as {
          head: string;
          base: string;
          title: string;
          body: string;
          draft: boolean;
        };
        const pull = { number: this.nextId++, ...input };
        this.pulls.push(pull);
        return { status: 201, body: pullJson(pull) };
      }),
    ];
  }

  private sha(prefix: string): string {
    return `${prefix}${String(this.nextId++).padStart(39, '0')}`;
  }

  /** Requests matching `METHOD /path-regex`. */
  find(method: string, path: RegExp): GitHubRequest[] {
    return this.requests.filter((q) => q.method === method && path.test(q.path));
  }

  private handle(req: GitHubRequest): Reply {
    for (const [method, pattern, handler] of this.routes) {
      const match = method === req.method ? pattern.exec(req.path) : null;
      if (match !== null) return handler(req, match);
    }
    this.unexpected.push(`${req.method} ${req.path}`);
    return { status: 500, body: { message: `not faked: ${req.method} ${req.path}` } };
  }

  async start(): Promise<string> {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      void readBody(req).then((raw) => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const request: GitHubRequest = {
          method: req.method ?? 'GET',
          path: decodeURIComponent(url.pathname).replace(/^\/api\/v3(?=\/)/, ''),
          query: url.searchParams,
          headers: req.headers,
          raw,
          body: raw === '' ? undefined : safeJson(raw),
        };
        this.requests.push(request);
        const reply = this.handle(request);
        const isJson =
          reply.body !== undefined &&
          !Buffer.isBuffer(reply.body) &&
          typeof reply.body !== 'string';
        res.writeHead(reply.status, {
          ...(isJson ? { 'content-type': 'application/json; charset=utf-8' } : {}),
          ...reply.headers,
        });
        res.end(isJson ? JSON.stringify(reply.body) : (reply.body as Buffer | string | undefined));
      });
    };
    const listen = async (server: Server) => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    this.server = createServer(listener);
    this.codeload = createServer(listener);
    this.codeloadUrl = await listen(this.codeload);
    return listen(this.server);
  }

  async stop(): Promise<void> {
    for (const server of [this.server, this.codeload]) {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => server?.close(() => resolve()));
    }
  }
}
