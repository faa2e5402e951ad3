import { describe, it, expect } from 'vitest';
import { mergeRankings } from '../../../src/pipeline/context/merge-rankings.js';
import { packFiles } from '../../../src/pipeline/context/packing.js';
import {
  getIssueTerms,
  rankLexically,
  scoreLexically,
} from '../../../src/pipeline/context/lexical-ranking.js';
import { estimateTokens } from '../../../src/pipeline/context/tokens.js';

describe('context pure parts', () => {
  it('mergeRankings averages i/n with 1.0 for missing files, ascending, ties by path', () => {
    // a: (0/3 + 0/2 + 1)/3 = 0.333; b: (1/3 + 1.0 + 0/1)/3 = 0.444; c: (2/3 + 1/2 + 1)/3 = 0.722
    expect(mergeRankings([['a', 'b', 'c'], ['a', 'c'], ['b']])).toEqual(['a', 'b', 'c']);
    expect(
      mergeRankings([
        ['z', 'y'],
        ['y', 'z'],
      ]),
    ).toEqual(['y', 'z']);
    expect(mergeRankings([])).toEqual([]);
  });

  it('packFiles adds whole files in order and stops at the first that does not fit', () => {
    const ranked = [
      { path: 'a', tokens: 50 },
      { path: 'b', tokens: 40 },
      { path: 'c', tokens: 30 },
      { path: 'd', tokens: 5 },
    ];
    expect(packFiles(ranked, 100)).toEqual({ packed: ranked.slice(0, 2), tokens: 90 });
    expect(packFiles(ranked, 125)).toEqual({ packed: ranked, tokens: 125 });
    expect(packFiles([{ path: 'big', tokens: 200 }, ...ranked], 100)).toEqual({
      packed: [],
      tokens: 0,
    });
  });

  it('lexical fallback ranks by issue terms in path and content', () => {
    const terms = getIssueTerms('TimeoutError raised by fetch_url when the retryCount is zero');
    expect([...terms]).toEqual(
      expect.arrayContaining([
        'timeouterror',
        'timeout',
        'fetch_url',
        'fetch',
        'url',
        'retrycount',
        'retry',
        'count',
        'zero',
      ]),
    );
    expect(terms.has('the')).toBe(false);
    const ranked = rankLexically([
      {
        path: 'net/fetch.py',
        score: scoreLexically(terms, 'net/fetch.py', 'def fetch_url(): raise TimeoutError'),
      },
      { path: 'a/other.py', score: scoreLexically(terms, 'a/other.py', 'nothing here') },
      { path: 'b/retry.py', score: scoreLexically(terms, 'b/retry.py', 'retry') },
    ]);
    expect(ranked).toEqual(['net/fetch.py', 'b/retry.py']);
  });

  it('estimateTokens is ceil(chars / 3.5)', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abc')).toBe(1);
    expect(estimateTokens('x'.repeat(35_000))).toBe(10_000);
    expect(estimateTokens('x'.repeat(35_001))).toBe(10_001);
  });
});
