import { describe, it, expect, afterEach } from 'vitest';
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runContextStage } from '../../../src/pipeline/context/run-context.js';
import { ScriptedLlm, type ScriptedRule } from '../../../src/llm/scripted.js';
import { createRunLlm } from '../../../src/llm/metered.js';
import { UsageLedger } from '../../../src/llm/usage.js';
import { loadPrompts } from '../../../src/llm/prompts.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { DEFAULT_CONFIG, type RepoConfig } from '../../../src/config/repo-config.js';
import { createSilentLogger } from '../../../src/logger.js';
import type { RunRequest } from '../../../src/pipeline/types.js';
import type { RunStore } from '../../../src/store/run-store.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'context-repo');
const prompts = loadPrompts();
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The fixture plus files git would not keep: ignored ones and a binary. */
function fixtureRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cm-ctx-e2e-'));
  dirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  mkdirSync(join(dir, 'build'));
  writeFileSync(join(dir, 'build', 'lib.py'), 'x = 1\n');
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'out', 'gen.py'), 'x = 2\n');
  writeFileSync(join(dir, 'scratch.py'), 'print("scratch")\n');
  writeFileSync(
    join(dir, 'shapes', 'logo.py'),
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]),
  );
  return dir;
}

function runRequest(dir: string, config: Partial<RepoConfig> = {}): RunRequest {
  return {
    runId: 'acme/shapes#7@1',
    repo: 'acme/shapes',
    issue: {
      number: 7,
      title: 'Circle area is four times too large',
      body: 'area_of(Circle(2)) returns 12.57, expected 3.14.',
    },
    snapshot: { dir, repo: 'acme/shapes', commit: 'a'.repeat(40) },
    config: { ...DEFAULT_CONFIG, ...config },
  };
}

const verdict = (summary: string) =>
  `The file computes areas.\n\n**RELEVANCE:** Relevant\nSUMMARY: ${summary}`;
const NOT = 'Unrelated to circles.\nRELEVANCE: Not Relevant';

function happyRules(): ScriptedRule[] {
  return [
    {
      key: 'relevance/shapes/area.py',
      reply: verdict('area_of uses the diameter where the radius belongs.'),
    },
    { key: 'relevance/shapes/models.py', reply: verdict('Circle defines diameter and radius.') },
    { key: 'relevance/shapes/perimeter.py', reply: 'I am not sure.' },
    {
      key: 'relevance/shapes/perimeter.py/retry',
      reply: 'RELEVANCE: Relevant\nSUMMARY: Same pattern for perimeters.',
    },
    { stage: 'relevance', reply: NOT },
    {
      key: 'ranking/0',
      reply:
        'Reasoning.\n```json\n["shapes/area.py", "shapes/models.py", "shapes/invented.py"]\n```',
    },
    { key: 'ranking/1', reply: 'I would rank area first.' },
    {
      key: 'ranking/1/retry',
      reply: '```json\n["shapes/area.py", "shapes/perimeter.py", "shapes/models.py"]\n```',
    },
    { key: 'ranking/2', reply: '```json\n["shapes/area.py", "shapes/models.py"]\n```' },
  ];
}

function stage(client: ScriptedLlm, store: RunStore = new MemoryRunStore(), maxUsd = 5) {
  const ledger = new UsageLedger();
  const llm = createRunLlm({ client, store, runId: 'acme/shapes#7@1', maxUsd, ledger });
  return { ledger, deps: { llm, prompts, logger: createSilentLogger() } };
}

