import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { DEMO_REPO_DIR, DEMO_SAMPLES, getDemoTranscript } from '../../../src/demo/transcript.js';
import { STATUS_MARKER } from '../../../src/render/status-comment.js';
import { makeTarball, type TarEntry } from '../../unit/github/tarball.js';
import { examplePayload, sign } from '../app/harness.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { FakeGitHub } from './fake-github.js';

/**
 * The whole App as a user runs it: `node --import tsx src/bin/start.ts` as a child process (web
 * + worker), real Redis, real Docker sandboxes, GitHub and Anthropic played by local HTTP servers
 * (reached through GHE_HOST/GHE_PROTOCOL and ANTHROPIC_BASE_URL). A signed `issues.labeled`
 * webhook goes in; a draft pull request with the evidence must come out.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SAMPLES = DEMO_SAMPLES.slice(0, 2);
const OWNER = 'acme';
const REPO = 'pagination';
const ISSUE = 7;
const SHA = randomBytes(20).toString('hex');

const API_KEY = `sk-ant-e2e-${randomBytes(16).toString('hex')}`;
const WEBHOOK_SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const INSTALLATION_TOKEN = `ghs_${randomBytes(18).toString('hex')}`;
const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();
/** Distinctive pieces of the key: any of them in a body or a log line is a leak. */
const KEY_LINES = PRIVATE_KEY.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'));
const PREFIX = `e2e-${process.pid}-${randomBytes(3).toString('hex')}`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** examples/demo-repo plus its config, under one top-level folder, like GitHub's tarball. */
async function repoTarball(configYaml: string): Promise<Buffer> {
  const top = `${OWNER}-${REPO}-${SHA.slice(0, 7)}`;
  const entries: TarEntry[] = [{ name: `${top}/.github/codemonkeys.yml`, content: configYaml }];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else
        entries.push({
          name: `${top}/${relative(DEMO_REPO_DIR, path)}`,
          content: await readFile(path, 'utf8'),
        });
    }
  };
  await walk(DEMO_REPO_DIR);
  return makeTarball(entries);
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms: number,
  describeState: () => string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${describeState()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('e2e/app (child process, fake GitHub + Anthropic, real Redis + Docker)', () => {
  const configYaml = `samples: ${SAMPLES.length}\n`;
  let github: FakeGitHub;
  let anthropic: FakeAnthropic;
  let child: ChildProcess | undefined;
  let appUrl = '';
  let logs = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  const state = () =>
    [
      `unexpected github: ${github.unexpected.join(', ')}`,
      `unexpected anthropic: ${anthropic.unexpected.join(', ')}`,
      `github requests: ${github.requests.map((r) => `${r.method} ${r.path}`).join('\n  ')}`,
      `last comment: ${github.comments.at(-1)?.body ?? '(none)'}`,
      `child logs (tail): ${logs.slice(-6_000)}`,
    ].join('\n');

  const deliver = (payload: unknown) => {
    const body = JSON.stringify(payload);
    return fetch(`${appUrl}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': sign(body, WEBHOOK_SECRET),
      },
      body,
    });
  };

  beforeAll(async () => {
    github = new FakeGitHub({
      owner: OWNER,
      repo: REPO,
      sha: SHA,
      tarball: await repoTarball(configYaml),
      configYaml,
      issue: {
        number: ISSUE,
        title: 'page_count returns one page too many',
        body: await readFile(join(DEMO_REPO_DIR, '../demo-issue.md'), 'utf8'),
      },
      appSlug: 'codemonkeys-e2e',
      installationToken: INSTALLATION_TOKEN,
    });
    anthropic = new FakeAnthropic(getDemoTranscript(), SAMPLES);
    const githubUrl = await github.start();
    const anthropicUrl = await anthropic.start();
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/start.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...(process.env.DOCKER_HOST === undefined ? {} : { DOCKER_HOST: process.env.DOCKER_HOST }),
        NODE_ENV: 'production',
        LOG_LEVEL: 'debug',
        APP_ID: '4242',
        PRIVATE_KEY,
        WEBHOOK_SECRET,
        REDIS_URL,
        QUEUE_PREFIX: PREFIX,
        HOST: '127.0.0.1',
        PORT: String(port),
        GHE_HOST: githubUrl.replace('http://', ''),
        GHE_PROTOCOL: 'http',
        ANTHROPIC_API_KEY: API_KEY,
        ANTHROPIC_BASE_URL: anthropicUrl,
        SANDBOX_BACKEND: 'docker',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (logs += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (logs += c.toString('utf8')));
    const proc = child;
    exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await waitFor(
      'GET /healthz',
      async () => {
        if (proc.exitCode !== null)
          throw new Error(`the App exited with ${proc.exitCode}:\n${logs}`);
        const ok = await fetch(`${appUrl}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        return ok ? true : undefined;
      },
      30_000,
      state,
    );
  }, 60_000);

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await github?.stop();
    await anthropic?.stop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('turns a labelled issue into a draft PR with the evidence, leaks no secret, and stops cleanly', async () => {
    const payload = examplePayload('issues', 'labeled', {
      issue: ISSUE,
      label: 'codemonkeys',
      sender: 'octocat',
      installation: 4242,
    });
    const repository = payload.repository as Record<string, unknown>;
    repository.name = REPO;
    repository.full_name = `${OWNER}/${REPO}`;
    repository.owner = { ...(repository.owner as object), login: OWNER };
    const started = Date.now();
    const response = await deliver(payload);
    const ackMs = Date.now() - started;
    expect(response.status).toBe(200);
    expect(ackMs).toBeLessThan(2_000);

    // The same label again while the run is live: acknowledged, and no second job.
    await waitFor(
      'the status comment',
      () => github.comments.find((c) => c.body.includes(STATUS_MARKER)),
      15_000,
      state,
    );
    expect((await deliver(payload)).status).toBe(200);

    const done = await waitFor(
      'the status comment to show the PR link',
      () => {
        if (github.unexpected.length > 0 || anthropic.unexpected.length > 0)
          throw new Error(`unexpected calls\n${state()}`);
        return github.comments.find((c) =>
          /Pull request: https:\/\/github\.example\/acme\/pagination\/pull\/\d+/.test(c.body),
        );
      },
      100_000,
      state,
    );
    const runMs = Date.now() - started;

    // GitHub saw exactly one run: one status comment, one snapshot, one branch, one PR.
    expect(github.unexpected).toEqual([]);
    expect(github.comments).toHaveLength(1);
    expect(github.find('POST', /\/issues\/\d+\/comments$/)).toHaveLength(1);
    expect(github.find('PATCH', /\/issues\/comments\/\d+$/).length).toBeGreaterThanOrEqual(2);
    expect(github.find('GET', /^\/_codeload\//)).toHaveLength(1);
    expect([...github.refs.keys()]).toEqual([`refs/heads/codemonkeys/issue-${ISSUE}`]);
    expect(github.pulls).toHaveLength(1);
    const pr = github.pulls[0]!;
    expect(pr).toMatchObject({ head: `codemonkeys/issue-${ISSUE}`, base: 'main', draft: true });
    expect(pr.title).toBe(`Fix #${ISSUE}: page_count returns one page too many`);
    expect(pr.body).toContain(`Fixes #${ISSUE}`);
    expect(pr.body).toContain('## Test votes');
    expect(pr.body).toContain('## Selection');
    expect(pr.body).toContain('so the issue example cannot tell them apart');
    expect(pr.body).toContain('return (total + per_page - 1) // per_page');
    const blob = github
      .find('POST', /\/git\/blobs$/)
      .map((r) => Buffer.from((r.body as { content: string }).content, 'base64').toString('utf8'));
    expect(blob.join('\n')).toContain('return (total + per_page - 1) // per_page');
    expect(done.body).toContain(`https://github.example/acme/pagination/pull/${pr.number}`);
    // Every GitHub call after start-up used the installation token, never the App JWT alone.
    const repoCalls = github.requests.filter((r) => r.path.startsWith('/repos/'));
    expect(repoCalls.every((r) => r.headers.authorization === `token ${INSTALLATION_TOKEN}`)).toBe(
      true,
    );

    // The model API saw the real wire format: the key as a bearer token, cache breakpoints.
    expect(anthropic.unexpected).toEqual([]);
    const stages = new Set(anthropic.requests.map((r) => r.stage));
    expect([...stages].sort()).toEqual(['editing', 'ranking', 'relevance', 'selection', 'testing']);
    expect(anthropic.requests.every((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(
      true,
    );
    expect(
      anthropic.requests.every((r) => typeof r.headers['anthropic-version'] === 'string'),
    ).toBe(true);
    const cached = anthropic.requests.filter((r) =>
      JSON.stringify(r.body).includes('"cache_control":{"type":"ephemeral"}'),
    );
    expect(cached.length).toBeGreaterThan(0);
    expect(anthropic.requests.filter((r) => r.key?.startsWith('selection/'))).toHaveLength(2);

    // No secret in anything the App wrote or logged.
    const secrets = [API_KEY, WEBHOOK_SECRET, ...KEY_LINES];
    const written = [
      ...github.requests.map((r) => r.raw),
      ...anthropic.requests.map((r) => JSON.stringify(r.body)),
      ...github.comments.map((c) => c.body),
    ];
    for (const secret of [...secrets, INSTALLATION_TOKEN]) {
      expect(written.some((w) => w.includes(secret))).toBe(false);
      expect(logs.includes(secret)).toBe(false);
    }
    expect(logs).not.toContain('PRIVATE KEY');

    // SIGTERM: a graceful exit with code 0 within 10 s.
    const stopAt = Date.now();
    child?.kill('SIGTERM');
    const exit = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000)),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    console.info(
      `e2e: ack ${ackMs} ms, run to PR ${runMs} ms, ${anthropic.requests.length} model calls, ${github.requests.length} GitHub calls, exit ${Date.now() - stopAt} ms`,
    );
  }, 150_000);
});
