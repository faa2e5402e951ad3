import { describe, it, expect, afterEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname } from 'node:os';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { DEMO_REPO_DIR, DEMO_SAMPLES, getDemoTranscript } from '../../../src/demo/transcript.js';
import { STATUS_MARKER } from '../../../src/render/status-comment.js';
import { examplePayload } from '../app/harness.js';
import {
  createSecrets,
  demoRepoTarball,
  getLeftovers,
  removeLeftovers,
  startAppProcess,
  waitFor,
  type AppProcess,
  type Secrets,
} from './app-process.js';
import { FakeAnthropic } from './fake-anthropic.js';
import { FakeGitHub } from './fake-github.js';

/**
 * The whole App as a user runs it: `node --import tsx src/bin/start.ts` as a child process (web
 * + worker), real Redis, real Docker sandboxes, GitHub and Anthropic played by local HTTP servers
 * (reached through GHE_HOST/GHE_PROTOCOL and ANTHROPIC_BASE_URL) that record every request. A
 * signed `issues.labeled` webhook goes in; a draft pull request with the evidence must come out.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SAMPLES = DEMO_SAMPLES.slice(0, 2);
const CONFIG_YAML = `samples: ${SAMPLES.length}\n`;
const OWNER = 'acme';
const REPO = 'pagination';
const ISSUE = 7;
const PR_LINK = /Pull request: https:\/\/github\.example\/acme\/pagination\/pull\/(\d+)/;

interface World {
  secrets: Secrets;
  github: FakeGitHub;
  anthropic: FakeAnthropic;
  prefix: string;
  apps: AppProcess[];
  start(): Promise<AppProcess>;
  state(): string;
}

async function createWorld(): Promise<World> {
  const secrets = createSecrets();
  const sha = randomBytes(20).toString('hex');
  const github = new FakeGitHub({
    owner: OWNER,
    repo: REPO,
    sha,
    tarball: await demoRepoTarball(`${OWNER}-${REPO}-${sha.slice(0, 7)}`, {
      '.github/codemonkeys.yml': CONFIG_YAML,
    }),
    configYaml: CONFIG_YAML,
    issue: {
      number: ISSUE,
      title: 'page_count returns one page too many',
      body: await readFile(join(DEMO_REPO_DIR, '../demo-issue.md'), 'utf8'),
    },
    appSlug: 'codemonkeys-e2e',
    installationToken: secrets.installationToken,
  });
  const anthropic = new FakeAnthropic(getDemoTranscript(), SAMPLES);
  const githubUrl = await github.start();
  const anthropicUrl = await anthropic.start();
  const prefix = `e2e-${process.pid}-${randomBytes(3).toString('hex')}`;
  const apps: AppProcess[] = [];
  return {
    secrets,
    github,
    anthropic,
    prefix,
    apps,
    async start() {
      const app = await startAppProcess({
        secrets,
        githubUrl,
        anthropicUrl,
        redisUrl: REDIS_URL,
        queuePrefix: prefix,
      });
      apps.push(app);
      return app;
    },
    state: () =>
      [
        `unexpected github: ${github.unexpected.join(', ')}`,
        `unexpected anthropic: ${anthropic.unexpected.join(', ')}`,
        `github requests:\n  ${github.requests.map((r) => `${r.method} ${r.path}`).join('\n  ')}`,
        `last comment: ${github.comments.at(-1)?.body ?? '(none)'}`,
        ...apps.map((a, i) => `app ${i} logs (tail):\n${a.logs().slice(-6_000)}`),
      ].join('\n'),
  };
}

function labeledPayload(): Record<string, unknown> {
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
  return payload;
}

/** Fails fast on any unexpected call; resolves with the status comment once it shows the PR. */
function waitForPrLink(world: World, ms: number) {
  return waitFor(
    'the status comment to show the PR link',
    () => {
      if (world.github.unexpected.length > 0 || world.anthropic.unexpected.length > 0)
        throw new Error(`unexpected calls\n${world.state()}`);
      return world.github.comments.find((c) => PR_LINK.test(c.body));
    },
    ms,
    world.state,
  );
}

