import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyPatch, parsePatch, type StructuredPatch } from 'diff';
import { CodemonkeysError } from '../errors.js';
import { getSafeEntryPath } from './extract-tarball.js';

/** A file to write into the branch (`content: null` deletes it). */
export interface FileWrite {
  path: string;
  content: string | null;
  executable?: boolean;
}

function stripPrefix(name: string | undefined): string | undefined {
  if (name === undefined || name === '/dev/null') return undefined;
  const trimmed = name.replace(/\t.*$/, '');
  return /^[ab]\//.test(trimmed) ? trimmed.slice(2) : trimmed;
}

function patchError(message: string, path?: string): CodemonkeysError {
  return new CodemonkeysError('WORKSPACE_ERROR', `the selected diff does not apply: ${message}`, {
    retryable: false,
    ...(path === undefined ? {} : { details: { path } }),
  });
}

/** Validated relative path (no absolute, no `..`, no `.git`). */
function safePath(name: string): string {
  const path = getSafeEntryPath(name, 0);
  if (path === undefined) throw patchError('empty path');
  return path;
}

/**
 * Applies a unified (git) diff to the files of a snapshot directory, in process, and returns the
 * resulting file contents. Exact application only (no fuzz): the diff was produced against this
 * very snapshot, so anything else is a bug worth reporting.
 */
export async function applyDiffToSnapshot(diff: string, snapshotDir: string): Promise<FileWrite[]> {
  let patches: StructuredPatch[];
  try {
    patches = parsePatch(diff);
  } catch {
    throw patchError('it cannot be parsed', undefined);
  }
  const writes: FileWrite[] = [];
  for (const patch of patches) {
    const oldPath = stripPrefix(patch.oldFileName);
    const newPath = stripPrefix(patch.newFileName);
    if (oldPath === undefined && newPath === undefined) continue;
    if (newPath === undefined) {
      writes.push({ path: safePath(oldPath as string), content: null });
      continue;
    }
    const target = safePath(newPath);
    const original =
      oldPath === undefined ? '' : await readOriginal(snapshotDir, safePath(oldPath));
    const result = applyPatch(original, patch);
    if (result === false) throw patchError(`a hunk does not match ${target}`, target);
    if (oldPath !== undefined && oldPath !== newPath)
      writes.push({ path: safePath(oldPath), content: null });
    writes.push({ path: target, content: result });
  }
  if (writes.length === 0) throw patchError('it changes no file');
  return writes;
}

async function readOriginal(dir: string, path: string): Promise<string> {
  try {
    return await readFile(join(dir, ...path.split('/')), 'utf8');
  } catch (error) {
    throw new CodemonkeysError(
      'WORKSPACE_ERROR',
      `the selected diff changes ${path}, which is not in the snapshot`,
      {
        cause: error,
        retryable: false,
        details: { path },
      },
    );
  }
}
