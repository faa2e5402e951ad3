import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';

interface Entry {
  rel: string;
  abs: string;
  kind: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
}

/** Walks a snapshot directory in a stable order; symlinks are kept as links, never followed. */
async function* walk(root: string, rel = ''): AsyncGenerator<Entry> {
  const names = (await readdir(join(root, rel))).sort();
  for (const name of names) {
    const childRel = rel === '' ? name : `${rel}/${name}`;
    const abs = join(root, childRel);
    const stat = await lstat(abs);
    if (stat.isSymbolicLink()) yield { rel: childRel, abs, kind: 'symlink', mode: 0o777, size: 0 };
    else if (stat.isDirectory()) {
      yield { rel: childRel, abs, kind: 'dir', mode: stat.mode & 0o777, size: 0 };
      yield* walk(root, childRel);
    } else if (stat.isFile())
      yield { rel: childRel, abs, kind: 'file', mode: stat.mode & 0o777, size: stat.size };
  }
}

const isGitInternal = (rel: string): boolean => rel === '.git' || rel.startsWith('.git/');

/** Content hash of a snapshot (paths, modes, bytes, link targets; `.git` excluded). */
export async function hashSnapshot(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const entry of walk(dir)) {
    if (isGitInternal(entry.rel)) continue;
    hash.update(`${entry.kind}\0${entry.rel}\0${entry.mode & 0o111 ? 'x' : '-'}\0`);
    if (entry.kind === 'symlink') hash.update(await readlink(entry.abs));
    if (entry.kind === 'file') {
      for await (const chunk of createReadStream(entry.abs)) hash.update(chunk as Buffer);
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * Streams a snapshot directory as a tar whose entries are owned by uid/gid 1000, so the
 * unprivileged sandbox user owns its repository (git refuses "dubious ownership" otherwise).
 */
export function packSnapshot(dir: string): Readable {
  const pack = tar.pack();
  const owner = { uid: 1000, gid: 1000 };
  void (async () => {
    try {
      for await (const entry of walk(dir)) {
        const stat = await lstat(entry.abs);
        const base = { name: entry.rel, mode: entry.mode | 0o600, mtime: stat.mtime, ...owner };
        if (entry.kind === 'dir')
          pack.entry({ ...base, type: 'directory', mode: entry.mode | 0o700 });
        else if (entry.kind === 'symlink')
          pack.entry({ ...base, type: 'symlink', linkname: await readlink(entry.abs) });
        else {
          await new Promise<void>((resolve, reject) => {
            const sink = pack.entry({ ...base, size: entry.size }, (error) =>
              error ? reject(error) : resolve(),
            );
            const source = createReadStream(entry.abs);
            source.on('error', reject);
            source.pipe(sink);
          });
        }
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return pack as unknown as Readable;
}
