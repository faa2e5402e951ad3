import { describe, it, expect } from 'vitest';
import {
  parseIntegerBody,
  parseTaggedReply,
  unwrapFence,
  type ParsedReply,
} from '../../../src/llm/parse-tags.js';

function ok(parsed: ParsedReply) {
  if (!parsed.ok) throw new Error(`expected a block, got problem: ${parsed.problem}`);
  return parsed.block;
}
function problem(parsed: ParsedReply): string {
  if (parsed.ok) throw new Error(`expected a problem, got <${parsed.block.kind}>`);
  return parsed.problem;
}

describe('parse-tags', () => {
  it('returns the single block, its body and the prose before it', () => {
    const block = ok(
      parseTaggedReply('The bug is in foo.\n\n<test>\nprint(1)\n</test>\n', ['test', 'done']),
    );
    expect(block).toEqual({ kind: 'test', body: '\nprint(1)\n', prose: 'The bug is in foo.' });
  });

  it('parses <done>DONE</done> and a candidate id', () => {
    expect(ok(parseTaggedReply('All good. <done>DONE</done>', ['test', 'done'])).kind).toBe('done');
    const chosen = ok(
      parseTaggedReply(
        'Candidate 1 is best.\n<chosen_candidate_fix_id> 1 </chosen_candidate_fix_id>',
        ['test', 'chosen_candidate_fix_id'],
      ),
    );
    expect(parseIntegerBody(chosen.body)).toBe(1);
    expect(chosen.prose).toBe('Candidate 1 is best.');
    expect(parseIntegerBody('one')).toBeUndefined();
  });

  it('rejects a reply with no block, naming the allowed kinds', () => {
    expect(problem(parseTaggedReply('I think the fix is easy.', ['edit', 'test', 'done']))).toBe(
      'Your reply contains no tagged block. Reason in prose first, then end with exactly one of <edit>, <test>, <done>.',
    );
  });

  it('rejects several blocks and counts them by kind', () => {
    const text = '<test>a</test>\n<edit>b</edit>\n<test>c</test>';
    expect(problem(parseTaggedReply(text, ['edit', 'test', 'done']))).toMatch(
      /contains 3 tagged blocks \(2 x <test>, 1 x <edit>\)/,
    );
  });

  it('reports an unclosed block (e.g. a reply cut at max tokens)', () => {
    expect(problem(parseTaggedReply('Here:\n<test>\nimport os\n', ['test', 'done']))).toMatch(
      /opens <test> but never closes it/,
    );
  });

  it('reports a kind that is not allowed at this step', () => {
    expect(problem(parseTaggedReply('<edit>x</edit>', ['test', 'done']))).toMatch(
      /uses 1 x <edit>, which is not allowed/,
    );
  });

  it('ignores a disallowed block when exactly one allowed block is present', () => {
    expect(ok(parseTaggedReply('<edit>x</edit><done>DONE</done>', ['done'])).kind).toBe('done');
  });

  it('normalises CRLF', () => {
    expect(ok(parseTaggedReply('why\r\n<test>\r\na = 1\r\n</test>\r\n', ['test'])).body).toBe(
      '\na = 1\n',
    );
  });

  it('unwraps a code fence inside the tag', () => {
    const block = ok(
      parseTaggedReply('<test>\n```python\nimport sys\nsys.exit(2)\n```\n</test>', ['test']),
    );
    expect(block.body).toBe('import sys\nsys.exit(2)\n');
  });

  it('keeps several fenced blocks inside an edit as they are', () => {
    const body = '\n```\nA\n```\n```\nB\n```\n';
    expect(ok(parseTaggedReply(`<edit>${body}</edit>`, ['edit'])).body).toBe(body);
  });

  it('ignores tags quoted inside fenced code in the prose', () => {
    const text = 'Earlier I sent:\n```\n<edit>old</edit>\n```\nNow the new one:\n<edit>new</edit>';
    const block = ok(parseTaggedReply(text, ['edit']));
    expect(block.body).toBe('new');
    expect(block.prose).toContain('Earlier I sent');
  });

  it('accepts an answer wrapped entirely in a fence when nothing is outside fences', () => {
    const text = 'Answer:\n```xml\n<test>\nprint(2)\n</test>\n```';
    expect(ok(parseTaggedReply(text, ['test'])).body).toBe('\nprint(2)\n');
  });

  it('ignores inline-code and prose mentions of tags', () => {
    const text = 'I will answer with `<done>` later; first an <edit> block:\n<edit>\nreal\n</edit>';
    const block = ok(parseTaggedReply(text, ['edit', 'done']));
    expect(block.body).toBe('\nreal\n');
  });

  it('treats tags inside a block body as content', () => {
    const text = '<edit>\nhtml = "<test>x</test>"\n</edit>';
    expect(ok(parseTaggedReply(text, ['edit', 'test'])).body).toBe('\nhtml = "<test>x</test>"\n');
  });

  it('keeps fences inside a test body that are not the enclosing fence', () => {
    expect(unwrapFence('plain\n')).toBe('plain\n');
    expect(unwrapFence('```\na\n```')).toBe('a\n');
  });
});
