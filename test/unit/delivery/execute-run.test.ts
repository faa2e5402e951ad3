import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import nock from 'nock';
import { createExecuteRunWith } from '../../../src/delivery/execute-run.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { createSilentLogger } from '../../../src/logger.js';
import { isCodemonkeysError } from '../../../src/errors.js';
import type { ProgressEvent, RunReport, RunRequest } from '../../../src/pipeline/types.js';
import type { StatusState } from '../../../src/render/status-state.js';
import type { RunJobData } from '../../../src/queue/types.js';
import { makeAbstainedReport, makeRunReport, makeUsage } from '../render/fixtures/run-report.js';
import { API, disableNet, makeOctokit, makeTarball } from '../github/helpers.js';

const SHA = 'c'.repeat(40);
const REPO = '/repos/acme/pagination';
const DEMO = join(import.meta.dirname, '../../../examples/demo-repo');

const job: RunJobData = {
  runId: 'acme/pagination#7@1',
  installationId: 1,
  owner: 'acme',
  repo: 'pagination',
  issueNumber: 7,
  requestedBy: 'octocat',
  trigger: 'label',
  enqueuedAt: '2026-11-21T10:00:00.000Z',
};

function fakeStatus() {
  const updates: Array<Partial<StatusState>> = [];
  return {
    updates,
    reporter: {
      update: (p: Partial<StatusState>) => updates.push(p),
      flush: async () => undefined,
    },
  };
}

async function mockRead(config?: string) {
  const tarball = await makeTarball([
    {
      name: 'acme-pagination-ccc/pagination/core.py',
      content: await readFile(join(DEMO, 'pagination/core.py'), 'utf8'),
    },
  ]);
  const scope = nock(API)
    .get(`${REPO}/issues/7`)
    .reply(200, {
      number: 7,
      title: 'page_count off by one',
      body: 'see title',
      html_url: 'https://github.com/acme/pagination/issues/7',
      state: 'open',
    })
    .get(`${REPO}/contents/.github%2Fcodemonkeys.yml`)
    .reply(
      config === undefined ? 404 : 200,
      config === undefined ? {} : { type: 'file', content: Buffer.from(config).toString('base64') },
    );
  if (config === undefined)
    scope.get('/repos/acme/.github/contents/.github%2Fcodemonkeys.yml').reply(404, {});
  scope
    .get(REPO)
    .reply(200, { default_branch: 'main' })
    .get(`${REPO}/branches/main`)
    .reply(200, { commit: { sha: SHA } })
    .get(`${REPO}/tarball/${SHA}`)
    .reply(200, tarball, { 'content-type': 'application/x-gzip' });
  return scope;
}

function makeDeps(
  report: (request: RunRequest) => RunReport,
  seen: { request?: RunRequest; closed?: boolean } = {},
) {
  const store = new MemoryRunStore();
  return createExecuteRunWith({
    store,
    createAdapters: async () => ({
      deps: {
        llm: { complete: async () => Promise.reject(new Error('unused')) },
        sandbox: {} as never,
        store,
        prompts: {} as never,
      },
      close: async () => {
        seen.closed = true;
      },
    }),
    runPipeline: async (request, deps) => {
      seen.request = request;
      const event: ProgressEvent = {
        stage: 'generating',
        samplesDone: 3,
        samplesTotal: 5,
        usage: makeUsage(),
      };
      deps.onProgress?.(event);
      return report(request);
    },
  });
}

