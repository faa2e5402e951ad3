/**
 * Sandbox benchmark (`npm run bench:sandbox`). Prints:
 *  1. per-execution overhead for a trivial script (wall time of `Environment.run` minus the
 *     script's own runtime measured natively on the host), median and p90, with and without the
 *     pre-started container pool;
 *  2. the wall time of a 10 x 10 edit-by-test matrix (each execution applies a small patch and
 *     runs a short Python test) at the default parallelism, versus the sum of the scripts' own
 *     runtimes (native, on the host).
 * Everything it creates is labelled and removed at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoConfigSchema } from '../../src/config/repo-config.js';
import { createSilentLogger } from '../../src/logger.js';
import type { DockerSandboxProvider } from '../../src/sandbox/docker-provider.js';
import { createSandboxProvider } from '../../src/sandbox/provider.js';
import type { EnvironmentSpec, ExecRequest } from '../../src/sandbox/types.js';
import { getCalcPatch, getMatrixTest, makeBenchRepo } from './fixtures.js';

const LABEL = { 'codemonkeys.bench': `sandbox-${randomUUID().slice(0, 8)}` };
const TRIVIAL_RUNS = Number(process.env.BENCH_TRIVIAL_RUNS ?? 30);
const defaults = repoConfigSchema.parse({}).sandbox;

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;

function nativeMs(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): number {
  const started = process.hrtime.bigint();
  spawnSync(argv[0] ?? 'true', argv.slice(1), { cwd, env: { PATH: process.env.PATH, ...env } });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const repoDir = makeBenchRepo();
  const spec: EnvironmentSpec = {
    image: defaults.image,
    setup: [],
    workdir: defaults.workdir,
    setupTimeoutMs: 120_000,
    cpus: defaults.cpus,
    memoryMb: defaults.memoryMb,
    pids: defaults.pids,
  };
  const snapshot = {
    dir: repoDir,
    repo: `bench/sandbox-${randomUUID().slice(0, 8)}`,
    commit: '0'.repeat(40),
  };
  const concurrency = defaults.concurrency;
  const results: string[] = [];
  let lastProvider: DockerSandboxProvider | undefined;

  for (const poolSize of [concurrency, 0]) {
    const provider = createSandboxProvider({
      kind: 'docker',
      concurrency,
      logger: createSilentLogger(),
      dockerOptions: { labels: LABEL, poolSize, reapIntervalMs: 0 },
    }) as DockerSandboxProvider;
    lastProvider = provider;
    const prepStart = Date.now();
    const env = await provider.prepare(spec, snapshot);
    const prepMs = Date.now() - prepStart;
    const trivial: ExecRequest = {
      files: { 'main.sh': 'exit 0\n' },
      argv: ['sh', 'main.sh'],
      timeoutMs: 10_000,
      outputCapBytes: 65_536,
    };
    await env.run(trivial); // warm-up
    const scratch = mkdtempSync(join(tmpdir(), 'cm-bench-native-'));
    writeFileSync(join(scratch, 'main.sh'), 'exit 0\n');
    const native = quantile(
      Array.from({ length: 10 }, () => nativeMs(['sh', 'main.sh'], scratch)),
      0.5,
    );
    const overheads: number[] = [];
    for (let i = 0; i < TRIVIAL_RUNS; i += 1) {
      const started = process.hrtime.bigint();
      const result = await env.run(trivial);
      if (result.exitCode !== 0) throw new Error(`trivial script failed: ${result.combined}`);
      overheads.push(Number(process.hrtime.bigint() - started) / 1e6 - native);
    }
    rmSync(scratch, { recursive: true, force: true });
    results.push(
      `trivial script, pool ${poolSize === 0 ? 'off' : `of ${poolSize}`}: overhead median ${fmt(quantile(overheads, 0.5))}, p90 ${fmt(quantile(overheads, 0.9))} ` +
        `(script's own runtime ${native.toFixed(1)} ms; overhead/runtime ratio ${(quantile(overheads, 0.5) / native).toFixed(0)}x; env prepare ${fmt(prepMs)})`,
    );

    if (poolSize > 0) {
      // 10 x 10 matrix: 10 edits (patches) x 10 tests.
      const requests: ExecRequest[] = [];
      for (let e = 0; e < 10; e += 1) {
        for (let t = 0; t < 10; t += 1) {
          requests.push({
            files: { 'test.py': getMatrixTest(t) },
            patch: getCalcPatch(e),
            argv: ['python3', 'test.py'],
            timeoutMs: 60_000,
            outputCapBytes: 65_536,
          });
        }
      }
      const started = Date.now();
      const matrix = await Promise.all(requests.map((request) => env.run(request)));
      const wall = Date.now() - started;
      if (matrix.some((r) => r.patchError !== undefined))
        throw new Error('a matrix patch did not apply');
      const ownSum = measureNativeMatrix(repoDir);
      results.push(
        `10 x 10 edit-by-test matrix at parallelism ${concurrency}: wall ${fmt(wall)}, sum of own runtimes ${fmt(ownSum)}, ` +
          `wall/sum ${(wall / ownSum).toFixed(2)}, wall/(sum/${concurrency}) ${(wall / (ownSum / concurrency)).toFixed(2)} ` +
          `(${matrix.filter((r) => r.exitCode === 0).length}/100 passed)`,
      );
    }
    await provider.close();
  }
  await lastProvider?.removeRunImages(LABEL);
  rmSync(repoDir, { recursive: true, force: true });
  console.log(
    `sandbox benchmark (${new Date().toISOString()}, ${defaults.image}, cpus/exec ${defaults.cpus}, host cores ${execFileSync('nproc').toString().trim()})`,
  );
  for (const line of results) console.log(`- ${line}`);
}

/** Own runtime of the 100 matrix scripts, run natively on patched host copies of the repo. */
function measureNativeMatrix(repoDir: string): number {
  let sum = 0;
  for (let e = 0; e < 10; e += 1) {
    const copy = mkdtempSync(join(tmpdir(), 'cm-bench-edit-'));
    cpSync(repoDir, copy, { recursive: true });
    writeFileSync(join(copy, 'edit.diff'), getCalcPatch(e));
    execFileSync('git', ['apply', 'edit.diff'], { cwd: copy });
    for (let t = 0; t < 10; t += 1) {
      writeFileSync(join(copy, 'test.py'), getMatrixTest(t));
      sum += nativeMs(['python3', 'test.py'], copy, {
        CODEMONKEYS_WORKDIR: copy,
        PYTHONUNBUFFERED: '1',
      });
    }
    rmSync(copy, { recursive: true, force: true });
  }
  return sum;
}

await main();
