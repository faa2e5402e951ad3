import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import nock from 'nock';
import { Octokit } from '@octokit/rest';
import { createStatusReporter, ensureStatusComment } from '../../../src/github/status-comment.js';
import { STATUS_MARKER } from '../../../src/render/status-comment.js';
import { createSilentLogger } from '../../../src/logger.js';
import type { GitHubClient } from '../../../src/queue/types.js';

const API = 'https://api.github.com';
const where = { owner: 'acme', repo: 'widgets', issueNumber: 5 };
const octokit = () =>
  new Octokit({ auth: 'test-token', request: { retries: 0 } }) as unknown as GitHubClient;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('github/status-comment', () => {
  beforeEach(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('creates the comment when no marked bot comment exists (a user comment with the marker does not count)', async () => {
    const scope = nock(API)
      .get('/repos/acme/widgets/issues/5/comments')
      .query(true)
      .reply(200, [
        { id: 1, body: `${STATUS_MARKER} spoof`, user: { login: 'mallory', type: 'User' } },
      ])
      .post('/repos/acme/widgets/issues/5/comments', (b: { body: string }) =>
        b.body.includes(STATUS_MARKER),
      )
      .reply(201, { id: 99 });
    const id = await ensureStatusComment(octokit(), where, { phase: 'queued', runId: 'r' });
    expect(id).toBe(99);
    expect(scope.isDone()).toBe(true);
  });

  it('updates the existing bot comment in place', async () => {
    const scope = nock(API)
      .get('/repos/acme/widgets/issues/5/comments')
      .query(true)
      .reply(200, [
        { id: 7, body: `${STATUS_MARKER}\nold`, user: { login: 'codemonkeys[bot]', type: 'Bot' } },
      ])
      .patch('/repos/acme/widgets/issues/comments/7')
      .reply(200, { id: 7 });
    expect(await ensureStatusComment(octokit(), where, { phase: 'running', runId: 'r' })).toBe(7);
    expect(scope.isDone()).toBe(true);
  });

  it('falls back to find-or-create when the known comment was deleted', async () => {
    const scope = nock(API)
      .patch('/repos/acme/widgets/issues/comments/7')
      .reply(404, { message: 'Not Found' })
      .get('/repos/acme/widgets/issues/5/comments')
      .query(true)
      .reply(200, [])
      .post('/repos/acme/widgets/issues/5/comments')
      .reply(201, { id: 8 });
    expect(
      await ensureStatusComment(
        octokit(),
        where,
        { phase: 'running', runId: 'r' },
        { commentId: 7 },
      ),
    ).toBe(8);
    expect(scope.isDone()).toBe(true);
  });

  it('throttles writes, never writes concurrently, and always flushes the last state', async () => {
    const bodies: string[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const scope = nock(API)
      .persist()
      .patch('/repos/acme/widgets/issues/comments/7')
      .reply(async (_uri, body) => {
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await sleep(30);
        bodies.push((body as { body: string }).body);
        concurrent -= 1;
        return [200, { id: 7 }];
      });
    const reporter = createStatusReporter({
      octokit: octokit(),
      where,
      initial: { phase: 'running', runId: 'r', samplesTotal: 10 },
      commentId: 7,
      logger: createSilentLogger(),
      minIntervalMs: 200,
    });
    for (let i = 1; i <= 10; i += 1) {
      reporter.update({ samplesDone: i });
      await sleep(15);
    }
    await reporter.flush();
    // 150 ms of updates with a 200 ms interval: the first write plus the flushed last state.
    expect(bodies.length).toBeLessThanOrEqual(3);
    expect(bodies.at(-1)).toContain('Samples: 10/10');
    expect(maxConcurrent).toBe(1);
    expect(reporter.commentId()).toBe(7);
    scope.persist(false);
    nock.cleanAll();
  });

  it('logs and survives a failed write', async () => {
    const scope = nock(API)
      .patch('/repos/acme/widgets/issues/comments/7')
      .reply(500, { message: 'boom' });
    const reporter = createStatusReporter({
      octokit: octokit(),
      where,
      initial: { phase: 'running', runId: 'r' },
      commentId: 7,
      logger: createSilentLogger(),
      minIntervalMs: 10,
    });
    reporter.update({ detail: 'x' });
    await expect(reporter.flush()).resolves.toBeUndefined();
    expect(scope.isDone()).toBe(true);
  });
});
