import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { deliverPullRequest } from '../../../src/github/pull-request.js';
import { repoConfigSchema, type RepoConfig } from '../../../src/config/repo-config.js';
import { isCodemonkeysError } from '../../../src/errors.js';
import { makeAbstainedReport, makeRunReport } from '../render/fixtures/run-report.js';
import { API, disableNet, makeOctokit } from './helpers.js';

const BASE = makeRunReport().baseCommit;
const REPO = '/repos/acme/pagination';
const REF_PATH = `${REPO}/git/ref/heads%2Fcodemonkeys%2Fissue-7`;
let snapshotDir: string;

beforeEach(async () => {
  disableNet();
  snapshotDir = await mkdtemp(join(tmpdir(), 'cm-pr-'));
  await cp(join(import.meta.dirname, '../../../examples/demo-repo'), snapshotDir, {
    recursive: true,
  });
});
afterEach(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await rm(snapshotDir, { recursive: true, force: true });
});

function config(pr: Partial<RepoConfig['pr']> = {}): RepoConfig {
  return repoConfigSchema.parse({
    pr: { labels: ['codemonkeys-pr'], reviewers: ['alice'], ...pr },
  });
}

type Body = Record<string, unknown>;

/** Blob -> tree -> commit on top of BASE; records what was sent. */
function mockCommit(sent: { blobs: string[]; tree?: Body; commit?: Body }, blobCount = 1) {
  return nock(API)
    .get(`${REPO}/git/commits/${BASE}`)
    .reply(200, { sha: BASE, tree: { sha: 'basetree' } })
    .post(`${REPO}/git/blobs`)
    .times(blobCount)
    .reply(201, (_uri, body) => {
      sent.blobs.push(
        Buffer.from((body as { content: string }).content, 'base64').toString('utf8'),
      );
      return { sha: `blob${sent.blobs.length}` };
    })
    .post(`${REPO}/git/trees`, (body: Body) => {
      sent.tree = body;
      return true;
    })
    .reply(201, { sha: 'newtree' })
    .post(`${REPO}/git/commits`, (body: Body) => {
      sent.commit = body;
      return true;
    })
    .reply(201, { sha: 'newcommit' });
}

function mockHead(sha = BASE) {
  return nock(API)
    .get(REPO)
    .reply(200, { default_branch: 'main' })
    .get(`${REPO}/branches/main`)
    .reply(200, { name: 'main', commit: { sha } });
}

function mockNewPr(sent: { pr?: Body }) {
  return nock(API)
    .get(`${REPO}/pulls`)
    .query({ state: 'open', head: 'acme:codemonkeys/issue-7', per_page: '10' })
    .reply(200, [])
    .post(`${REPO}/pulls`, (body: Body) => {
      sent.pr = body;
      return true;
    })
    .reply(201, { number: 12, html_url: 'https://github.com/acme/pagination/pull/12' })
    .post(`${REPO}/issues/12/labels`, { labels: ['codemonkeys-pr'] })
    .reply(200, [])
    .post(`${REPO}/pulls/12/requested_reviewers`, { reviewers: ['alice'] })
    .reply(201, {});
}

const input = (overrides: Partial<Parameters<typeof deliverPullRequest>[1]> = {}) => ({
  owner: 'acme',
  repo: 'pagination',
  report: makeRunReport(),
  snapshotDir,
  config: config(),
  issueTitle: 'page_count is off by one @everyone',
  requestedBy: 'octocat',
  ...overrides,
});

