import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSnapshotReader } from '../../../src/pipeline/generate/snapshot-reader.js';

const root = mkdtempSync(join(tmpdir(), 'cm-snap-'));
const repo = join(root, 'repo');
mkdirSync(join(repo, 'pkg'), { recursive: true });
mkdirSync(join(repo, '.git'));
writeFileSync(join(repo, 'pkg', 'mod.py'), 'x = 1\n');
writeFileSync(join(repo, '.git', 'config'), '[core]\n');
writeFileSync(join(repo, 'blob.bin'), Buffer.from([0xff, 0xfe, 0x00, 0x01]));
writeFileSync(join(root, 'secret.txt'), 'outside\n');
symlinkSync(join(root, 'secret.txt'), join(repo, 'link.txt'));
symlinkSync('pkg/mod.py', join(repo, 'inner-link.py'));

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('snapshot-reader', () => {
  const read = createSnapshotReader(repo);

  it('reads repository files by relative path', async () => {
    expect(await read('pkg/mod.py')).toBe('x = 1\n');
    expect(await read('./pkg/mod.py')).toBe('x = 1\n');
    expect(await read('inner-link.py')).toBe('x = 1\n');
  });

  it('treats missing, escaping, .git, directory and binary paths as absent', async () => {
    for (const path of [
      'nope.py',
      '../secret.txt',
      'link.txt',
      '.git/config',
      'pkg',
      'blob.bin',
      '/etc/passwd',
    ]) {
      expect(await read(path), path).toBeUndefined();
    }
  });
});
