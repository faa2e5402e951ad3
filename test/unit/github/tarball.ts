import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';

export type TarEntry =
  | { name: string; content: string; mode?: number }
  | { name: string; type: 'directory' }
  | { name: string; type: 'symlink' | 'link'; linkname: string };

/** A gzipped tarball like GitHub's (entries under `prefix/`). */
export async function makeTarball(entries: TarEntry[]): Promise<Buffer> {
  const pack = tarPack();
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    gzip.on('data', (c: Buffer) => chunks.push(c));
    gzip.on('end', () => resolve(Buffer.concat(chunks)));
    gzip.on('error', reject);
  });
  pack.pipe(gzip);
  for (const entry of entries) {
    if ('content' in entry)
      pack.entry({ name: entry.name, mode: entry.mode ?? 0o644 }, entry.content);
    else if (entry.type === 'directory') pack.entry({ name: entry.name, type: 'directory' });
    else pack.entry({ name: entry.name, type: entry.type, linkname: entry.linkname });
  }
  pack.finalize();
  return done;
}
