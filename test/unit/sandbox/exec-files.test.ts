import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { isCodemonkeysError } from '../../../src/errors.js';
import {
  PATCH_PATH,
  buildExecArchive,
  checkRelativeName,
} from '../../../src/sandbox/exec-files.js';

async function listArchive(
  buffer: Buffer,
): Promise<Array<{ name: string; uid: number | undefined; body: string }>> {
  const extract = tar.extract();
  const entries: Array<{ name: string; uid: number | undefined; body: string }> = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.push({
        name: entry.header.name,
        uid: entry.header.uid,
        body: Buffer.concat(chunks).toString(),
      });
    }
  })();
  extract.end(buffer);
  await done;
  return entries;
}

describe('exec-files', () => {
  it('accepts plain relative names and normalises them', () => {
    expect(checkRelativeName('test.py')).toBe('test.py');
    expect(checkRelativeName('a/./b.py')).toBe('a/b.py');
  });

  it.each(['', '/etc/passwd', '../x', 'a/../../x', '..', '.', 'a\0b'])('refuses %j', (name) => {
    let error: unknown;
    try {
      checkRelativeName(name);
    } catch (e) {
      error = e;
    }
    expect(isCodemonkeysError(error, 'SANDBOX_ERROR')).toBe(true);
  });

  it('builds a tar of files under the scratch dir and the patch, owned by uid 1000', async () => {
    const archive = await buildExecArchive(
      '/scratch',
      { 'test.py': 'print(1)', 'sub/dir/x.txt': 'x' },
      'diff',
    );
    const entries = await listArchive(archive);
    expect(entries.map((e) => e.name)).toEqual([
      'scratch/test.py',
      'scratch/sub',
      'scratch/sub/dir',
      'scratch/sub/dir/x.txt',
      PATCH_PATH.slice(1),
    ]);
    expect(entries.every((e) => e.uid === 1000)).toBe(true);
    expect(entries[0]?.body).toBe('print(1)');
    expect(entries.at(-1)?.body).toBe('diff');
  });
});
