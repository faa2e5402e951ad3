import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { createSilentLogger } from '../../../src/logger.js';
import type { DockerSandboxProvider } from '../../../src/sandbox/docker-provider.js';
import { createSandboxProvider } from '../../../src/sandbox/provider.js';
import type {
  EnvironmentSpec,
  ExecRequest,
  RepoSnapshot,
  SandboxProvider,
} from '../../../src/sandbox/types.js';

export const BASE_IMAGE = process.env.CODEMONKEYS_BASE_IMAGE ?? 'codemonkeys/sandbox-base:bookworm';
export const TEST_LABEL = 'codemonkeys.test';

export function makeSpec(overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return {
    image: BASE_IMAGE,
    setup: [],
    workdir: '/workspace/repo',
    setupTimeoutMs: 60_000,
    cpus: 1,
    memoryMb: 512,
    pids: 256,
    ...overrides,
  };
}

/** A small Python repository without .git, in a fresh temp dir, with a unique repo name. */
export async function makeFixtureRepo(tag: string): Promise<RepoSnapshot> {
  const dir = await mkdtemp(join(tmpdir(), `cm-sandbox-${tag}-`));
  await mkdir(join(dir, 'pkg'));
  await writeFile(join(dir, 'pkg', '__init__.py'), '');
  await writeFile(join(dir, 'pkg', 'calc.py'), CALC);
  await writeFile(join(dir, 'README.md'), `fixture ${tag}\n`);
  return { dir, repo: `test/${tag}-${randomUUID().slice(0, 8)}`, commit: 'f'.repeat(40) };
}

export const CALC = [
  '"""A tiny module used by the sandbox tests."""',
  '',
  '',
  'def add(a, b):',
  '    return a - b',
  '',
  '',
  'def mul(a, b):',
  '    return a * b',
  '',
].join('\n');

/** Fixes add(); applies cleanly with git apply. */
export const GOOD_PATCH = `--- a/pkg/calc.py
+++ b/pkg/calc.py
@@ -3,5 +3,5 @@
 
 def add(a, b):
-    return a - b
+    return a + b
 
 
`;

/** Same fix, but a stale context line: git apply refuses, patch --fuzz=5 accepts. */
export const FUZZY_PATCH = `--- a/pkg/calc.py
+++ b/pkg/calc.py
@@ -3,6 +3,6 @@
 
 def add(a, b):
-    return a - b
+    return a + b
 
 
 def mul(x, y):
`;

export const BAD_PATCH = `--- a/pkg/nothere.py
+++ b/pkg/nothere.py
@@ -1,2 +1,2 @@
-old line
+new line
 context
`;

/** Python that imports the repository from CODEMONKEYS_WORKDIR. */
export const TEST_ADD = `import os, sys
sys.path.insert(0, os.environ["CODEMONKEYS_WORKDIR"])
from pkg.calc import add
print("add(2, 3) =", add(2, 3))
sys.exit(0 if add(2, 3) == 5 else 1)
`;

export function py(code: string, extra: Partial<ExecRequest> = {}): ExecRequest {
  return {
    files: { 'main.py': code },
    argv: ['python3', 'main.py'],
    timeoutMs: 20_000,
    outputCapBytes: 65_536,
    ...extra,
  };
}

export function createTestProvider(
  kind: 'docker' | 'local',
  label: string,
  concurrency = 3,
): SandboxProvider {
  return createSandboxProvider({
    kind,
    concurrency,
    allowUnsafeLocal: kind === 'local',
    logger: createSilentLogger(),
    dockerOptions: { labels: { [TEST_LABEL]: label }, reapIntervalMs: 0 },
  });
}

/** Closes the provider, removes its run images, and returns what is still labelled as ours. */
export async function disposeAndCount(provider: SandboxProvider, label: string): Promise<number> {
  await provider.close();
  if (provider.kind !== 'docker') return 0;
  const docker = new Docker();
  await (provider as DockerSandboxProvider).removeRunImages({ [TEST_LABEL]: label });
  const filters = { label: [`${TEST_LABEL}=${label}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  const images = await docker.listImages({ filters });
  return containers.length + volumes.length + images.length;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
