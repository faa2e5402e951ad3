import { describe, it, expect } from 'vitest';
import {
  applyEditBlocks,
  getEditPaths,
  type EditOutcome,
} from '../../../src/pipeline/generate/edits.js';

const CALC = [
  'def add(a, b):',
  '    return a - b',
  '',
  '',
  'def sub(a, b):',
  '    return a - b',
  '',
].join('\n');
const UTIL = [
  'import os',
  '',
  'def helper():',
  '    value = compute_the_value(1, 2)',
  '    return value',
  '',
].join('\n');

function edit(...blocks: string[]): string {
  return blocks.join('\n');
}
function block(
  path: string,
  search: string,
  replace: string,
  marks = { lt: '<<<<<<<', eq: '=======', gt: '>>>>>>>' },
): string {
  const s = search === '' ? '' : `${search}\n`;
  const r = replace === '' ? '' : `${replace}\n`;
  return `${marks.lt} SEARCH ${path}\n${s}${marks.eq}\n${r}${marks.gt} REPLACE`;
}
function run(
  body: string,
  originals: Record<string, string | undefined> = { 'calc.py': CALC },
  others = [{ path: 'util.py', content: UTIL }],
): EditOutcome {
  return applyEditBlocks(body, {
    originals: new Map(Object.entries(originals)),
    otherFiles: others,
  });
}
function errorsOf(outcome: EditOutcome): string[] {
  expect(outcome.ok).toBe(false);
  return outcome.ok ? [] : outcome.errors;
}
function okOf(outcome: EditOutcome) {
  if (!outcome.ok) throw new Error(`expected success, got: ${outcome.errors.join(' | ')}`);
  return outcome;
}

