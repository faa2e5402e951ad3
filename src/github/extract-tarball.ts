import { mkdir, writeFile, symlink, copyFile, lstat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, posix, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract, type Header } from 'tar-stream';
import { CodemonkeysError, throwIfAborted } from '../errors.js';

export interface ExtractLimits {
  /** Total bytes of file content (default 512 MB). */
  maxBytes: number;
  /** Number of entries (default 200,000). */
  maxEntries: number;
  /** Remove this many leading path components (GitHub tarballs have one: `owner-repo-sha/`). */
  strip: number;
  signal?: AbortSignal;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = {
  maxBytes: 512 * 1024 * 1024,
  maxEntries: 200_000,
  strip: 1,
};

function unsafe(message: string, name: string): CodemonkeysError {
  return new CodemonkeysError('WORKSPACE_ERROR', `unsafe repository archive: ${message}`, {
    retryable: false,
    details: { path: name.slice(0, 300) },
  });
}

/** Relative, normalised POSIX path inside the root, or throws. Empty string = the root itself. */
export function getSafeEntryPath(name: string, strip: number): string | undefined {
  if (name.includes('\0')) throw unsafe('entry name contains NUL', name);
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.includes('\\'))
    throw unsafe('absolute or Windows path', name);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe('path contains ..', name);
  const kept = parts.slice(strip);
  if (kept.length === 0) return undefined;
  if (kept[0] === '.git') throw unsafe('archive contains a .git directory', name);
  return kept.join('/');
}

/** Resolves a link target (relative to the link's directory) and checks it stays inside the root. */
export function getSafeLinkTarget(entryPath: string, target: string, hard: boolean): string {
  if (target.includes('\0') || isAbsolute(target) || target.includes('\\'))
    throw unsafe('link to an absolute path', entryPath);
  const resolved = hard
    ? posix.normalize(target)
    : posix.normalize(posix.join(posix.dirname(entryPath), target));
  if (resolved === '..' || resolved.startsWith('../') || posix.isAbsolute(resolved)) {
    throw unsafe('link escapes the repository', entryPath);
  }
  return resolved;
}

interface PendingLink {
  path: string;
  resolved: string;
  hard: boolean;
}

/**
 * Extracts a .tar.gz (a buffer, or a stream read as it arrives) safely into `root` (which must exist and be empty): rejects absolute paths,
 * `..`, links whose target leaves the root, device files; caps total size and entry count.
 * Links are created after all files, re-written in normalised form, and never through another
 * link, so no write can leave the root. Returns file count and bytes.
 */
export async function extractTarball(
  archive: Buffer | Uint8Array | AsyncIterable<Uint8Array>,
  root: string,
  limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS,
): Promise<{ files: number; bytes: number }> {
  const extractor = tarExtract();
  const links: PendingLink[] = [];
  let bytes = 0;
  let entries = 0;
  let files = 0;
  const done = new Promise<void>((resolve, reject) => {
    extractor.on('entry', (header: Header, stream, next) => {
      const fail = (error: unknown) => {
        stream.resume();
        reject(error);
        extractor.destroy();
      };
      handleEntry(header, stream as unknown as AsyncIterable<Buffer>)
        .then(() => next())
        .catch(fail);
    });
    extractor.on('finish', resolve);
    extractor.on('error', (error) =>
      reject(
        error instanceof CodemonkeysError
          ? error
          : new CodemonkeysError('WORKSPACE_ERROR', 'the repository archive is corrupt', {
              cause: error,
            }),
      ),
    );
  });

  async function handleEntry(header: Header, stream: AsyncIterable<Buffer>): Promise<void> {
    throwIfAborted(limits.signal);
    entries += 1;
    if (entries > limits.maxEntries)
      throw unsafe(`more than ${limits.maxEntries} entries`, header.name);
    if ((header.type as string).startsWith('pax-')) return drain(stream);
    const path = getSafeEntryPath(header.name, limits.strip);
    if (path === undefined) return drain(stream);
    const target = join(root, ...path.split('/'));
    if (header.type === 'directory') {
      await mkdir(target, { recursive: true });
      return drain(stream);
    }
    if (header.type === 'symlink' || header.type === 'link') {
      const hard = header.type === 'link';
      const linkTarget = header.linkname ?? '';
      const resolved = getSafeLinkTarget(
        path,
        hard ? (getSafeEntryPath(linkTarget, limits.strip) ?? '') : linkTarget,
        hard,
      );
      links.push({ path, resolved, hard });
      return drain(stream);
    }
    if (header.type !== 'file' && header.type !== 'contiguous-file') return drain(stream);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      bytes += chunk.length;
      if (bytes > limits.maxBytes)
        throw unsafe(`repository is larger than ${limits.maxBytes} bytes`, header.name);
      chunks.push(chunk);
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, Buffer.concat(chunks), {
      mode: (header.mode ?? 0o644) & 0o111 ? 0o755 : 0o644,
    });
    files += 1;
  }

  // A stream (the download) is consumed as it arrives; its own errors (size cap, network)
  // end the extraction with that error.
  const source =
    archive instanceof Uint8Array ? Readable.from([Buffer.from(archive)]) : Readable.from(archive);
  source
    .on('error', (e) => extractor.destroy(e))
    .pipe(createGunzip())
    .on('error', (e) => extractor.destroy(e))
    .pipe(extractor);
  try {
    await done;
  } finally {
    source.destroy();
  }
  await createLinks(root, links);
  return { files, bytes };
}

async function drain(stream: AsyncIterable<Buffer>): Promise<void> {
  for await (const _chunk of stream) {
    // discard
  }
}

async function createLinks(root: string, links: PendingLink[]): Promise<void> {
  const linkPaths = new Set(links.filter((l) => !l.hard).map((l) => l.path));
  const throughLink = (path: string) => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i += 1)
      if (linkPaths.has(parts.slice(0, i).join('/'))) return true;
    return false;
  };
  for (const link of links) {
    if (throughLink(link.path)) throw unsafe('entry is written through a symbolic link', link.path);
    const target = join(root, ...link.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    if (link.hard) {
      if (throughLink(link.resolved)) throw unsafe('hard link through a symbolic link', link.path);
      const source = join(root, ...link.resolved.split('/'));
      const stat = await lstat(source).catch(() => undefined);
      if (stat?.isFile() !== true) throw unsafe('hard link to a missing file', link.path);
      await copyFile(source, target);
      continue;
    }
    // Re-written relative to the link's own directory: only leading `..` then plain names.
    const rel = relative(dirname(target), join(root, normalize(link.resolved)))
      .split(sep)
      .join('/');
    await symlink(rel === '' ? '.' : rel, target);
  }
}