describe('github/pull-request', () => {
  it('creates the branch and its commit with the Git Data API, then a draft PR', async () => {
    const sent: { blobs: string[]; tree?: Body; commit?: Body; pr?: Body } = { blobs: [] };
    const scopes = [
      mockCommit(sent),
      mockHead(),
      nock(API)
        .get(REF_PATH)
        .reply(404, { message: 'Not Found' })
        .post(`${REPO}/git/refs`, { ref: 'refs/heads/codemonkeys/issue-7', sha: 'newcommit' })
        .reply(201, {}),
      mockNewPr(sent),
    ];
    const result = await deliverPullRequest(makeOctokit(), input());
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
    expect(result).toMatchObject({
      number: 12,
      created: true,
      branch: 'codemonkeys/issue-7',
      commitSha: 'newcommit',
    });
    expect(result.baseMoved).toBeUndefined();
    expect(sent.blobs[0]).toContain('return (total + per_page - 1) // per_page');
    expect(sent.blobs[0]).not.toContain('+ 1\n');
    expect(sent.tree).toMatchObject({
      base_tree: 'basetree',
      tree: [{ path: 'pagination/core.py', mode: '100644', sha: 'blob1' }],
    });
    expect(sent.commit).toMatchObject({ parents: [BASE], tree: 'newtree' });
    expect(sent.pr).toMatchObject({ head: 'codemonkeys/issue-7', base: 'main', draft: true });
    expect(String(sent.pr?.title)).toBe('Fix #7: page_count is off by one @everyone');
    expect(String(sent.pr?.body)).toMatch(/^Fixes #7$/m);
    expect(String(sent.pr?.body)).toContain('Requested by @octocat.');
    expect(String(sent.pr?.body)).not.toContain('@everyone');
  });

  it('re-runs force-update the same branch and update the open PR instead of opening a second', async () => {
    const sent: { blobs: string[]; pr?: Body } = { blobs: [] };
    let patched: Body | undefined;
    const scopes = [
      mockCommit(sent),
      mockHead(),
      nock(API)
        .get(REF_PATH)
        .reply(200, { object: { sha: 'oldcommit' } })
        .patch(`${REPO}/git/refs/heads%2Fcodemonkeys%2Fissue-7`, { sha: 'newcommit', force: true })
        .reply(200, {}),
      nock(API)
        .get(`${REPO}/pulls`)
        .query(true)
        .reply(200, [
          {
            number: 12,
            head: { ref: 'codemonkeys/issue-7' },
            html_url: 'https://github.com/acme/pagination/pull/12',
          },
        ])
        .patch(`${REPO}/pulls/12`, (body: Body) => {
          patched = body;
          return true;
        })
        .reply(200, {}),
    ];
    const result = await deliverPullRequest(
      makeOctokit(),
      input({ config: config({ labels: [], reviewers: [] }) }),
    );
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
    expect(result).toMatchObject({ number: 12, created: false });
    expect(String(patched?.body)).toContain('## Test votes');
  });

  it('branches from the run base when the default branch moved, and says so', async () => {
    const sent: { blobs: string[]; commit?: Body; pr?: Body } = { blobs: [] };
    const scopes = [
      mockCommit(sent),
      mockHead('feedfacefeedfacefeedfacefeedfacefeedface'),
      nock(API).get(REF_PATH).reply(404, {}).post(`${REPO}/git/refs`).reply(201, {}),
      mockNewPr(sent),
    ];
    const result = await deliverPullRequest(makeOctokit(), input());
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
    expect(sent.commit).toMatchObject({ parents: [BASE] });
    expect(result.baseMoved).toEqual({
      currentHead: 'feedfacefeedfacefeedfacefeedfacefeedface',
      branch: 'main',
    });
    expect(String(sent.pr?.body)).toContain('moved to `feedfacefeed`');
  });

  it('handles a ref created concurrently by updating it', async () => {
    const sent: { blobs: string[]; pr?: Body } = { blobs: [] };
    const scopes = [
      mockCommit(sent),
      mockHead(),
      nock(API)
        .get(REF_PATH)
        .reply(404, {})
        .post(`${REPO}/git/refs`)
        .reply(422, { message: 'Reference already exists' })
        .get(REF_PATH)
        .reply(200, { object: { sha: 'racer' } })
        .patch(`${REPO}/git/refs/heads%2Fcodemonkeys%2Fissue-7`)
        .reply(200, {}),
      mockNewPr(sent),
    ];
    await deliverPullRequest(makeOctokit(), input());
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
  });

  it('commits the reproduction test when pr.commitTests is on', async () => {
    const sent: { blobs: string[]; tree?: Body; pr?: Body } = { blobs: [] };
    const scopes = [
      mockCommit(sent, 2),
      mockHead(),
      nock(API).get(REF_PATH).reply(404, {}).post(`${REPO}/git/refs`).reply(201, {}),
      mockNewPr(sent),
    ];
    await deliverPullRequest(makeOctokit(), input({ config: config({ commitTests: true }) }));
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
    const paths = (sent.tree?.tree as Array<{ path: string }>).map((t) => t.path);
    expect(paths).toEqual(['pagination/core.py', 'tests/codemonkeys/test_issue_7.py']);
    expect(sent.blobs[1]).toContain('page_count(10, 5)');
    expect(String(sent.pr?.body)).toContain('tests/codemonkeys/test_issue_7.py');
  });

  it('opens a normal PR and says so when the repository does not support drafts', async () => {
    const sent: { blobs: string[]; pr?: Body } = { blobs: [] };
    const drafts: Body[] = [];
    const scopes = [
      mockCommit(sent),
      mockHead(),
      nock(API)
        .get(REF_PATH)
        .reply(200, { object: { sha: 'old' } }),
      nock(API).patch(`${REPO}/git/refs/heads%2Fcodemonkeys%2Fissue-7`).reply(200, {}),
      nock(API)
        .get(`${REPO}/pulls`)
        .query(true)
        .reply(200, [])
        .post(`${REPO}/pulls`, (body: Body) => body.draft === true && drafts.push(body) > 0)
        .reply(422, {
          message: 'Draft pull requests are not supported in this repository.',
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
        })
        .post(`${REPO}/pulls`, (body: Body) => {
          sent.pr = body;
          return body.draft === false;
        })
        .reply(201, { number: 13, html_url: 'https://github.com/acme/pagination/pull/13' })
        .post(`${REPO}/issues/13/labels`)
        .reply(200, [])
        .post(`${REPO}/pulls/13/requested_reviewers`)
        .reply(201, {}),
    ];
    const result = await deliverPullRequest(makeOctokit(), input());
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
    expect(drafts).toHaveLength(1);
    expect(result).toMatchObject({ number: 13, created: true, draftUnsupported: true });
    expect(String(sent.pr?.body)).toContain('does not support draft pull requests');
    expect(String(sent.pr?.body)).toMatch(/^Fixes #7$/m);
  });

  it('does not retry other 422 refusals of the pull request as non-drafts', async () => {
    const scopes = [
      mockCommit({ blobs: [] }),
      mockHead(),
      nock(API)
        .get(REF_PATH)
        .reply(200, { object: { sha: 'old' } }),
      nock(API).patch(`${REPO}/git/refs/heads%2Fcodemonkeys%2Fissue-7`).reply(200, {}),
      nock(API)
        .get(`${REPO}/pulls`)
        .query(true)
        .reply(200, [])
        .post(`${REPO}/pulls`)
        .reply(422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: 'No commits between main and codemonkeys/issue-7',
            },
          ],
        }),
    ];
    const error = await deliverPullRequest(makeOctokit(), input()).catch((e: unknown) => e);
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
    expect(isCodemonkeysError(error, 'GITHUB_ERROR')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
  });

  it('maps a missing permission (403) to PERMISSION_DENIED', async () => {
    const scope = nock(API)
      .get(`${REPO}/git/commits/${BASE}`)
      .reply(200, { sha: BASE, tree: { sha: 'basetree' } })
      .post(`${REPO}/git/blobs`)
      .reply(403, { message: 'Resource not accessible by integration' });
    const error = await deliverPullRequest(makeOctokit(), input()).catch((e: unknown) => e);
    expect(scope.isDone()).toBe(true);
    expect(isCodemonkeysError(error, 'PERMISSION_DENIED')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
  });

  it('maps a secondary rate limit (403 + retry-after) to GITHUB_RATE_LIMITED', async () => {
    const scope = nock(API)
      .get(`${REPO}/git/commits/${BASE}`)
      .reply(403, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '60' });
    const error = await deliverPullRequest(makeOctokit(), input()).catch((e: unknown) => e);
    expect(scope.isDone()).toBe(true);
    expect(isCodemonkeysError(error, 'GITHUB_RATE_LIMITED')).toBe(true);
    expect((error as { retryable: boolean; details: Body }).retryable).toBe(true);
    expect((error as { details: Body }).details.retryAfterSeconds).toBe(60);
  });

  it('refuses an abstained run without calling GitHub', async () => {
    const error = await deliverPullRequest(
      makeOctokit(),
      input({ report: makeAbstainedReport() }),
    ).catch((e: unknown) => e);
    expect(isCodemonkeysError(error, 'INTERNAL')).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
