import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import { startHarness, examplePayload, type Harness } from './harness.js';
import {
  setUpNock,
  tearDownNock,
  leftovers,
  mockInstallationToken,
  mockNoConfig,
  mockPermission,
  mockListComments,
  mockCreateComment,
} from './github-mock.js';
import { createReadCache } from '../../../src/app/read-cache.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ reads: createReadCache({ ttlMs: 5_000 }) });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  setUpNock();
  mockInstallationToken();
});
afterEach(async () => {
  await h.background.drain();
  const left = leftovers();
  tearDownNock();
  expect(left).toEqual({ pending: [], unexpected: [] });
});

describe('app/handlers (burst with read cache)', () => {
  it('a burst of labels on one repository reads config and permission once and queues each issue once', async () => {
    const issues = [11, 12, 13, 14, 15];
    mockNoConfig(); // exactly one pair of config reads
    mockPermission('Codertocat', 'write'); // exactly one permission read
    const bodies: string[] = [];
    for (const n of issues) {
      mockListComments(n);
      mockCreateComment(n, bodies, 3000 + n);
    }
    const deliveries = [...issues, ...issues].map((n) =>
      h.send('issues', examplePayload('issues', 'labeled', { issue: n, label: 'codemonkeys' })),
    );
    const statuses = (await Promise.all(deliveries)).map((r) => r.status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    await h.background.drain();
    const jobs = await h.queue.getJobs(['waiting', 'delayed']);
    expect(jobs.map((j) => j.data.issueNumber).sort()).toEqual(issues);
    expect(bodies).toHaveLength(issues.length);
  });
});
