import { describe, it, expect } from 'vitest';
import {
  boundedDistance,
  createLineMatcher,
  isSimilar,
} from '../../../src/pipeline/generate/line-similarity.js';
import { findFuzzy } from '../../../src/pipeline/generate/locate-block.js';

describe('line-similarity', () => {
  it('computes edit distances within the bound and reports more than the bound otherwise', () => {
    expect(boundedDistance('kitten', 'sitting', 3)).toBe(3);
    expect(boundedDistance('kitten', 'sitting', 2)).toBeGreaterThan(2);
    expect(boundedDistance('abc', 'abc', 0)).toBe(0);
    expect(boundedDistance('', 'abc', 5)).toBe(3);
  });

  it('calls lines similar at >= 0.8 on trimmed text', () => {
    expect(isSimilar('    return a - b', 'return a - c')).toBe(true);
    expect(isSimilar('return value', 'print(value)')).toBe(false);
    expect(isSimilar('abcdefghij', 'abcdefghXY')).toBe(true);
    expect(isSimilar('abcdefghij', 'abcdefgXYZ')).toBe(false);
  });

  it('stops spending after its work budget and says so', () => {
    const matcher = createLineMatcher(10);
    expect(matcher.distance('abcdefghijklmnop', 'abcdefghijklmnoq')).toBe(1);
    expect(matcher.distance('abcdefghijklmnop', 'abcdefghijklmnoz')).toBeUndefined();
    expect(matcher.exhausted).toBe(true);
    expect(matcher.distance('same', 'same')).toBe(0);
  });

  it('ranks fuzzy windows by similar lines, then by total distance', () => {
    const keys = [
      'value = compute(1)',
      'other = thing(1)',
      'value = compute(22)',
      'other = thing(22)',
    ];
    expect(findFuzzy(keys, ['value = compute(2)', 'other = thing(2)'])[0]).toEqual({
      start: 0,
      end: 2,
    });
    expect(findFuzzy(keys, ['value = compute(222)', 'other = thing(222)'])[0]).toEqual({
      start: 2,
      end: 4,
    });
  });
});
