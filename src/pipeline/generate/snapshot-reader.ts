import { readFile, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { checkEditPath } from './edit-paths.js';
import type { ReadOriginalFile } from './types.js';

/**
 * Reads original files from the repository snapshot directory for locating edits. The path comes
 * from the model: it is validated (relative, no `..`, not .git) and resolved through symlinks, and
 * anything that lands outside the snapshot, is not a regular file, or is not UTF-8 text reads as
 * "does not exist".
 */
export function createSnapshotReader(dir: string): ReadOriginalFile {
  let rootPromise: Promise<string> | undefined;
  return async (path) => {
    const checked = checkEditPath(path);
    if (!checked.ok) return undefined;
    rootPromise ??= realpath(dir);
    const root = await rootPromise;
    let real: string;
    try {
      real = await realpath(join(root, checked.path));
    } catch {
      return undefined;
    }
    if (!real.startsWith(root + sep)) return undefined;
    try {
      const bytes = await readFile(real);
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      return text.includes('\u0000') ? undefined : text;
    } catch {
      return undefined;
    }
  };
}
