import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  getTestArgv,
  parseRepoConfig,
  parseRepoConfigYaml,
} from '../../../src/config/repo-config.js';

describe('repo-config', () => {
  it('gives the documented defaults when the file is absent or empty', () => {
    for (const raw of [undefined, null, {}]) {
      const result = parseRepoConfig(raw);
      expect(result).toEqual({ ok: true, config: DEFAULT_CONFIG });
    }
    expect(DEFAULT_CONFIG).toMatchObject({
      label: 'codemonkeys',
      permission: 'write',
      samples: 10,
      maxAttempts: 8,
      topK: 3,
      rankings: 3,
      context: { budgetTokens: 128_000 },
      sandbox: {
        timeouts: { executionSeconds: 100, votingSeconds: 600 },
        test: { command: 'python3 {file}' },
      },
      pr: { draft: true, branchPrefix: 'codemonkeys/' },
    });
    expect(parseRepoConfigYaml('')).toEqual({ ok: true, config: DEFAULT_CONFIG });
  });

  it('merges partial nested sections with defaults', () => {
    const result = parseRepoConfigYaml(
      'sandbox:\n  test:\n    command: node {file}\n    extension: .js\n',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.sandbox.test).toEqual({
      command: 'node {file}',
      extension: '.js',
      language: 'Python',
    });
    expect(result.config.sandbox.memoryMb).toBe(2048);
    expect(result.config.models.primary).toBe('claude-sonnet-5-5');
  });

  it('reports every problem at once, with key paths', () => {
    const result = parseRepoConfigYaml(
      [
        'samples: "ten"',
        'colour: blue',
        'sandbox:',
        '  cpus: -1',
        '  extra: 1',
        '  test: { command: "pytest" }',
        'pr: { draft: "yes" }',
        'prices: { claude-x: { input: 1 } }',
      ].join('\n'),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.problems.map((p) => p.path).sort();
    expect(paths).toEqual(
      [
        'colour',
        'pr.draft',
        'prices.claude-x.cacheRead',
        'prices.claude-x.cacheWrite',
        'prices.claude-x.output',
        'samples',
        'sandbox.cpus',
        'sandbox.extra',
        'sandbox.test.command',
      ].sort(),
    );
    expect(result.problems.find((p) => p.path === 'colour')?.message).toBe('unknown key');
    expect(result.problems.find((p) => p.path === 'sandbox.test.command')?.message).toContain(
      '{file}',
    );
  });

  it('turns YAML syntax errors and non-mapping documents into problems, not exceptions', () => {
    const broken = parseRepoConfigYaml('samples: [1, 2\nlabel: x');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.problems[0]?.path).toBe('(yaml)');
    const list = parseRepoConfigYaml('- a\n- b\n');
    expect(list).toEqual({
      ok: false,
      problems: [{ path: '(root)', message: 'must be a mapping of keys to values' }],
    });
    const scalar = parseRepoConfigYaml('just text');
    expect(scalar.ok).toBe(false);
  });

  it('refuses alias bombs instead of expanding them', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from({ length: 8 }, (_, i) => {
        const prev = i === 0 ? 'a' : `l${i - 1}`;
        return `l${i}: &l${i} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
      }),
    ].join('\n');
    const result = parseRepoConfigYaml(bomb);
    expect(result.ok).toBe(false);
  });

  it('builds the test argv without a shell and substitutes the script path', () => {
    const config = {
      ...DEFAULT_CONFIG,
      sandbox: {
        ...DEFAULT_CONFIG.sandbox,
        test: { command: 'python3 -X dev {file}', extension: '.py', language: 'Python' },
      },
    };
    expect(getTestArgv(config, '/scratch/reproduce_1.py')).toEqual([
      'python3',
      '-X',
      'dev',
      '/scratch/reproduce_1.py',
    ]);
  });
});
