import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import pLimit from 'p-limit';
import { CodemonkeysError, throwIfAborted } from '../../errors.js';
import { estimateTokens } from './tokens.js';
import { extendIgnoreStack, isGitIgnored, type IgnoreLevel } from './gitignore.js';
import { isLockfile, isMinifiedName, isSkippedDir, looksMinified } from './skip-rules.js';
import { SKIP_REASONS, SkipCounter, type SkipGroup } from './skip-report.js';

export interface RepoFile {
  /** Posix path relative to the repository root. */
  path: string;
  bytes: number;
  tokens: number;
  /** sha256 of the content: identical blobs are scanned once. */
  sha: string;
}

export interface WalkOptions {
  include: readonly string[];
  exclude: readonly string[];
  maxFileBytes: number;
  maxFiles: number;
  signal?: AbortSignal;
}

export interface WalkResult {
  files: RepoFile[];
  skipped: SkipGroup[];
}

export type TextResult = { ok: true; text: string } | { ok: false; reason: 'binary' | 'encoding' };

const CHUNK = 256;
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes file bytes as text: NUL bytes mean binary; invalid UTF-8 is reported, never guessed. */
export function decodeText(buffer: Uint8Array): TextResult {
  if (buffer.includes(0)) return { ok: false, reason: 'binary' };
  try {
    return { ok: true, text: decoder.decode(buffer) };
  } catch {
    return { ok: false, reason: 'encoding' };
  }
}

/** Reads one file the walker accepted, as text. */
export async function readRepoFile(root: string, path: string): Promise<string> {
  const decoded = decodeText(await readFile(join(root, path)));
  if (!decoded.ok) throw new CodemonkeysError('WORKSPACE_ERROR', `${path} is no longer valid text`);
  return decoded.text;
}

/**
 * Lists the files of a repository worth showing to the relevance model, in path order, and says
 * what it left out and why. Honours .gitignore files (nested too), never follows symbolic links
 * (so link loops cannot happen), skips vendored/generated folders, lockfiles, minified bundles,
 * binaries, non-UTF-8 text, empty files and files over `maxFileBytes` (without reading them),
 * then applies the include/exclude globs. Content is not kept (it is re-read when needed), so
 * memory stays flat on large repositories.
 */
export async function walkRepository(root: string, options: WalkOptions): Promise<WalkResult> {
  const skips = new SkipCounter();
  const included = picomatch([...options.include], { dot: true });
  const excluded =
    options.exclude.length > 0 ? picomatch([...options.exclude], { dot: true }) : () => false;
  const candidates: string[] = [];

  async function visit(relDir: string, parentStack: readonly IgnoreLevel[]): Promise<void> {
    throwIfAborted(options.signal);
    const stack = await extendIgnoreStack(parentStack, root, relDir);
    let entries;
    try {
      entries = await readdir(join(root, relDir), { withFileTypes: true });
    } catch {
      skips.add(SKIP_REASONS.unreadable, relDir === '' ? '.' : `${relDir}/`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isSymbolicLink()) skips.add(SKIP_REASONS.symlink, rel);
      else if (entry.isDirectory()) {
        if (isSkippedDir(entry.name)) skips.add(SKIP_REASONS.vendored, `${rel}/`);
        else if (isGitIgnored(stack, rel, true)) skips.add(SKIP_REASONS.gitignored, `${rel}/`);
        else await visit(rel, stack);
      } else if (!entry.isFile()) skips.add(SKIP_REASONS.special, rel);
      else if (isGitIgnored(stack, rel, false)) skips.add(SKIP_REASONS.gitignored, rel);
      else if (isLockfile(entry.name)) skips.add(SKIP_REASONS.lockfile, rel);
      else if (isMinifiedName(entry.name)) skips.add(SKIP_REASONS.minified, rel);
      else if (excluded(rel)) skips.add(SKIP_REASONS.excluded, rel);
      else if (!included(rel)) skips.add(SKIP_REASONS.notIncluded, rel);
      else candidates.push(rel);
    }
  }

  await visit('', []);
  // Inspect in path order, in chunks, and stop reading once maxFiles files were accepted.
  const limit = pLimit(16);
  const files: RepoFile[] = [];
  let next = 0;
  while (next < candidates.length && files.length < options.maxFiles) {
    const chunk = candidates.slice(next, next + CHUNK);
    next += chunk.length;
    const checked = await Promise.all(
      chunk.map((path) => limit(() => inspect(root, path, options, skips))),
    );
    for (const file of checked) {
      if (file === undefined) continue;
      if (files.length >= options.maxFiles) skips.add(SKIP_REASONS.tooMany, file.path);
      else files.push(file);
    }
  }
  for (const path of candidates.slice(next)) skips.add(SKIP_REASONS.tooMany, path);
  return { files, skipped: skips.report() };
}

async function inspect(
  root: string,
  path: string,
  options: WalkOptions,
  skips: SkipCounter,
): Promise<RepoFile | undefined> {
  throwIfAborted(options.signal);
  const full = join(root, path);
  try {
    const info = await lstat(full);
    if (info.size > options.maxFileBytes) return void skips.add(SKIP_REASONS.tooLarge, path);
    const decoded = decodeText(await readFile(full));
    if (!decoded.ok)
      return void skips.add(
        decoded.reason === 'binary' ? SKIP_REASONS.binary : SKIP_REASONS.encoding,
        path,
      );
    if (decoded.text.trim() === '') return void skips.add(SKIP_REASONS.empty, path);
    if (looksMinified(decoded.text)) return void skips.add(SKIP_REASONS.minified, path);
    const sha = createHash('sha256').update(decoded.text).digest('hex');
    return { path, bytes: info.size, tokens: estimateTokens(decoded.text), sha };
  } catch (error) {
    if (error instanceof CodemonkeysError) throw error;
    return void skips.add(SKIP_REASONS.unreadable, path);
  }
}
