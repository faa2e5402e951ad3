import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CALC_LINES = [
  'def add(a, b):',
  '    return a - b',
  '',
  '',
  'def mul(a, b):',
  '    return a * b',
  '',
];

/** A tiny Python package (no .git: preparation makes the base commit). */
export function makeBenchRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cm-bench-repo-'));
  mkdirSync(join(dir, 'pkg'));
  writeFileSync(join(dir, 'pkg', '__init__.py'), '');
  writeFileSync(join(dir, 'pkg', 'calc.py'), CALC_LINES.join('\n'));
  return dir;
}

/** Edit number `k`: add() returns a + b + (k % 2), so half of the edits are right. */
export function getCalcPatch(k: number): string {
  return [
    '--- a/pkg/calc.py',
    '+++ b/pkg/calc.py',
    '@@ -1,4 +1,4 @@',
    ' def add(a, b):',
    '-    return a - b',
    `+    return a + b + ${k % 2}`,
    ' ',
    ' ',
    '',
  ].join('\n');
}

/** Test number `t`: a short script (about 0.1 s of its own work) checking add(). */
export function getMatrixTest(t: number): string {
  return [
    'import os, sys, time',
    'sys.path.insert(0, os.environ["CODEMONKEYS_WORKDIR"])',
    'from pkg.calc import add',
    'time.sleep(0.1)',
    `ok = add(${t}, 1) == ${t + 1}`,
    'print("PASS" if ok else "FAIL")',
    'sys.exit(0 if ok else 1)',
    '',
  ].join('\n');
}
