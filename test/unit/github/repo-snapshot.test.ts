import { describe, it, expect, afterEach, beforeEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { snapshotRepo } from '../../../src/github/repo-snapshot.js';
import { loadRepoConfig } from '../../../src/github/load-repo-config.js';
import { readIssue } from '../../../src/github/read-issue.js';
import { isCodemonkeysError } from '../../../src/errors.js';
import { createTokenOctokit } from '../../../src/github/octokit.js';
import { API, disableNet, makeOctokit, makeTarball } from './helpers.js';

const SHA = 'a'.repeat(40);
beforeEach(disableNet);
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('github/repo-snapshot', () => {
  it('downloads the tarball at the default branch head and extracts it', async () => {
    const tarball = await makeTarball([
      { name: `acme-lib-${SHA.slice(0, 7)}/lib/a.py`, content: 'A = 1\n' },
      { name: `acme-lib-${SHA.slice(0, 7)}/README.md`, content: '# lib\n' },
    ]);
    const scope = nock(API)
      .get('/repos/acme/lib')
      .reply(200, { default_branch: 'trunk' })
      .get('/repos/acme/lib/branches/trunk')
      .reply(200, { commit: { sha: SHA } })
      .get(`/repos/acme/lib/tarball/${SHA}`)
      .reply(200, tarball, { 'content-type': 'application/x-gzip' });
    const snapshot = await snapshotRepo(makeOctokit(), { owner: 'acme', repo: 'lib' });
    try {
      expect(scope.isDone()).toBe(true);
      expect(snapshot).toMatchObject({ repo: 'acme/lib', commit: SHA, defaultBranch: 'trunk' });
      expect(await readFile(join(snapshot.dir, 'lib/a.py'), 'utf8')).toBe('A = 1\n');
    } finally {
      await snapshot.dispose();
    }
  });

  it('follows the codeload redirect', async () => {
    const tarball = await makeTarball([{ name: 'p/x.txt', content: 'x' }]);
    const scope = nock(API)
      .get('/repos/acme/lib')
      .reply(200, { default_branch: 'main' })
      .get('/repos/acme/lib/branches/main')
      .reply(200, { commit: { sha: SHA } })
      .get(`/repos/acme/lib/tarball/${SHA}`)
      .reply(302, '', { location: `https://codeload.github.com/acme/lib/legacy.tar.gz/${SHA}` });
    const codeload = nock('https://codeload.github.com')
      .get(`/acme/lib/legacy.tar.gz/${SHA}`)
      .reply(200, tarball, { 'content-type': 'application/x-gzip' });
    const snapshot = await snapshotRepo(makeOctokit(), { owner: 'acme', repo: 'lib' });
    await snapshot.dispose();
    expect(scope.isDone() && codeload.isDone()).toBe(true);
  });
});

/** A local GitHub stand-in that trickles the tarball out in small chunks, counting what it sent. */
async function startTrickleServer(tarball: Buffer) {
  const sent = { bytes: 0, closedEarly: false };
  const server: Server = createServer((req, res) => {
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/repos/acme/lib') return json({ default_branch: 'main' });
    if (req.url === '/repos/acme/lib/branches/main') return json({ commit: { sha: SHA } });
    // No content-length: only counting while reading can stop it.
    res.writeHead(200, { 'content-type': 'application/x-gzip' });
    let offset = 0;
    res.on('close', () => {
      if (offset < tarball.length) sent.closedEarly = true;
    });
    const tick = () => {
      if (res.destroyed) return;
      if (offset >= tarball.length) return void res.end();
      const chunk = tarball.subarray(offset, offset + 16 * 1024);
      offset += chunk.length;
      sent.bytes = offset;
      res.write(chunk);
      setTimeout(tick, 2);
    };
    tick();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    sent,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describe('github/repo-snapshot (streamed download cap)', () => {
  it('stops the download as soon as the archive passes the cap, naming the cap', async () => {
    const tarball = await makeTarball([
      { name: 'p/big.txt', content: randomBytes(2 * 1024 * 1024).toString('base64') },
    ]);
    expect(tarball.length).toBeGreaterThan(2 * 1024 * 1024);
    const server = await startTrickleServer(tarball);
    const parentDir = await mkdtemp(join(tmpdir(), 'cm-snap-cap-'));
    try {
      const octokit = createTokenOctokit({ token: 't', baseUrl: server.url, retries: false });
      const error = await snapshotRepo(
        octokit,
        { owner: 'acme', repo: 'lib' },
        { maxArchiveBytes: 128 * 1024, parentDir },
      ).catch((e: unknown) => e);
      expect(isCodemonkeysError(error, 'WORKSPACE_ERROR')).toBe(true);
      expect((error as Error).message).toContain('131072-byte cap');
      expect((error as { retryable: boolean }).retryable).toBe(false);
      await new Promise((r) => setTimeout(r, 50));
      expect(server.sent.closedEarly).toBe(true);
      expect(server.sent.bytes).toBeLessThan(tarball.length / 2);
      expect(await readdir(parentDir)).toEqual([]); // the partial extraction is removed
    } finally {
      await server.close();
      await rm(parentDir, { recursive: true, force: true });
    }
  });

  it('streams an archive under the cap to completion', async () => {
    const content = randomBytes(300 * 1024).toString('base64');
    const tarball = await makeTarball([{ name: 'p/data.txt', content }]);
    const server = await startTrickleServer(tarball);
    try {
      const octokit = createTokenOctokit({ token: 't', baseUrl: server.url, retries: false });
      const snapshot = await snapshotRepo(
        octokit,
        { owner: 'acme', repo: 'lib' },
        { maxArchiveBytes: tarball.length },
      );
      try {
        expect(await readFile(join(snapshot.dir, 'data.txt'), 'utf8')).toBe(content);
      } finally {
        await snapshot.dispose();
      }
    } finally {
      await server.close();
    }
  });

  it('refuses an archive whose announced length passes the cap without reading it', async () => {
    const tarball = await makeTarball([{ name: 'p/x.txt', content: 'x'.repeat(10_000) }]);
    const scope = nock(API)
      .get('/repos/acme/lib')
      .reply(200, { default_branch: 'main' })
      .get('/repos/acme/lib/branches/main')
      .reply(200, { commit: { sha: SHA } })
      .get(`/repos/acme/lib/tarball/${SHA}`)
      .reply(200, tarball, {
        'content-type': 'application/x-gzip',
        'content-length': String(tarball.length),
      });
    const error = await snapshotRepo(
      makeOctokit(),
      { owner: 'acme', repo: 'lib' },
      { maxArchiveBytes: 100 },
    ).catch((e: unknown) => e);
    expect(scope.isDone()).toBe(true);
    expect(isCodemonkeysError(error, 'WORKSPACE_ERROR')).toBe(true);
    expect((error as Error).message).toContain('100-byte cap');
  });
});

describe('github/load-repo-config', () => {
  const content = (text: string) => ({
    type: 'file',
    content: Buffer.from(text).toString('base64'),
    encoding: 'base64',
  });

  it('reads the repository file', async () => {
    const scope = nock(API)
      .get('/repos/acme/lib/contents/.github%2Fcodemonkeys.yml')
      .reply(200, content('samples: 3\n'));
    const loaded = await loadRepoConfig(makeOctokit(), 'acme', 'lib');
    expect(scope.isDone()).toBe(true);
    expect(loaded.config.samples).toBe(3);
    expect(loaded.source).toBe('acme/lib');
  });

  it('falls back to the org .github repository, then to defaults', async () => {
    const scope = nock(API)
      .get('/repos/acme/lib/contents/.github%2Fcodemonkeys.yml')
      .reply(404, {})
      .get('/repos/acme/.github/contents/.github%2Fcodemonkeys.yml')
      .reply(404, {});
    const loaded = await loadRepoConfig(makeOctokit(), 'acme', 'lib');
    expect(scope.isDone()).toBe(true);
    expect(loaded).toMatchObject({ source: 'defaults', config: { samples: 10 } });
  });

  it('reports every problem of an invalid file as CONFIG_INVALID (not retryable)', async () => {
    nock(API)
      .get('/repos/acme/lib/contents/.github%2Fcodemonkeys.yml')
      .reply(404, {})
      .get('/repos/acme/.github/contents/.github%2Fcodemonkeys.yml')
      .reply(200, content('samples: 0\nsampels: 3\n'));
    const error = await loadRepoConfig(makeOctokit(), 'acme', 'lib').catch((e: unknown) => e);
    expect(isCodemonkeysError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
    const problems = (error as { details: { problems: string[] } }).details.problems;
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toContain('sampels: unknown key');
  });
});

describe('github/read-issue', () => {
  it('reads an issue and refuses a pull request', async () => {
    nock(API)
      .get('/repos/acme/lib/issues/7')
      .reply(200, {
        number: 7,
        title: 'Bug',
        body: null,
        html_url: 'https://github.com/acme/lib/issues/7',
        state: 'open',
      })
      .get('/repos/acme/lib/issues/8')
      .reply(200, {
        number: 8,
        title: 'PR',
        body: '',
        html_url: 'u',
        state: 'open',
        pull_request: { url: 'x' },
      });
    await expect(readIssue(makeOctokit(), 'acme', 'lib', 7)).resolves.toMatchObject({
      number: 7,
      title: 'Bug',
      body: '',
    });
    const error = await readIssue(makeOctokit(), 'acme', 'lib', 8).catch((e: unknown) => e);
    expect(isCodemonkeysError(error, 'CONFIG_INVALID')).toBe(true);
  });

  it('maps a primary rate limit (x-ratelimit-remaining: 0) to GITHUB_RATE_LIMITED', async () => {
    nock(API)
      .get('/repos/acme/lib/issues/7')
      .reply(
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000000' },
      );
    const error = await readIssue(makeOctokit(), 'acme', 'lib', 7).catch((e: unknown) => e);
    expect(isCodemonkeysError(error, 'GITHUB_RATE_LIMITED')).toBe(true);
  });
});
