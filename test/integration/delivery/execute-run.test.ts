import { describe, it, expect, afterEach } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createExecuteRunWith } from '../../../src/delivery/execute-run.js';
import { createRunSandbox } from '../../../src/deps.js';
import { DEMO_REPO_DIR, getDemoTranscript } from '../../../src/demo/transcript.js';
import { ScriptedLlm } from '../../../src/llm/scripted.js';
import { loadPrompts } from '../../../src/llm/prompts.js';
import { createSilentLogger } from '../../../src/logger.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import type { StatusState } from '../../../src/render/status-state.js';
import { createTokenOctokit } from '../../../src/github/octokit.js';
import { makeTarball, type TarEntry } from '../../unit/github/tarball.js';
import { FakeGitHub } from './fake-github.js';

const SHA = 'd'.repeat(40);
const REPO = '/repos/acme/pagination';

async function demoTarball(): Promise<Buffer> {
  const entries: TarEntry[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else
        entries.push({
          name: `acme-pagination-ddddddd/${relative(DEMO_REPO_DIR, path)}`,
          content: await readFile(path, 'utf8'),
        });
    }
  };
  await walk(DEMO_REPO_DIR);
  return makeTarball(entries);
}

/**
 * ExecuteRun end to end: GitHub played by a local fake server (nock would also capture the Docker
 * socket), the real pipeline in real Docker sandboxes, the scripted demo transcript.
 */
describe('delivery/execute-run (integration)', () => {
  let github: FakeGitHub | undefined;
  afterEach(async () => {
    await github?.stop();
  });

  it('runs the demo issue from a GitHub snapshot to an opened draft PR', async () => {
    const issueBody = await readFile(join(DEMO_REPO_DIR, '../demo-issue.md'), 'utf8');
    const tarball = await demoTarball();
    let blob = '';
    let pr: { body: string; draft: boolean; head: string } | undefined;
    github = new FakeGitHub({
      [`GET ${REPO}/issues/7`]: () => ({
        status: 200,
        body: {
          number: 7,
          title: 'page_count returns one page too many',
          body: issueBody,
          html_url: 'https://github.com/acme/pagination/issues/7',
          state: 'open',
        },
      }),
      [`GET ${REPO}/contents/.github%2Fcodemonkeys.yml`]: () => ({
        status: 200,
        body: { type: 'file', content: Buffer.from('samples: 4\n').toString('base64') },
      }),
      [`GET ${REPO}`]: () => ({ status: 200, body: { default_branch: 'main' } }),
      [`GET ${REPO}/branches/main`]: () => ({ status: 200, body: { commit: { sha: SHA } } }),
      [`GET ${REPO}/tarball/${SHA}`]: () => ({ status: 200, body: tarball }),
      [`GET ${REPO}/git/commits/${SHA}`]: () => ({
        status: 200,
        body: { sha: SHA, tree: { sha: 'tree0' } },
      }),
      [`POST ${REPO}/git/blobs`]: (r) => {
        blob = Buffer.from((r.body as { content: string }).content, 'base64').toString('utf8');
        return { status: 201, body: { sha: 'blob1' } };
      },
      [`POST ${REPO}/git/trees`]: () => ({ status: 201, body: { sha: 'tree1' } }),
      [`POST ${REPO}/git/commits`]: () => ({ status: 201, body: { sha: 'commit1' } }),
      [`GET ${REPO}/git/ref/heads%2Fcodemonkeys%2Fissue-7`]: () => ({
        status: 404,
        body: { message: 'Not Found' },
      }),
      [`POST ${REPO}/git/refs`]: () => ({ status: 201, body: {} }),
      [`GET ${REPO}/pulls`]: () => ({ status: 200, body: [] }),
      [`POST ${REPO}/pulls`]: (r) => {
        pr = r.body as typeof pr;
        return {
          status: 201,
          body: { number: 8, html_url: 'https://github.com/acme/pagination/pull/8' },
        };
      },
    });
    const baseUrl = await github.start();
    const store = new MemoryRunStore();
    const logger = createSilentLogger();
    const execute = createExecuteRunWith({
      store,
      scripted: true,
      createAdapters: async (config) => {
        const sandbox = createRunSandbox('docker', config, logger);
        return {
          deps: {
            llm: new ScriptedLlm({ rules: getDemoTranscript() }),
            sandbox,
            store,
            prompts: loadPrompts(),
          },
          close: () => sandbox.close(),
        };
      },
    });
    const updates: Array<Partial<StatusState>> = [];
    const report = await execute(
      {
        runId: `it-delivery-${process.pid}`,
        installationId: 1,
        owner: 'acme',
        repo: 'pagination',
        issueNumber: 7,
        requestedBy: 'octocat',
        trigger: 'label',
        enqueuedAt: new Date().toISOString(),
      },
      {
        octokit: createTokenOctokit({ token: 'ghs_test', baseUrl, retries: false }),
        signal: new AbortController().signal,
        logger,
        status: { update: (p) => updates.push(p), flush: async () => undefined },
        attempt: 1,
      },
    );
    expect(github.unmatched).toEqual([]);
    expect(github.unused()).toEqual([]);
    expect(report.outcome).toBe('selected');
    expect(report.baseCommit).toBe(SHA);
    expect(blob).toContain('return (total + per_page - 1) // per_page');
    expect(pr).toMatchObject({ draft: true, head: 'codemonkeys/issue-7' });
    expect(pr?.body).toContain('Scripted demo run');
    expect(pr?.body).toContain('Requested by @octocat.');
    expect(updates.some((u) => u.stage === 'generating' && u.samplesTotal === 4)).toBe(true);
    expect(updates.at(-1)).toMatchObject({
      stage: 'done',
      prUrl: 'https://github.com/acme/pagination/pull/8',
    });
  }, 180_000);
});
