import { describe, it, expect, afterEach } from 'vitest';
import { openSync, ftruncateSync, closeSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { walkRepository, decodeText } from '../../../src/pipeline/context/files.js';
import { DEFAULT_CONFIG } from '../../../src/config/repo-config.js';
import { makeRepo } from './repo-builder.js';

const options = {
  include: DEFAULT_CONFIG.context.include,
  exclude: [] as string[],
  maxFileBytes: 400_000,
  maxFiles: 20_000,
};
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function repo(files: Record<string, string | Uint8Array> = {}) {
  const r = makeRepo(files);
  cleanups.push(r.cleanup);
  return r;
}
const reasons = (skipped: Array<{ reason: string; count: number; examples: string[] }>) =>
  Object.fromEntries(skipped.map((s) => [s.reason, s.examples]));

describe('walkRepository', () => {
  it('honours nested .gitignore files with negation, and skips vendored folders and lockfiles', async () => {
    const r = repo({
      '.gitignore': '*.log\nsecret/\n',
      'app/main.py': 'print(1)\n',
      'app/debug.log': 'x',
      'app/.gitignore': 'generated_*.py\n!generated_keep.py\n',
      'app/generated_a.py': 'a = 1\n',
      'app/generated_keep.py': 'k = 1\n',
      'secret/token.py': 't = 1\n',
      'node_modules/lib/index.js': 'module.exports = 1;\n',
      'pkg/__pycache__/m.py': 'x = 1\n',
      'web/dist/app.js': 'x\n',
      'package-lock.json': '{}\n',
      'web/app.min.js': 'x\n',
      'README.md': '# hi\n',
    });
    const result = await walkRepository(r.dir, options);
    expect(result.files.map((f) => f.path)).toEqual(['app/generated_keep.py', 'app/main.py']);
    const why = reasons(result.skipped);
    expect(why['ignored by .gitignore']).toEqual(
      expect.arrayContaining(['app/debug.log', 'app/generated_a.py', 'secret/']),
    );
    expect(why['vendored or generated folder']).toEqual(
      expect.arrayContaining(['node_modules/', 'pkg/__pycache__/', 'web/dist/']),
    );
    expect(why['lockfile']).toEqual(['package-lock.json']);
    expect(why['minified or generated bundle']).toEqual(['web/app.min.js']);
    expect(why['not matched by context.include']).toEqual(expect.arrayContaining(['README.md']));
    expect(result.files[1]).toMatchObject({ path: 'app/main.py', bytes: 9, tokens: 3 });
  });

  it('reports binaries, invalid UTF-8, empty and minified content; applies exclude globs', async () => {
    const r = repo({
      'bin/blob.py': new Uint8Array([0x70, 0x00, 0x01, 0x02]),
      'latin1.py': new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]),
      'empty.py': '  \n',
      'bundle.js': `var a=${'1+'.repeat(3000)}1;`,
      'tests/test_x.py': 'def test(): pass\n',
      'ok.py': 'caf\u00e9 = 1\n',
    });
    const result = await walkRepository(r.dir, { ...options, exclude: ['tests/**'] });
    expect(result.files.map((f) => f.path)).toEqual(['ok.py']);
    const why = reasons(result.skipped);
    expect(why['binary (contains NUL bytes)']).toEqual(['bin/blob.py']);
    expect(why['not valid UTF-8']).toEqual(['latin1.py']);
    expect(why['empty or whitespace only']).toEqual(['empty.py']);
    expect(why['minified or generated bundle']).toEqual(['bundle.js']);
    expect(why['matched by context.exclude']).toEqual(['tests/test_x.py']);
  });

  it('does not follow symbolic links, so link loops end the walk', async () => {
    const r = repo({ 'src/a.py': 'a = 1\n' });
    r.link('src/loop', '..');
    r.link('src/self', 'self');
    r.link('b.py', 'src/a.py');
    const result = await walkRepository(r.dir, options);
    expect(result.files.map((f) => f.path)).toEqual(['src/a.py']);
    expect(reasons(result.skipped)['symbolic link (not followed)']).toEqual([
      'b.py',
      'src/loop',
      'src/self',
    ]);
  });

  it('skips a 50 MB file by size without reading it', async () => {
    const r = repo({ 'small.py': 'x = 1\n' });
    const fd = openSync(join(r.dir, 'huge.py'), 'w');
    ftruncateSync(fd, 50 * 1024 * 1024);
    closeSync(fd);
    const before = process.memoryUsage().rss;
    const result = await walkRepository(r.dir, options);
    expect(result.files.map((f) => f.path)).toEqual(['small.py']);
    expect(reasons(result.skipped)['larger than context.maxFileBytes']).toEqual(['huge.py']);
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });

  it('handles an empty repository and 5,000 tiny files, capping at maxFiles', async () => {
    const empty = repo();
    expect(await walkRepository(empty.dir, options)).toEqual({ files: [], skipped: [] });
    const many = repo();
    for (let p = 0; p < 50; p++) mkdirSync(join(many.dir, `pkg${p}`));
    for (let i = 0; i < 5_000; i++)
      writeFileSync(
        join(many.dir, `pkg${i % 50}`, `m${String(i).padStart(4, '0')}.py`),
        `v = ${i}\n`,
      );
    const all = await walkRepository(many.dir, options);
    expect(all.files).toHaveLength(5_000);
    const capped = await walkRepository(many.dir, { ...options, maxFiles: 4_000 });
    expect(capped.files).toHaveLength(4_000);
    expect(capped.skipped).toEqual([
      { reason: 'beyond context.maxFiles', count: 1_000, examples: expect.any(Array) },
    ]);
  }, 180_000);

  it('decodes text strictly', () => {
    expect(decodeText(new TextEncoder().encode('h\u00e9'))).toEqual({ ok: true, text: 'h\u00e9' });
    expect(decodeText(new Uint8Array([0xff, 0xfe]))).toEqual({ ok: false, reason: 'encoding' });
  });
});
