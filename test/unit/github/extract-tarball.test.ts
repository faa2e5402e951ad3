import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, readFile, readlink, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractTarball, DEFAULT_EXTRACT_LIMITS } from '../../../src/github/extract-tarball.js';
import { isCodemonkeysError } from '../../../src/errors.js';
import { makeTarball } from './helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cm-extract-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function expectRejected(
  entries: Parameters<typeof makeTarball>[0],
  limits = DEFAULT_EXTRACT_LIMITS,
) {
  const archive = await makeTarball(entries);
  const error = await extractTarball(archive, root, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isCodemonkeysError(error, 'WORKSPACE_ERROR')).toBe(true);
  return error;
}

describe('github/extract-tarball', () => {
  it('extracts files under the stripped prefix, keeps the executable bit and safe links', async () => {
    const archive = await makeTarball([
      { name: 'acme-lib-abc123/', type: 'directory' },
      { name: 'acme-lib-abc123/src/a.py', content: 'print(1)\n' },
      { name: 'acme-lib-abc123/run.sh', content: '#!/bin/sh\n', mode: 0o755 },
      { name: 'acme-lib-abc123/docs/link.py', type: 'symlink', linkname: '../src/a.py' },
      { name: 'acme-lib-abc123/copy.py', type: 'link', linkname: 'acme-lib-abc123/src/a.py' },
    ]);
    const result = await extractTarball(archive, root);
    expect(result.files).toBe(2);
    expect(await readFile(join(root, 'src/a.py'), 'utf8')).toBe('print(1)\n');
    expect((await stat(join(root, 'run.sh'))).mode & 0o111).not.toBe(0);
    expect(await readlink(join(root, 'docs/link.py'))).toBe('../src/a.py');
    expect(await readFile(join(root, 'docs/link.py'), 'utf8')).toBe('print(1)\n');
    expect(await readFile(join(root, 'copy.py'), 'utf8')).toBe('print(1)\n');
  });

  it('rejects `..` in a path', async () => {
    await expectRejected([{ name: 'p/../../evil.txt', content: 'x' }]);
    expect(await readdir(root)).toEqual([]);
  });

  it('rejects absolute paths', async () => {
    await expectRejected([{ name: '/etc/evil', content: 'x' }]);
  });

  it('rejects symbolic links escaping the root, even through another link', async () => {
    await expectRejected([{ name: 'p/out', type: 'symlink', linkname: '../../../etc/passwd' }]);
    await expectRejected([{ name: 'p/abs', type: 'symlink', linkname: '/etc/passwd' }]);
    await expectRejected([
      { name: 'p/dir/', type: 'directory' },
      { name: 'p/dir/up', type: 'symlink', linkname: '..' },
      { name: 'p/dir/up/x', type: 'symlink', linkname: '../..' },
    ]);
  });

  it('rejects hard links outside the root and entries written through a link', async () => {
    await expectRejected([{ name: 'p/h', type: 'link', linkname: '../etc/passwd' }]);
    await expectRejected([
      { name: 'p/d', type: 'symlink', linkname: '.' },
      { name: 'p/d/inner', type: 'symlink', linkname: '.' },
    ]);
  });

  it('caps the total size and the entry count', async () => {
    await expectRejected([{ name: 'p/big', content: 'x'.repeat(5_000) }], {
      ...DEFAULT_EXTRACT_LIMITS,
      maxBytes: 1_000,
    });
    await expectRejected(
      [1, 2, 3, 4].map((i) => ({ name: `p/f${i}`, content: 'x' })),
      { ...DEFAULT_EXTRACT_LIMITS, maxEntries: 3 },
    );
  });

  it('reports a corrupt archive as WORKSPACE_ERROR', async () => {
    const error = await extractTarball(Buffer.from('not a tarball'), root).catch((e: unknown) => e);
    expect(isCodemonkeysError(error, 'WORKSPACE_ERROR')).toBe(true);
  });
});
