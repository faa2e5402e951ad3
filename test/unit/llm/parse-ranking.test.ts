import { describe, it, expect } from 'vitest';
import { parseRanking } from '../../../src/llm/parse-ranking.js';

const known = new Set(['src/a.py', 'src/b.py', 'lib/c.py']);

describe('parseRanking', () => {
  it('reads the last fenced JSON array, dropping invented paths and repeats', () => {
    const reply =
      'First idea:\n```json\n["lib/c.py"]\n```\nOn reflection:\n```json\n["./src/b.py", "src/zzz.py", "src/a.py", "src/b.py"]\n```\n';
    expect(parseRanking(reply, known)).toEqual({
      ok: true,
      paths: ['src/b.py', 'src/a.py'],
      invented: ['src/zzz.py'],
      duplicates: ['src/b.py'],
    });
  });

  it('accepts plain and tilde fences and CRLF', () => {
    expect(parseRanking('```\r\n["src/a.py"]\r\n```', known)).toMatchObject({
      ok: true,
      paths: ['src/a.py'],
    });
    expect(parseRanking('~~~json\n["lib/c.py"]\n~~~', known)).toMatchObject({
      ok: true,
      paths: ['lib/c.py'],
    });
  });

  it.each([
    ['["src/a.py"]', 'no fenced code block'],
    ['```json\n["src/a.py",]\n```', 'not valid JSON'],
    ['```json\n{"files": ["src/a.py"]}\n```', 'holds JSON object'],
    ['```json\n["src/a.py", 3]\n```', 'element 1 of the array is 3'],
    ['```json\n[]\n```', 'the array is empty'],
    ['```json\n["nope.py"]\n```', 'none of the listed paths'],
  ])('explains a bad ranking: %j', (reply, expected) => {
    const parsed = parseRanking(reply, known);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toContain(expected);
  });
});
