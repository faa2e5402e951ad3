import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCodemonkeysError } from '../../../src/errors.js';
import { createSilentLogger } from '../../../src/logger.js';
import type { DockerEnvironment } from '../../../src/sandbox/docker-environment.js';
import { DockerSandboxProvider } from '../../../src/sandbox/docker-provider.js';
import type { RepoSnapshot } from '../../../src/sandbox/types.js';
import {
  TEST_LABEL,
  disposeAndCount,
  makeFixtureRepo,
  makeSpec,
  py,
  removeDir,
} from './helpers.js';

const docker = new Docker();
const label = `lifecycle-${randomUUID().slice(0, 8)}`;
const newProvider = (
  extra: Partial<ConstructorParameters<typeof DockerSandboxProvider>[0]> = {},
): DockerSandboxProvider =>
  new DockerSandboxProvider({
    concurrency: 2,
    logger: createSilentLogger(),
    labels: { [TEST_LABEL]: label },
    reapIntervalMs: 0,
    ...extra,
  });

describe('docker sandbox lifecycle', () => {
  let snapshot: RepoSnapshot;
  const providers: DockerSandboxProvider[] = [];

  beforeAll(async () => {
    snapshot = await makeFixtureRepo('lifecycle');
  });

  afterAll(async () => {
    await removeDir(snapshot.dir);
    for (const provider of providers) await provider.close();
  });

  it('reuses the run image across providers and rebuilds when the snapshot changes', async () => {
    const first = newProvider();
    const second = newProvider();
    providers.push(first, second);
    const a = (await first.prepare(makeSpec(), snapshot)) as DockerEnvironment;
    const createdA = (await docker.getImage(a.image).inspect()).Created;
    const b = (await second.prepare(makeSpec(), snapshot)) as DockerEnvironment;
    expect(b.image).toBe(a.image);
    expect((await docker.getImage(b.image).inspect()).Created).toBe(createdA);
    expect((await b.run(py('print("ok")\n'))).stdout).toBe('ok\n');
    await writeFile(join(snapshot.dir, 'README.md'), 'changed\n');
    const c = (await second.prepare(makeSpec(), snapshot)) as DockerEnvironment;
    expect(c.image).not.toBe(a.image);
  });

  it('keeps an existing git history and commits a dirty tree as the base state', async () => {
    const repo = await makeFixtureRepo('lifecycle-git');
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: repo.dir,
      }).toString();
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'upstream history');
    await writeFile(join(repo.dir, 'dirty.txt'), 'uncommitted\n');
    const provider = newProvider({ removeRunImagesOnClose: true });
    providers.push(provider);
    try {
      const env = await provider.prepare(makeSpec(), repo);
      const result = await env.run({
        files: {},
        argv: [
          'sh',
          '-c',
          'cd "$CODEMONKEYS_WORKDIR" && git log --format=%s && git status --porcelain && cat dirty.txt',
        ],
        timeoutMs: 20_000,
        outputCapBytes: 4_096,
      });
      expect(result.stdout).toBe('codemonkeys: base state\nupstream history\nuncommitted\n');
      const image = (env as DockerEnvironment).image;
      await provider.close();
      await expect(docker.getImage(image).inspect()).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await removeDir(repo.dir);
    }
  });

  it('refuses an OCI runtime the engine does not have, and an unreachable engine, with SANDBOX_UNAVAILABLE', async () => {
    const provider = newProvider();
    providers.push(provider);
    const error = await provider
      .prepare(makeSpec({ runtime: 'no-such-runtime' }), snapshot)
      .catch((e: unknown) => e);
    expect(isCodemonkeysError(error, 'SANDBOX_UNAVAILABLE')).toBe(true);
    const offline = newProvider({ docker: new Docker({ socketPath: '/nonexistent/docker.sock' }) });
    providers.push(offline);
    const unreachable = await offline.prepare(makeSpec(), snapshot).catch((e: unknown) => e);
    expect(isCodemonkeysError(unreachable, 'SANDBOX_UNAVAILABLE')).toBe(true);
  });

  it('leaves nothing behind once closed', async () => {
    for (const provider of providers) await provider.close();
    expect(await disposeAndCount(providers[0] as DockerSandboxProvider, label)).toBe(0);
  });
});