describe('runContextStage', () => {
  it('walks, scans, re-asks, ranks three times, merges and packs the fixture repository', async () => {
    const client = new ScriptedLlm({ rules: happyRules() });
    const { deps, ledger } = stage(client);
    const progress: string[] = [];
    const { report, files } = await runContextStage(runRequest(fixtureRepo()), {
      ...deps,
      onProgress: (p) => progress.push(p.phase),
    });
    expect(report.scanned).toBe(8);
    expect(report.relevant.map((r) => r.path)).toEqual([
      'shapes/area.py',
      'shapes/models.py',
      'shapes/perimeter.py',
    ]);
    expect(report.relevant[2]?.summary).toBe('Same pattern for perimeters.');
    expect(report.relevanceParseFailures).toBe(0);
    expect(report.ranking).toEqual(['shapes/area.py', 'shapes/models.py', 'shapes/perimeter.py']);
    expect(report.rankingFailures).toBe(0);
    expect(report.inventedPaths).toEqual(['shapes/invented.py']);
    expect(report.fallback).toBeUndefined();
    expect(files.map((f) => f.path)).toEqual(report.ranking);
    expect(files[0]?.content).toContain('math.pi * shape.diameter ** 2');
    expect(report.packedTokens).toBe(files.reduce((n, f) => n + f.tokens, 0));
    const skipped = Object.fromEntries(report.skipped.map((s) => [s.reason, s.examples]));
    expect(skipped['ignored by .gitignore']).toEqual(['out/', 'scratch.py']);
    expect(skipped['vendored or generated folder']).toEqual(['build/']);
    expect(skipped['binary (contains NUL bytes)']).toEqual(['shapes/logo.py']);
    expect(client.count('relevance')).toBe(9);
    expect(client.count('ranking')).toBe(4);
    // The relevance prompt: issue in the cached system prompt, the file in the user turn.
    const call = client.calls.find((c) => c.key === 'relevance/shapes/area.py')!;
    expect(call).toMatchObject({
      cacheSystem: true,
      temperature: 0,
      maxTokens: 4096,
      model: 'claude-haiku-5-5',
    });
    expect(call.system).toContain('Circle area is four times too large');
    expect(call.messages[0]?.content).toContain('<file path="shapes/area.py">');
    // Ranking siblings read what the first wrote.
    const rankingCalls = client.calls.filter((c) => c.stage === 'ranking');
    expect(rankingCalls[0]?.key).toBe('ranking/0');
    expect(ledger.snapshot().byStage.ranking.cacheReadTokens).toBeGreaterThan(0);
    expect(progress).toEqual(
      expect.arrayContaining(['walking', 'relevance', 'ranking', 'packing']),
    );
  });

  it('a retried run with the same runId re-uses every verdict and ranking without paying again', async () => {
    const store = new MemoryRunStore();
    const dir = fixtureRepo();
    const first = new ScriptedLlm({ rules: happyRules() });
    const a = await runContextStage(runRequest(dir), stage(first, store).deps);
    const second = new ScriptedLlm({ rules: happyRules() });
    const { deps, ledger } = stage(second, store);
    const b = await runContextStage(runRequest(dir), deps);
    expect(first.count()).toBe(13);
    expect(second.count()).toBe(0);
    expect(b.report).toEqual(a.report);
    expect(ledger.snapshot().total).toMatchObject({ calls: 0, replays: 13, usd: 0 });
  });

  it('scans identical blobs once and shares the verdict', async () => {
    const dir = fixtureRepo();
    writeFileSync(
      join(dir, 'shapes', 'area_copy.py'),
      'import math\n\nfrom .models import Circle, Rectangle\n\n\ndef area_of(shape):\n    """Area of a shape. Bug: a circle\'s area uses the diameter instead of the radius."""\n    if isinstance(shape, Circle):\n        return math.pi * shape.diameter ** 2\n    if isinstance(shape, Rectangle):\n        return shape.width * shape.height\n    raise TypeError(f"unknown shape: {shape!r}")\n',
    );
    const client = new ScriptedLlm({ rules: happyRules() });
    const { report } = await runContextStage(runRequest(dir), stage(client).deps);
    expect(client.calls.some((c) => c.key === 'relevance/shapes/area_copy.py')).toBe(false);
    expect(report.relevant.map((r) => r.path)).toContain('shapes/area_copy.py');
  });

  it('a model that never follows the format: one re-ask per file, counted, then the lexical fallback', async () => {
    const client = new ScriptedLlm({ rules: [{ reply: 'Well, it depends.' }] });
    const { report, files } = await runContextStage(runRequest(fixtureRepo()), stage(client).deps);
    expect(client.count('relevance')).toBe(16);
    expect(client.count('ranking')).toBe(0);
    expect(report.relevanceParseFailures).toBe(8);
    expect(report.relevant).toEqual([]);
    expect(report.fallback).toContain('lexical ranking');
    expect(report.ranking[0]).toBe('shapes/area.py');
    expect(files.length).toBeGreaterThan(0);
  });

  it('all rankings failing falls back to relevance order', async () => {
    const rules = happyRules().filter(
      (r) =>
        r.stage === 'relevance' || (typeof r.key === 'string' && r.key.startsWith('relevance/')),
    );
    const client = new ScriptedLlm({
      rules: [...rules, { stage: 'ranking', reply: '```json\n["nowhere.py"]\n```' }],
    });
    const { report } = await runContextStage(
      runRequest(fixtureRepo(), { rankings: 2 }),
      stage(client).deps,
    );
    expect(client.count('ranking')).toBe(4);
    expect(report.rankingFailures).toBe(2);
    expect(report.ranking).toEqual(['shapes/area.py', 'shapes/models.py', 'shapes/perimeter.py']);
    expect(report.fallback).toContain('all 2 rankings failed');
  });

  it('an empty repository gives an empty, explained context', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-ctx-empty-'));
    dirs.push(dir);
    const client = new ScriptedLlm({ rules: [] });
    const { report, files } = await runContextStage(runRequest(dir), stage(client).deps);
    expect(client.count()).toBe(0);
    expect(files).toEqual([]);
    expect(report).toMatchObject({
      scanned: 0,
      relevant: [],
      ranking: [],
      packed: [],
      packedTokens: 0,
    });
    expect(report.fallback).toContain('no file was judged relevant');
  });

  it('stops starting new scans when the budget is reached and says so', async () => {
    const client = new ScriptedLlm({ rules: happyRules() });
    const config = { context: { ...DEFAULT_CONFIG.context, relevanceConcurrency: 1 } };
    const { report } = await runContextStage(
      runRequest(fixtureRepo(), config),
      stage(client, new MemoryRunStore(), 0.0012).deps,
    );
    expect(report.budgetExhausted).toBe(true);
    expect(report.scanned).toBeLessThan(8);
    expect(report.fallback).toContain('budget stopped the relevance scan');
  });
});