beforeEach(disableNet);
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('delivery/execute-run', () => {
  it('reads, snapshots, runs the pipeline and opens the PR, keeping the status truthful', async () => {
    const read = await mockRead('pr:\n  draft: false\n');
    const write = nock(API)
      .get(`${REPO}/git/commits/${SHA}`)
      .reply(200, { tree: { sha: 't0' } })
      .post(`${REPO}/git/blobs`)
      .reply(201, { sha: 'b1' })
      .post(`${REPO}/git/trees`)
      .reply(201, { sha: 't1' })
      .post(`${REPO}/git/commits`, (body: { parents: string[] }) => body.parents[0] === SHA)
      .reply(201, { sha: 'c1' })
      .get(REPO)
      .reply(200, { default_branch: 'main' })
      .get(`${REPO}/branches/main`)
      .reply(200, { commit: { sha: SHA } })
      .get(`${REPO}/git/ref/heads%2Fcodemonkeys%2Fissue-7`)
      .reply(404, {})
      .post(`${REPO}/git/refs`)
      .reply(201, {})
      .get(`${REPO}/pulls`)
      .query(true)
      .reply(200, [])
      .post(`${REPO}/pulls`, (body: { draft: boolean }) => body.draft === false)
      .reply(201, { number: 31, html_url: 'https://github.com/acme/pagination/pull/31' });
    const seen: { request?: RunRequest; closed?: boolean } = {};
    const status = fakeStatus();
    const execute = makeDeps(
      (request) => makeRunReport({ baseCommit: request.snapshot.commit }),
      seen,
    );
    const report = await execute(job, {
      octokit: makeOctokit(),
      signal: new AbortController().signal,
      logger: createSilentLogger(),
      status: status.reporter,
      attempt: 1,
    });
    expect(read.isDone() && write.isDone()).toBe(true);
    expect(report.outcome).toBe('selected');
    expect(seen.request).toMatchObject({
      runId: job.runId,
      repo: 'acme/pagination',
      issue: { number: 7, title: 'page_count off by one' },
      snapshot: { commit: SHA },
    });
    expect(seen.closed).toBe(true);
    expect(status.updates).toContainEqual(
      expect.objectContaining({ stage: 'generating', samplesDone: 3, samplesTotal: 5 }),
    );
    expect(status.updates.at(-1)).toMatchObject({
      stage: 'done',
      prUrl: 'https://github.com/acme/pagination/pull/31',
    });
  });

  it('says in the status when the repository could not take a draft PR', async () => {
    const read = await mockRead('pr:\n  labels: []\n  reviewers: []\n');
    const write = nock(API)
      .get(`${REPO}/git/commits/${SHA}`)
      .reply(200, { tree: { sha: 't0' } })
      .post(`${REPO}/git/blobs`)
      .reply(201, { sha: 'b1' })
      .post(`${REPO}/git/trees`)
      .reply(201, { sha: 't1' })
      .post(`${REPO}/git/commits`)
      .reply(201, { sha: 'c1' })
      .get(REPO)
      .reply(200, { default_branch: 'main' })
      .get(`${REPO}/branches/main`)
      .reply(200, { commit: { sha: SHA } })
      .get(`${REPO}/git/ref/heads%2Fcodemonkeys%2Fissue-7`)
      .reply(404, {})
      .post(`${REPO}/git/refs`)
      .reply(201, {})
      .get(`${REPO}/pulls`)
      .query(true)
      .reply(200, [])
      .post(`${REPO}/pulls`, (body: { draft: boolean }) => body.draft)
      .reply(422, { message: 'Draft pull requests are not supported in this repository.' })
      .post(`${REPO}/pulls`, (body: { draft: boolean }) => !body.draft)
      .reply(201, { number: 32, html_url: 'https://github.com/acme/pagination/pull/32' });
    const status = fakeStatus();
    const execute = makeDeps((request) => makeRunReport({ baseCommit: request.snapshot.commit }));
    const report = await execute(job, {
      octokit: makeOctokit(),
      signal: new AbortController().signal,
      logger: createSilentLogger(),
      status: status.reporter,
      attempt: 1,
    });
    expect(read.isDone() && write.isDone()).toBe(true);
    expect(report.outcome).toBe('selected');
    expect(status.updates.at(-1)).toMatchObject({
      stage: 'done',
      prUrl: 'https://github.com/acme/pagination/pull/32',
    });
    expect(status.updates.at(-1)?.detail).toContain('does not support drafts');
  });

  it('abstains without any pull-request call and puts the summary in the status', async () => {
    const read = await mockRead();
    const status = fakeStatus();
    const execute = makeDeps((request) => ({
      ...makeAbstainedReport(),
      baseCommit: request.snapshot.commit,
    }));
    const report = await execute(job, {
      octokit: makeOctokit(),
      signal: new AbortController().signal,
      logger: createSilentLogger(),
      status: status.reporter,
      attempt: 1,
    });
    expect(read.isDone()).toBe(true);
    expect(report.outcome).toBe('abstained');
    expect(nock.pendingMocks()).toEqual([]);
    const last = status.updates.at(-1);
    expect(last?.summaryMarkdown).toContain('No pull request was opened');
    expect(last?.prUrl).toBeUndefined();
  });

  it('stops with CONFIG_INVALID (not retryable) before snapshotting', async () => {
    const scope = nock(API)
      .get(`${REPO}/issues/7`)
      .reply(200, { number: 7, title: 't', body: '', html_url: 'u', state: 'open' })
      .get(`${REPO}/contents/.github%2Fcodemonkeys.yml`)
      .reply(200, { type: 'file', content: Buffer.from('samples: many\n').toString('base64') });
    const execute = makeDeps(() => makeRunReport());
    const error = await execute(job, {
      octokit: makeOctokit(),
      signal: new AbortController().signal,
      logger: createSilentLogger(),
      status: fakeStatus().reporter,
      attempt: 1,
    }).catch((e: unknown) => e);
    expect(scope.isDone()).toBe(true);
    expect(isCodemonkeysError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
  });
});
