import { describe, it, expect } from 'vitest';
import { parseVerdict } from '../../../src/llm/parse-verdict.js';

describe('parseVerdict', () => {
  it('reads a relevant verdict with a multi-line summary, keeping identifiers intact', () => {
    const reply =
      'The file defines parse_args.\n\nRELEVANCE: Relevant\nSUMMARY: `parse_args` mishandles\n`--max_depth` values.\n';
    expect(parseVerdict(reply)).toEqual({
      ok: true,
      relevant: true,
      summary: '`parse_args` mishandles\n`--max_depth` values.',
    });
  });

  it.each([
    ['**RELEVANCE:** Not Relevant'],
    ['relevance:   not relevant.'],
    ['## Relevance: NOT_RELEVANT'],
    ['RELEVANCE: Irrelevant'],
    ['Thinking...\r\n**RELEVANCE: not-relevant**\r\n'],
  ])('is lenient on case, spacing and markdown: %j', (reply) => {
    expect(parseVerdict(reply)).toEqual({ ok: true, relevant: false });
  });

  it('accepts bold markers and an inline summary', () => {
    expect(parseVerdict('**RELEVANCE:** **Relevant**\n**SUMMARY:** Holds the cache.')).toEqual({
      ok: true,
      relevant: true,
      summary: 'Holds the cache.',
    });
    expect(parseVerdict('RELEVANCE: Relevant SUMMARY: inline one')).toEqual({
      ok: true,
      relevant: true,
      summary: 'inline one',
    });
  });

  it('uses the last verdict line when the model quotes the format first', () => {
    const reply =
      'I must answer RELEVANCE: Relevant or\nRELEVANCE: Not Relevant\nafter thinking. It is unrelated.\nRELEVANCE: Not Relevant';
    expect(parseVerdict(reply)).toEqual({ ok: true, relevant: false });
  });

  it('explains precisely what is wrong', () => {
    const none = parseVerdict('I think this file matters.');
    expect(none).toMatchObject({ ok: false });
    expect(!none.ok && none.problem).toContain('no verdict line');
    const odd = parseVerdict('RELEVANCE: Maybe');
    expect(!odd.ok && odd.problem).toContain('`RELEVANCE: Maybe`');
    const noSummary = parseVerdict('RELEVANCE: Relevant');
    expect(!noSummary.ok && noSummary.problem).toContain('no summary');
    const emptySummary = parseVerdict('RELEVANCE: Relevant\nSUMMARY:   ');
    expect(emptySummary.ok).toBe(false);
  });
});