/** Nothing secret in what the App sent anywhere or logged; no warning or error logged. */
function expectCleanOutput(world: World) {
  const { secrets, github, anthropic } = world;
  const written = [
    ...github.requests.map((r) => r.raw),
    ...anthropic.requests.map((r) => JSON.stringify(r.body)),
    ...github.comments.map((c) => c.body),
  ];
  const logs = world.apps.map((a) => a.logs()).join('\n');
  const forbidden = [
    secrets.apiKey,
    secrets.webhookSecret,
    secrets.installationToken,
    ...secrets.privateKeyLines,
  ];
  for (const secret of forbidden) {
    expect(written.filter((w) => w.includes(secret))).toEqual([]);
    expect(logs.includes(secret)).toBe(false);
  }
  expect(logs).not.toContain('PRIVATE KEY');
  // A healthy run (even one interrupted by SIGTERM) logs only JSON lines, nothing at warn or above.
  const lines = logs.split('\n').filter((l) => l !== '');
  expect(lines.filter((l) => !l.startsWith('{') || /"level":(40|50|60)/.test(l))).toEqual([]);
}

describe('e2e/app (child process, fake GitHub + Anthropic, real Redis + Docker)', () => {
  let world: World | undefined;
  afterEach(async () => {
    if (world === undefined) return;
    for (const app of world.apps) {
      await app.kill();
      await removeLeftovers(app.pid);
    }
    await world.github.stop();
    await world.anthropic.stop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${world.prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    world = undefined;
  });

  it('turns a labelled issue into a draft PR with the evidence, ignores a duplicate label, leaks no secret, stops cleanly', async () => {
    world = await createWorld();
    const { github, anthropic, secrets } = world;
    // A volume left by a crashed worker on this host (its owner pid no longer exists): the
    // worker's sandbox janitor must reap it at start-up.
    const docker = new Docker();
    const orphan = await docker.createVolume({
      Name: `cm-e2e-orphan-${randomBytes(4).toString('hex')}`,
      Labels: {
        'codemonkeys.sandbox': '1',
        'codemonkeys.owner': 'cm-e2e-crashed',
        'codemonkeys.pid': '2147480000',
        'codemonkeys.host': hostname(),
        'codemonkeys.created': String(Date.now()),
        'codemonkeys.role': 'scratch',
      },
    });
    const orphanName =
      (orphan as unknown as { name?: string; Name?: string }).name ??
      (orphan as unknown as { Name: string }).Name;
    const app = await world.start();
    await waitFor(
      'the orphan volume to be reaped',
      async () => {
        const { Volumes } = await docker.listVolumes({ filters: { name: [orphanName] } });
        return (Volumes ?? []).length === 0 ? true : undefined;
      },
      20_000,
      world.state,
    );
    const started = Date.now();
    const response = await app.deliver('issues', labeledPayload());
    const ackMs = Date.now() - started;
    expect(response.status).toBe(200);
    console.log(`e2e: webhook acknowledged in ${ackMs} ms`);

    // The same label again while the run is live: acknowledged, and no second job.
    await waitFor(
      'the status comment',
      () => github.comments.find((c) => c.body.includes(STATUS_MARKER)),
      15_000,
      world.state,
    );
    expect((await app.deliver('issues', labeledPayload())).status).toBe(200);

    const done = await waitForPrLink(world, 100_000);
    const runMs = Date.now() - started;

    // GitHub saw exactly one run: one status comment, one snapshot, one branch, one PR.
    expect(github.unexpected).toEqual([]);
    expect(github.comments).toHaveLength(1);
    expect(github.find('POST', /\/issues\/\d+\/comments$/)).toHaveLength(1);
    expect(github.find('PATCH', /\/issues\/comments\/\d+$/).length).toBeGreaterThanOrEqual(2);
    // The archive comes from another origin after a redirect, without the installation token.
    const downloads = github.find('GET', /^\/_codeload\//);
    expect(downloads).toHaveLength(1);
    expect(downloads[0]?.headers.authorization).toBeUndefined();
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
    expect(done.body).toContain(`https://github.example/acme/pagination/pull/${pr.number}`);
    const blobs = github
      .find('POST', /\/git\/blobs$/)
      .map((r) => Buffer.from((r.body as { content: string }).content, 'base64').toString('utf8'));
    expect(blobs.join('\n')).toContain('return (total + per_page - 1) // per_page');
    // Repository calls use the installation token (the App JWT only reaches /app endpoints).
    const repoCalls = github.requests.filter((r) => r.path.startsWith('/repos/'));
    expect(
      repoCalls.filter((r) => r.headers.authorization !== `token ${secrets.installationToken}`),
    ).toEqual([]);

    // The model API saw the real wire format: the key as a bearer token, cache breakpoints, every
    // stage, and each logical call exactly once.
    expect(anthropic.unexpected).toEqual([]);
    const stages = new Set(anthropic.requests.map((r) => r.stage));
    expect([...stages].sort()).toEqual(['editing', 'ranking', 'relevance', 'selection', 'testing']);
    expect(
      anthropic.requests.filter((r) => r.headers.authorization !== `Bearer ${secrets.apiKey}`),
    ).toEqual([]);
    expect(
      anthropic.requests.every((r) => typeof r.headers['anthropic-version'] === 'string'),
    ).toBe(true);
    const cached = anthropic.requests.filter((r) =>
      JSON.stringify(r.body).includes('"cache_control":{"type":"ephemeral"}'),
    );
    expect(cached.length).toBeGreaterThan(0);
    const keys = anthropic.requests.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k?.startsWith('selection/'))).toEqual([
      'selection/t0',
      'selection/t1',
    ]);

    expectCleanOutput(world);

    // SIGTERM: a graceful exit with code 0 within 10 s.
    const stopAt = Date.now();
    expect(await app.terminate(10_000)).toEqual({ code: 0, signal: null });
    expect(await getLeftovers(app.pid)).toEqual([]);
    console.info(
      `e2e: ack ${ackMs} ms, run to PR ${runMs} ms, ${anthropic.requests.length} model calls, ${github.requests.length} GitHub calls, exit ${Date.now() - stopAt} ms`,
    );
  }, 150_000);

  it('SIGTERM mid-run returns the job to the queue; a restarted App resumes from checkpoints without paying twice', async () => {
    world = await createWorld();
    const { github, anthropic } = world;
    const first = await world.start();
    const held = anthropic.hold('selection/t0');
    expect((await first.deliver('issues', labeledPayload())).status).toBe(200);
    await Promise.race([
      held,
      waitForPrLink(world, 90_000).then(() => {
        throw new Error('the run finished before the held call');
      }),
    ]);
    const stopAt = Date.now();
    expect(await first.terminate(10_000)).toEqual({ code: 0, signal: null });
    const stopMs = Date.now() - stopAt;
    expect(await getLeftovers(first.pid)).toEqual([]);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toContain('the run resumes from its last checkpoint');
    expect(github.pulls).toEqual([]);
    const callsBefore = anthropic.requests.length;

    await world.start();
    const done = await waitForPrLink(world, 90_000);
    expect(github.comments).toEqual([done]);
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0]?.body).toContain('so the issue example cannot tell them apart');
    // Every call answered before the restart was replayed from its checkpoint, not paid again;
    // only the interrupted call was asked again.
    const answered = anthropic.requests.filter((r) => r.answered).map((r) => r.key);
    expect(new Set(answered).size).toBe(answered.length);
    expect(anthropic.requests.slice(callsBefore).map((r) => r.key)).toEqual([
      'selection/t0',
      'selection/t1',
    ]);
    expectCleanOutput(world);
    console.info(`e2e resume: stop ${stopMs} ms, ${anthropic.requests.length} model calls in all`);
  }, 150_000);
});
