import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** The .gitignore rules in force in one directory: those of every ancestor, nearest last. */
export interface IgnoreLevel {
  /** Directory of the .gitignore, relative to the repository root, posix, '' for the root. */
  base: string;
  rules: Ignore;
}

/** Reads `dir/.gitignore` if present; returns the stack extended with it. */
export async function extendIgnoreStack(
  stack: readonly IgnoreLevel[],
  root: string,
  relDir: string,
): Promise<readonly IgnoreLevel[]> {
  let text: string;
  try {
    text = await readFile(join(root, relDir, '.gitignore'), 'utf8');
  } catch {
    return stack;
  }
  const rules = ignore({ allowRelativePaths: true }).add(text);
  return [...stack, { base: relDir, rules }];
}

/**
 * Git semantics: deeper files override shallower ones and a later negation (`!keep.log`)
 * re-includes. (As in git, a file inside an ignored directory is never seen: the walker does not
 * descend into it.)
 */
export function isGitIgnored(
  stack: readonly IgnoreLevel[],
  relPath: string,
  isDir: boolean,
): boolean {
  let ignored = false;
  for (const level of stack) {
    const sub = level.base === '' ? relPath : relPath.slice(level.base.length + 1);
    const result = level.rules.test(isDir ? `${sub}/` : sub);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}