describe('edits', () => {
  it('applies a unique exact block and produces a git diff with 3 lines of context', () => {
    const out = okOf(
      run(block('calc.py', 'def add(a, b):\n    return a - b', 'def add(a, b):\n    return a + b')),
    );
    expect(out.diff).toBe(
      [
        'diff --git a/calc.py b/calc.py',
        '--- a/calc.py',
        '+++ b/calc.py',
        '@@ -1,5 +1,5 @@',
        ' def add(a, b):',
        '-    return a - b',
        '+    return a + b',
        ' ',
        ' ',
        ' def sub(a, b):',
        '',
      ].join('\n'),
    );
    expect(out.files).toEqual([{ path: 'calc.py', added: 1, removed: 1, created: false }]);
    expect(out.changedLines).toBe(2);
  });

  it('accepts longer markers and a divider of more than 5 =', () => {
    const marks = { lt: '<<<<<<<<<<', eq: '==========', gt: '>>>>' };
    const out = okOf(
      run(
        block(
          'calc.py',
          'def add(a, b):\n    return a - b',
          'def add(a, b):\n    return a + b',
          marks,
        ),
      ),
    );
    expect(out.files[0]?.added).toBe(1);
  });

  it('rejects markers that are too short', () => {
    const marks = { lt: '<<', eq: '====', gt: '>>' };
    expect(errorsOf(run(block('calc.py', 'x', 'y', marks)))[0]).toMatch(/no search\/replace block/);
  });

  it('says "not specific enough" when the SEARCH lines match several places', () => {
    const errors = errorsOf(run(block('calc.py', '    return a - b', '    return a + b')));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/not specific enough/);
    expect(errors[0]).toMatch(/lines? 2, line 6/);
  });

  it('offers a whitespace-insensitive "did you mean" and never applies it', () => {
    const errors = errorsOf(
      run(block('calc.py', 'def add(a,b):\n  return a - b', 'def add(a, b):\n    return a + b')),
    );
    expect(errors[0]).toMatch(/Did you mean/);
    expect(errors[0]).toMatch(/differ only in whitespace/);
    expect(errors[0]).toContain('lines 1-2:\n```\ndef add(a, b):\n    return a - b\n```');
  });

  it('offers a fuzzy "did you mean" when at least half the lines are similar', () => {
    const search = 'def sub(a, b):\n    return a - c';
    const errors = errorsOf(run(block('calc.py', search, 'x')));
    expect(errors[0]).toMatch(/similar to, but not the same as/);
    // Best window first: both lines similar at 5-6; only one at 1-2.
    expect(errors[0]).toMatch(/Did you mean:\nlines 5-6:[\s\S]*lines 1-2:/);
  });

  it('says "found in file X" when the lines are in another file', () => {
    const errors = errorsOf(
      run(block('calc.py', '    value = compute_the_value(1, 2)', '    value = 3')),
    );
    expect(errors[0]).toMatch(/not found in calc\.py/);
    expect(errors[0]).toMatch(/found in file util\.py \(line 4\)/);
  });

  it('reports a SEARCH that matches nothing anywhere', () => {
    const errors = errorsOf(run(block('calc.py', 'zzz qqq', 'x')));
    expect(errors[0]).toMatch(/not found in calc\.py, not even approximately/);
  });

  it('reports a missing file, and finds the lines in another file', () => {
    const errors = errorsOf(
      run(block('utils.py', 'def helper():', 'def helper2():'), { 'utils.py': undefined }),
    );
    expect(errors[0]).toMatch(/utils\.py does not exist/);
    expect(errors[0]).toMatch(/found in file util\.py/);
  });

  it('rejects overlapping blocks in one file', () => {
    const body = edit(
      block('calc.py', 'def add(a, b):\n    return a - b', 'x'),
      block('calc.py', '    return a - b\n\n\ndef sub(a, b):', 'y'),
    );
    const errors = errorsOf(run(body));
    expect(errors[0]).toMatch(/Blocks 1 and 2 overlap in calc\.py/);
  });

  it('applies several non-overlapping blocks located against the original', () => {
    const body = edit(
      block(
        'calc.py',
        'def sub(a, b):\n    return a - b',
        'def sub(a, b):\n    return a - b  # ok',
      ),
      block('calc.py', 'def add(a, b):\n    return a - b', 'def add(a, b):\n    return a + b'),
    );
    const out = okOf(run(body));
    expect(out.files[0]).toMatchObject({ added: 2, removed: 2 });
  });

  it('creates a new file from an empty SEARCH on a path that does not exist', () => {
    const out = okOf(
      run(block('pkg/new_mod.py', '', 'X = 1\nY = 2'), { 'pkg/new_mod.py': undefined }),
    );
    expect(out.diff).toBe(
      [
        'diff --git a/pkg/new_mod.py b/pkg/new_mod.py',
        'new file mode 100644',
        '--- /dev/null',
        '+++ b/pkg/new_mod.py',
        '@@ -0,0 +1,2 @@',
        '+X = 1',
        '+Y = 2',
        '',
      ].join('\n'),
    );
    expect(out.files).toEqual([{ path: 'pkg/new_mod.py', added: 2, removed: 0, created: true }]);
  });

  it('refuses an empty SEARCH on an existing file, and an empty new file', () => {
    expect(errorsOf(run(block('calc.py', '', 'x')))[0]).toMatch(/already exists/);
    expect(errorsOf(run(block('n.py', '', ''), { 'n.py': undefined }))[0]).toMatch(/needs content/);
  });

  it('refuses to create the same new file twice or to edit a file it creates', () => {
    const twice = edit(block('n.py', '', 'a'), block('n.py', '', 'b'));
    expect(errorsOf(run(twice, { 'n.py': undefined }))[0]).toMatch(/created by an earlier block/);
    const then = edit(block('n.py', '', 'a'), block('n.py', 'a', 'b'));
    expect(errorsOf(run(then, { 'n.py': undefined }))[0]).toMatch(/created by block 1/);
  });

  it('fills an existing empty file from an empty SEARCH without marking it created', () => {
    const out = okOf(run(block('empty.py', '', 'x = 1'), { 'empty.py': '' }));
    expect(out.diff).not.toContain('new file mode');
    expect(out.diff).toContain('@@ -0,0 +1,1 @@\n+x = 1\n');
  });

  it.each([
    ['/etc/passwd', /relative/],
    ['../outside.py', /inside the repository/],
    ['a/../../b.py', /inside the repository/],
    ['.git/config', /\.git/],
    ['vendor/.git/hooks/pre-commit', /\.git/],
    ['.github/workflows/ci.yml', /CI files/],
    ['.github/actions/setup/action.yml', /CI files/],
    ['C:/x.py', /relative/],
    ['a\\b.py', /forward slashes/],
    ['', /must name the file/],
  ])('rejects the unsafe path %j', (path, reason) => {
    expect(errorsOf(run(block(path, 'x', 'y')))[0]).toMatch(reason);
  });

  it('normalises ./ and backticks around paths', () => {
    expect(getEditPaths(block('./calc.py', 'a', 'b'))).toEqual(['calc.py']);
    expect(getEditPaths(block('`calc.py`', 'a', 'b'))).toEqual(['calc.py']);
  });

  it('reports structural problems: missing divider, unclosed block, stray marker', () => {
    expect(errorsOf(run('<<<<<<< SEARCH calc.py\nx\n>>>>>>> REPLACE'))[0]).toMatch(
      /no "=======" divider/,
    );
    expect(errorsOf(run('<<<<<<< SEARCH calc.py\nx\n=======\ny\n'))[0]).toMatch(/not closed/);
    expect(errorsOf(run('hello\n>>>>>>> REPLACE'))[0]).toMatch(/outside any block/);
  });

  it('ignores prose and code fences around blocks, and CRLF in the edit', () => {
    const body = `Here is the fix:\r\n\`\`\`python\r\n${block('calc.py', 'def add(a, b):\n    return a - b', 'def add(a, b):\n    return a + b').replace(/\n/g, '\r\n')}\r\n\`\`\`\r\n`;
    const out = okOf(run(body));
    expect(out.diff).toContain('+    return a + b\n');
  });

  it('keeps CRLF line endings of a CRLF file', () => {
    const crlf = 'a = 1\r\nb = 2\r\nc = 3\r\n';
    const out = okOf(run(block('w.py', 'b = 2', 'b = 20'), { 'w.py': crlf }));
    expect(out.diff).toContain('-b = 2\r\n+b = 20\r\n');
  });

  it('keeps a missing trailing newline and marks it in the diff', () => {
    const out = okOf(run(block('t.py', 'b = 2', 'b = 3'), { 't.py': 'a = 1\nb = 2' }));
    expect(out.diff).toContain(
      '-b = 2\n\\ No newline at end of file\n+b = 3\n\\ No newline at end of file\n',
    );
  });

  it('deletes lines with an empty REPLACE', () => {
    const out = okOf(run(block('calc.py', 'def sub(a, b):\n    return a - b', '')));
    expect(out.files[0]).toMatchObject({ added: 0, removed: 2 });
  });

  it('says when the edit changes nothing', () => {
    expect(errorsOf(run(block('calc.py', 'def add(a, b):', 'def add(a, b):')))[0]).toMatch(
      /changes nothing/,
    );
  });

  it('reports every failing block at once', () => {
    const body = edit(
      block('calc.py', '    return a - b', 'x'),
      block('calc.py', 'nothing here', 'y'),
    );
    expect(errorsOf(run(body))).toHaveLength(2);
  });

  it('orders multi-file diffs by path', () => {
    const body = edit(
      block('util.py', 'import os', 'import sys'),
      block('calc.py', 'def add(a, b):', 'def plus(a, b):'),
    );
    const out = okOf(run(body, { 'calc.py': CALC, 'util.py': UTIL }));
    expect(out.files.map((f) => f.path)).toEqual(['calc.py', 'util.py']);
    expect(out.diff.indexOf('a/calc.py')).toBeLessThan(out.diff.indexOf('a/util.py'));
  });
});
