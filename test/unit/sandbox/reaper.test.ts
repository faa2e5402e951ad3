import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  LABEL_CREATED,
  LABEL_HOST,
  LABEL_OWNER,
  LABEL_PID,
  LABEL_SANDBOX,
} from '../../../src/sandbox/labels.js';
import { isOrphan } from '../../../src/sandbox/reaper.js';

const now = 1_000_000_000;
const base = {
  [LABEL_SANDBOX]: '1',
  [LABEL_HOST]: hostname(),
  [LABEL_CREATED]: String(now - 1_000),
};
const options = { selfOwner: 'me', ttlMs: 60_000 };

describe('reaper', () => {
  it('never reaps its own resources, even expired ones with dead pids', () => {
    expect(
      isOrphan(
        { ...base, [LABEL_OWNER]: 'me', [LABEL_PID]: '4194000', [LABEL_CREATED]: '0' },
        options,
        now,
      ),
    ).toBe(false);
  });

  it('reaps resources of a dead process on this host', () => {
    expect(
      isOrphan({ ...base, [LABEL_OWNER]: 'other', [LABEL_PID]: '4194000' }, options, now),
    ).toBe(true);
  });

  it('keeps resources of a live process until the TTL', () => {
    expect(
      isOrphan({ ...base, [LABEL_OWNER]: 'other', [LABEL_PID]: String(process.pid) }, options, now),
    ).toBe(false);
    expect(
      isOrphan(
        {
          ...base,
          [LABEL_OWNER]: 'other',
          [LABEL_PID]: String(process.pid),
          [LABEL_CREATED]: String(now - 120_000),
        },
        options,
        now,
      ),
    ).toBe(true);
  });

  it('judges other hosts only by age', () => {
    const remote = {
      ...base,
      [LABEL_HOST]: 'some-other-host',
      [LABEL_OWNER]: 'other',
      [LABEL_PID]: '4194000',
    };
    expect(isOrphan(remote, options, now)).toBe(false);
    expect(isOrphan({ ...remote, [LABEL_CREATED]: '0' }, options, now)).toBe(true);
  });

  it('ignores resources that are not sandbox-labelled', () => {
    expect(isOrphan({ [LABEL_OWNER]: 'other', [LABEL_PID]: '4194000' }, options, now)).toBe(false);
    expect(isOrphan(undefined, options, now)).toBe(false);
  });
});
