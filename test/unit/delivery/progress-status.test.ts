import { describe, it, expect } from 'vitest';
import { getProgressLine, getStatusPatch } from '../../../src/delivery/progress-status.js';
import { makeUsage } from '../render/fixtures/run-report.js';

describe('delivery/progress-status', () => {
  it('maps a progress event to a status patch with samples and usage', () => {
    const usage = makeUsage();
    expect(
      getStatusPatch({ stage: 'generating', samplesDone: 2, samplesTotal: 10, usage }),
    ).toEqual({
      phase: 'running',
      stage: 'generating',
      detail: 'generating candidate fixes',
      samplesDone: 2,
      samplesTotal: 10,
      usage,
    });
    expect(
      getStatusPatch({ stage: 'preparing', detail: 'setup 1/2: pip install -e .', usage }).detail,
    ).toBe('setup 1/2: pip install -e .');
  });

  it('formats a terminal line with elapsed time, tokens and dollars', () => {
    const line = getProgressLine(
      { stage: 'generating', samplesDone: 3, samplesTotal: 5, usage: makeUsage() },
      42_400,
    );
    expect(line).toBe('[  42s] generating 3/5: generating candidate fixes · 370k tokens · $0.481');
  });
});
