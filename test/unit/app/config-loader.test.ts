import { describe, it, expect } from 'vitest';
import { loadRepoConfig } from '../../../src/app/config-loader.js';
import { isCodemonkeysError } from '../../../src/errors.js';

const source = (value: unknown) => ({ config: async <T>() => value as T | null });
const failing = (error: unknown) => ({
  config: async <T>(): Promise<T | null> => {
    throw error;
  },
});

describe('app/config-loader', () => {
  it('uses all defaults when there is no file', async () => {
    const r = await loadRepoConfig(source(null));
    expect(r.ok).toBe(true);
    expect(r.label).toBe('codemonkeys');
  });

  it('uses the configured label', async () => {
    const r = await loadRepoConfig(source({ label: 'ai-fix', samples: 4 }));
    expect(r.ok && r.config.samples).toBe(4);
    expect(r.label).toBe('ai-fix');
  });

  it('lists every problem with its key path, unknown keys and wrong types included', async () => {
    const r = await loadRepoConfig(
      source({
        label: 'x',
        samples: 'ten',
        sandbox: { timeouts: { setupSeconds: -1 } },
        colour: 'blue',
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path).sort()).toEqual([
      'colour',
      'samples',
      'sandbox.timeouts.setupSeconds',
    ]);
    expect(r.label).toBe('x');
  });

  it('reports YAML that cannot be parsed as a problem, not a crash', async () => {
    const error = new Error(
      '[@probot/octokit-plugin-config] Configuration could not be parsed (invalid YAML)',
      {
        cause: new Error('Nested mappings are not allowed in compact mappings at line 1, column 8'),
      },
    );
    const r = await loadRepoConfig(failing(error));
    expect(r).toMatchObject({ ok: false, problems: [{ path: '(yaml)' }], label: 'codemonkeys' });
    if (!r.ok) expect(r.problems[0]?.message).toContain('line 1');
  });

  it('rejects a YAML list at the root', async () => {
    const r = await loadRepoConfig(source(['a', 'b']));
    expect(r).toMatchObject({ ok: false, problems: [{ path: '(root)' }] });
  });

  it('turns GitHub API failures into a retryable GITHUB_ERROR', async () => {
    const error = Object.assign(new Error('Server Error'), { status: 502 });
    const caught = await loadRepoConfig(failing(error)).catch((e: unknown) => e);
    expect(isCodemonkeysError(caught, 'GITHUB_ERROR')).toBe(true);
    expect((caught as { retryable: boolean }).retryable).toBe(true);
  });
});
