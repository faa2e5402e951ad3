import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createGitDiff,
  verifyDiff,
  type FileChange,
} from '../../../src/pipeline/generate/unified-diff.js';

/** Deterministic pseudo-random numbers so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function randomEdit(next: () => number, eol: string, finalNewline: boolean): FileChange {
  const lines = Array.from(
    { length: 5 + Math.floor(next() * 40) },
    (_, i) => `line ${i} ${'x'.repeat(Math.floor(next() * 5))}`,
  );
  const after = [...lines];
  for (let k = 0; k < 1 + Math.floor(next() * 4); k += 1) {
    const at = Math.floor(next() * after.length);
    const op = next();
    if (op < 0.33) after.splice(at, 1);
    else if (op < 0.66) after.splice(at, 0, `inserted ${k}`);
    else after[at] = `changed ${k}`;
  }
  const join = (l: string[]): string =>
    l.length === 0 ? '' : l.join(eol) + (finalNewline ? eol : '');
  return { path: 'pkg/mod.py', before: join(lines), after: join(after) };
}

/** Runs the real `git apply --check` and `git apply` on a scratch repository (test-only process use). */
function gitApply(changes: FileChange[], diff: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'cm-diff-'));
  try {
    execFileSync('git', ['init', '-q', dir]);
    for (const c of changes) {
      if (c.before === undefined) continue;
      mkdirSync(dirname(join(dir, c.path)), { recursive: true });
      writeFileSync(join(dir, c.path), c.before);
    }
    writeFileSync(join(dir, 'edit.diff'), diff);
    execFileSync('git', ['-C', dir, 'apply', '--check', 'edit.diff']);
    execFileSync('git', ['-C', dir, 'apply', 'edit.diff']);
    return Object.fromEntries(
      changes.map((c) => [c.path, readFileSync(join(dir, c.path), 'utf8')]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('unified-diff', () => {
  it('round-trips random edits through the in-process check and through real git apply', () => {
    const next = rng(42);
    for (let i = 0; i < 30; i += 1) {
      const change = randomEdit(next, i % 3 === 0 ? '\r\n' : '\n', i % 4 !== 0);
      if (change.before === change.after) continue;
      const diff = createGitDiff([change]);
      expect(verifyDiff(diff, [change])).toBeUndefined();
      expect(gitApply([change], diff)).toEqual({ [change.path]: change.after });
    }
  });

  it('creates new files that git applies', () => {
    const changes: FileChange[] = [
      { path: 'a.py', before: 'x = 1\n', after: 'x = 2\n' },
      { path: 'new/b.py', before: undefined, after: 'print(1)\nprint(2)\n' },
    ];
    const diff = createGitDiff(changes);
    expect(diff).toContain(
      'diff --git a/new/b.py b/new/b.py\nnew file mode 100644\n--- /dev/null\n+++ b/new/b.py\n@@ -0,0 +1,2 @@\n',
    );
    expect(verifyDiff(diff, changes)).toBeUndefined();
    expect(gitApply(changes, diff)).toEqual({
      'a.py': 'x = 2\n',
      'new/b.py': 'print(1)\nprint(2)\n',
    });
  });

  it('detects a diff that does not reproduce the intended content', () => {
    const change: FileChange = { path: 'a.py', before: 'a\nb\nc\n', after: 'a\nB\nc\n' };
    const diff = createGitDiff([change]);
    expect(verifyDiff(diff, [{ ...change, after: 'a\nX\nc\n' }])).toMatch(/does not reproduce/);
    expect(verifyDiff(diff, [{ ...change, before: 'a\nq\nc\n' }])).toMatch(
      /does not match the original/,
    );
    expect(verifyDiff(diff, [change, { path: 'b.py', before: '', after: 'x\n' }])).toMatch(
      /file sections/,
    );
    expect(verifyDiff('garbage\n', [change])).toMatch(/outside a file section/);
  });
});
