import { describe, it, expect } from 'vitest';
import {
  getRunId,
  getRunJobId,
  getRunJobOptions,
  parseRunJobData,
} from '../../../src/queue/jobs.js';
import { CodemonkeysError, isCodemonkeysError } from '../../../src/errors.js';

describe('queue/jobs', () => {
  it('derives deterministic, case-folded job ids without ":"', () => {
    const a = getRunJobId({ owner: 'Acme', repo: 'Widgets.js', issueNumber: 42 });
    expect(a).toBe('run/acme/widgets.js/42');
    expect(a).not.toContain(':');
    expect(getRunJobId({ owner: 'acme', repo: 'widgets.js', issueNumber: 42 })).toBe(a);
    expect(getRunJobId({ owner: 'a-b', repo: 'c', issueNumber: 1 })).not.toBe(
      getRunJobId({ owner: 'a', repo: 'b-c', issueNumber: 1 }),
    );
  });

  it('names runs by issue and generation', () => {
    expect(getRunId({ owner: 'acme', repo: 'w', issueNumber: 3 }, 2)).toBe('acme/w#3@2');
  });

  it('removes completed jobs and backs off exponentially', () => {
    const opts = getRunJobOptions('run/a/b/1', { attempts: 4, backoffMs: 1000 });
    expect(opts).toMatchObject({
      jobId: 'run/a/b/1',
      attempts: 4,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
    });
  });

  it('validates job data and refuses unknown fields (no tokens sneak in)', () => {
    const good = {
      runId: 'a/b#1@1',
      installationId: 1,
      owner: 'a',
      repo: 'b',
      issueNumber: 1,
      requestedBy: 'u',
      trigger: 'label',
      enqueuedAt: 'now',
    };
    expect(parseRunJobData(good)).toEqual(good);
    const bad = (() => {
      try {
        parseRunJobData({ ...good, token: 'ghs_secret' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isCodemonkeysError(bad, 'INTERNAL')).toBe(true);
    expect((bad as CodemonkeysError).retryable).toBe(false);
    expect(() => parseRunJobData({ ...good, issueNumber: 'one' })).toThrow(CodemonkeysError);
  });
});
