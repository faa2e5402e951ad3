import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import { startHarness, examplePayload, sign, type Harness } from './harness.js';
import {
  setUpNock,
  tearDownNock,
  leftovers,
  mockInstallationToken,
  mockNoConfig,
  mockConfig,
  mockPermission,
  mockListComments,
  mockCreateComment,
  mockUpdateComment,
  OWNER,
  REPO,
} from './github-mock.js';
import { getRunJobId } from '../../../src/queue/jobs.js';
import { STATUS_MARKER } from '../../../src/render/status-comment.js';
import { CONFIG_MARKER } from '../../../src/app/messages.js';

let h: Harness;
let issue = 100;
const ref = (n: number) => ({ owner: OWNER, repo: REPO, issueNumber: n });
const jobOf = (n: number) => h.queue.getJob(getRunJobId(ref(n)));
const labeled = (n: number, extra: Parameters<typeof examplePayload>[2] = {}) =>
  examplePayload('issues', 'labeled', { issue: n, label: 'codemonkeys', ...extra });

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  setUpNock();
  mockInstallationToken();
  issue += 1;
});
afterEach(async () => {
  await h.background.drain();
  const left = leftovers();
  tearDownNock();
  expect(left).toEqual({ pending: [], unexpected: [] });
});

describe('app/webhooks', () => {
  describe('signatures and malformed deliveries', () => {
    it('accepts a correctly signed delivery', async () => {
      // Closed issue: decided without any GitHub call.
      const res = await h.send('issues', labeled(issue, { state: 'closed' }));
      expect(res.status).toBe(200);
    });

    it('rejects an invalid signature with 400 and does nothing', async () => {
      const res = await h.send('issues', labeled(issue), { signature: sign('something else') });
      expect(res.status).toBe(400);
      expect(await jobOf(issue)).toBeUndefined();
    });

    it('rejects a delivery signed with another secret', async () => {
      const body = JSON.stringify(labeled(issue));
      const res = await h.send('issues', undefined, {
        raw: body,
        signature: sign(body, 'wrong-secret'),
      });
      expect(res.status).toBe(400);
    });

    it('rejects a missing signature with 400', async () => {
      const res = await h.send('issues', labeled(issue), { signature: null });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('x-hub-signature-256');
    });

    it('rejects a malformed JSON body (validly signed) with 400', async () => {
      const res = await h.send('issues', undefined, { raw: '{"action": "labeled", ' });
      expect(res.status).toBe(400);
    });

    it('acknowledges unknown events and ignores them', async () => {
      const res = await h.send('star', { action: 'created', starred_at: null });
      expect(res.status).toBe(200);
    });

    it('acknowledges payloads with missing fields without acting', async () => {
      expect((await h.send('issues', { action: 'labeled' })).status).toBe(200);
      expect((await h.send('issue_comment', { action: 'created', comment: {} })).status).toBe(200);
      expect(
        (
          await h.send('issues', {
            action: 'labeled',
            issue: { number: 'x' },
            installation: { id: 1 },
          })
        ).status,
      ).toBe(200);
    });

    it('refuses a 5 MB body with 413 without parsing it', async () => {
      const big = JSON.stringify({ ...labeled(issue), padding: 'x'.repeat(5 * 1024 * 1024) });
      const res = await h.send('issues', undefined, { raw: big });
      expect(res.status).toBe(413);
      expect(await jobOf(issue)).toBeUndefined();
    });

    it('answers unknown routes with 404 and wrong content types with 415', async () => {
      expect((await fetch(`${h.url}/nope`)).status).toBe(404);
      const res = await fetch(h.hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      });
      expect(res.status).toBe(415);
    });
  });

  describe('label trigger', () => {
    it('enqueues one held run, writes the queued status comment after the ack, then releases the job', async () => {
      const bodies: string[] = [];
      mockNoConfig();
      mockPermission('Codertocat', 'write');
      mockListComments(issue);
      mockCreateComment(issue, bodies, 4242);
      const res = await h.send('issues', labeled(issue));
      expect(res.status).toBe(200);
      await h.background.drain();
      const job = await jobOf(issue);
      expect(await job?.getState()).toBe('waiting');
      expect(job?.data).toMatchObject({
        runId: `${OWNER}/${REPO}#${issue}@1`,
        installationId: 1,
        requestedBy: 'Codertocat',
        trigger: 'label',
        statusCommentId: 4242,
      });
      expect(JSON.stringify(job?.data)).not.toContain('ghs_');
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toContain(STATUS_MARKER);
      expect(bodies[0]).toContain('**Queued**');
    });

    it('a duplicate delivery, a second label and another label while queued create no second run or comment', async () => {
      const bodies: string[] = [];
      mockNoConfig();
      mockPermission('Codertocat', 'write');
      mockListComments(issue);
      mockCreateComment(issue, bodies);
      const payload = labeled(issue);
      expect((await h.send('issues', payload, { id: 'same-delivery' })).status).toBe(200);
      await h.background.drain();
      // While the run is live, repeats only read config and permission (cached in production):
      // no write, no second job.
      for (let i = 0; i < 2; i += 1) {
        mockNoConfig();
        mockPermission('Codertocat', 'write');
        expect(
          (await h.send('issues', payload, { id: i === 0 ? 'same-delivery' : undefined })).status,
        ).toBe(200);
      }
      mockNoConfig(); // another label: the config says it is not ours, no permission read
      expect((await h.send('issues', labeled(issue, { label: 'bug' }))).status).toBe(200);
      await h.background.drain();
      expect(bodies).toHaveLength(1);
      const jobs = (await h.queue.getJobs(['waiting', 'delayed', 'active'])).filter(
        (j) => j.data.issueNumber === issue,
      );
      expect(jobs).toHaveLength(1);
    });

    it('ignores other labels (after reading the config for a custom label)', async () => {
      mockNoConfig();
      expect((await h.send('issues', labeled(issue, { label: 'bug' }))).status).toBe(200);
      expect(await jobOf(issue)).toBeUndefined();
    });

    it('honours a custom label from the repository config', async () => {
      const bodies: string[] = [];
      mockConfig('label: ai-fix\nsamples: 4\n');
      mockPermission('Codertocat', 'admin');
      mockListComments(issue);
      mockCreateComment(issue, bodies);
      expect((await h.send('issues', labeled(issue, { label: 'AI-Fix' }))).status).toBe(200);
      await h.background.drain();
      expect(await jobOf(issue)).toBeDefined();
    });

    it('ignores closed issues, pull requests and bots without calling GitHub', async () => {
      expect((await h.send('issues', labeled(issue, { state: 'closed' }))).status).toBe(200);
      expect((await h.send('issues', labeled(issue, { senderType: 'Bot' }))).status).toBe(200);
      expect((await h.send('issues', labeled(issue, { sender: 'codemonkeys[bot]' }))).status).toBe(
        200,
      );
      const pr = labeled(issue);
      (pr.issue as Record<string, unknown>).pull_request = {
        url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1',
      };
      expect((await h.send('issues', pr)).status).toBe(200);
      expect(await jobOf(issue)).toBeUndefined();
    });

    it('answers an unauthorised labeller politely and starts nothing', async () => {
      const bodies: string[] = [];
      mockNoConfig();
      mockPermission('Codertocat', 'triage');
      mockCreateComment(issue, bodies);
      expect((await h.send('issues', labeled(issue))).status).toBe(200);
      await h.background.drain();
      expect(await jobOf(issue)).toBeUndefined();
      expect(bodies[0]).toContain('Only people with **write** access');
    });

    it('answers an unauthorised labeller politely while a run is live, and leaves the run alone', async () => {
      mockNoConfig();
      mockPermission('Codertocat', 'write');
      mockListComments(issue);
      mockCreateComment(issue, [], 610);
      expect((await h.send('issues', labeled(issue))).status).toBe(200);
      await h.background.drain();
      const before = await jobOf(issue);
      expect(before).toBeDefined();

      const replies: string[] = [];
      mockNoConfig();
      mockPermission('mallory', 'triage');
      mockCreateComment(issue, replies);
      expect((await h.send('issues', labeled(issue, { sender: 'mallory' }))).status).toBe(200);
      await h.background.drain();
      expect(replies).toHaveLength(1);
      expect(replies[0]).toContain('Hi mallory');
      expect(replies[0]).toContain('Only people with **write** access');
      const after = await jobOf(issue);
      expect(after?.id).toBe(before?.id);
      expect(after?.data).toEqual(before?.data);
      expect(await after?.getState()).toBe(await before?.getState());
      await h.producer.cancelRun(ref(issue));
    });

    it('uses the configured minimum permission', async () => {
      const bodies: string[] = [];
      mockConfig('permission: maintain\n');
      mockPermission('Codertocat', 'write');
      mockCreateComment(issue, bodies);
      expect((await h.send('issues', labeled(issue))).status).toBe(200);
      await h.background.drain();
      expect(await jobOf(issue)).toBeUndefined();
      expect(bodies[0]).toContain('**maintain**');
    });
  });

  describe('repository config problems', () => {
    const badYaml = 'samples: "ten"\nsandbox:\n  timeouts:\n    setupSeconds: -5\ncolour: blue\n';

    it('posts one comment listing every problem with its key path, and no run', async () => {
      const bodies: string[] = [];
      mockConfig(badYaml);
      mockPermission('Codertocat', 'write');
      mockListComments(issue);
      mockCreateComment(issue, bodies, 777);
      expect((await h.send('issues', labeled(issue))).status).toBe(200);
      await h.background.drain();
      expect(await jobOf(issue)).toBeUndefined();
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toContain(CONFIG_MARKER);
      for (const path of ['`samples`', '`sandbox.timeouts.setupSeconds`', '`colour`'])
        expect(bodies[0]).toContain(path);

      // Same problems again: the existing comment is found and left alone (idempotent).
      mockConfig(badYaml);
      mockPermission('Codertocat', 'write');
      mockListComments(issue, [
        { id: 777, body: bodies[0], user: { login: 'codemonkeys[bot]', type: 'Bot' } },
      ]);
      expect((await h.send('issues', labeled(issue))).status).toBe(200);
      await h.background.drain();

      // Different problems: the same comment is updated in place.
      const updated: string[] = [];
      mockConfig('samples: 0\n');
      mockPermission('Codertocat', 'write');
      mockListComments(issue, [
        { id: 777, body: bodies[0], user: { login: 'codemonkeys[bot]', type: 'Bot' } },
      ]);
      mockUpdateComment(777, updated);
      expect((await h.send('issues', labeled(issue))).status).toBe(200);
      await h.background.drain();
      expect(updated[0]).toContain('`samples`');
      expect(updated[0]).not.toContain('`colour`');
    });

    it('marks the comment fixed in place once a trigger finds the config valid', async () => {
      const bodies: string[] = [];
      mockConfig(badYaml);
      mockPermission('Codertocat', 'write');
      mockListComments(issue);
      mockCreateComment(issue, bodies, 778);
      expect((await h.send('issues', labeled(issue))).status).toBe(200);
      await h.background.drain();
      expect(await jobOf(issue)).toBeUndefined();
      const problems = bodies[0] ?? '';
      expect(problems).toContain('`colour`');

      // Fixed file: the run starts, the status comment is new, the config comment is edited.
      const status: string[] = [];
      const fixed: string[] = [];
      const own = { user: { login: 'codemonkeys[bot]', type: 'Bot' } };
      mockConfig('samples: 4\n');
      mockPermission('Codertocat', 'write');
      mockListComments(issue, [{ id: 778, body: problems, ...own }]);
      mockCreateComment(issue, status, 779);
      mockUpdateComment(778, fixed);
      expect((await h.send('issues', labeled(issue))).status).toBe(200);
      await h.background.drain();
      expect(await jobOf(issue)).toBeDefined();
      expect(status).toHaveLength(1);
      expect(status[0]).toContain(STATUS_MARKER);
      expect(fixed).toHaveLength(1);
      expect(fixed[0]).toContain(CONFIG_MARKER);
      expect(fixed[0]).toContain('Configuration is now valid');
      expect(fixed[0]).not.toContain('`colour`');

      // Another valid run later: the comment already says so and is not written again.
      await h.producer.cancelRun(ref(issue));
      mockNoConfig();
      mockPermission('Codertocat', 'write');
      mockListComments(issue, [
        { id: 778, body: fixed[0], ...own },
        { id: 779, body: status[0], ...own },
      ]);
      mockUpdateComment(779, status);
      expect((await h.send('issues', labeled(issue))).status).toBe(200);
      await h.background.drain();
      expect(status).toHaveLength(2);
      expect(fixed).toHaveLength(1);
    });

    it('reports YAML that cannot be parsed', async () => {
      const bodies: string[] = [];
      mockConfig('samples: [1, 2\nlabel: {');
      mockPermission('Codertocat', 'write');
      mockListComments(issue);
      mockCreateComment(issue, bodies);
      expect((await h.send('issues', labeled(issue))).status).toBe(200);
      await h.background.drain();
      expect(bodies[0]).toContain('`(yaml)`');
      expect(await jobOf(issue)).toBeUndefined();
    });
  });

  describe('unlabel and commands', () => {
    async function queueRun(n: number, commentId = 500): Promise<void> {
      mockNoConfig();
      mockPermission('Codertocat', 'write');
      mockListComments(n);
      mockCreateComment(n, [], commentId);
      expect((await h.send('issues', labeled(n))).status).toBe(200);
      await h.background.drain();
    }

    it('removing the label cancels a queued run and the status comment says so', async () => {
      await queueRun(issue, 501);
      const bodies: string[] = [];
      mockNoConfig();
      mockPermission('Codertocat', 'write');
      mockUpdateComment(501, bodies);
      const res = await h.send(
        'issues',
        examplePayload('issues', 'unlabeled', { issue, label: 'codemonkeys' }),
      );
      expect(res.status).toBe(200);
      await h.background.drain();
      expect(await jobOf(issue)).toBeUndefined();
      expect(bodies[0]).toContain('**Cancelled**');
    });

    it('removing the label without permission does not cancel, and says so', async () => {
      await queueRun(issue, 503);
      const replies: string[] = [];
      mockNoConfig();
      mockPermission('mallory', 'triage');
      mockCreateComment(issue, replies);
      const res = await h.send(
        'issues',
        examplePayload('issues', 'unlabeled', { issue, label: 'codemonkeys', sender: 'mallory' }),
      );
      expect(res.status).toBe(200);
      await h.background.drain();
      expect(await (await jobOf(issue))?.getState()).toBe('waiting');
      expect(replies).toHaveLength(1);
      expect(replies[0]).toContain('can cancel a codemonkeys run');
      await h.producer.cancelRun(ref(issue));
    });

    it('removing the label when no run is live reads nothing but the config', async () => {
      mockNoConfig();
      const res = await h.send(
        'issues',
        examplePayload('issues', 'unlabeled', { issue, label: 'codemonkeys', sender: 'mallory' }),
      );
      expect(res.status).toBe(200);
      await h.background.drain();
    });

    it('removing another label does nothing', async () => {
      mockNoConfig();
      expect(
        (await h.send('issues', examplePayload('issues', 'unlabeled', { issue, label: 'bug' })))
          .status,
      ).toBe(200);
    });

    it('/codemonkeys status, cancel and retry from an authorised user', async () => {
      await queueRun(issue, 502);
      const replies: string[] = [];
      const comment = (body: string) => examplePayload('issue_comment', 'created', { issue, body });

      mockNoConfig();
      mockPermission('Codertocat', 'write');
      mockCreateComment(issue, replies);
      expect((await h.send('issue_comment', comment('/codemonkeys status'))).status).toBe(200);
      await h.background.drain();
      expect(replies[0]).toContain('is queued');

      const updates: string[] = [];
      mockNoConfig();
      mockPermission('Codertocat', 'write');
      mockUpdateComment(502, updates);
      expect((await h.send('issue_comment', comment('/codemonkeys cancel'))).status).toBe(200);
      await h.background.drain();
      expect(await jobOf(issue)).toBeUndefined();
      expect(updates[0]).toContain('**Cancelled**');

      // Retry of a cancelled run resumes it: same run id, same status comment.
      mockNoConfig();
      mockPermission('Codertocat', 'write');
      mockListComments(issue); // looking for a stale "invalid configuration" comment
      mockUpdateComment(502, updates);
      expect((await h.send('issue_comment', comment('/codemonkeys retry'))).status).toBe(200);
      await h.background.drain();
      const job = await jobOf(issue);
      expect(job?.data).toMatchObject({
        runId: `${OWNER}/${REPO}#${issue}@1`,
        trigger: 'retry',
        statusCommentId: 502,
      });
      expect(updates[1]).toContain('Resuming the previous run');

      // Retry while queued: a polite refusal, no second run.
      mockNoConfig();
      mockPermission('Codertocat', 'write');
      mockCreateComment(issue, replies);
      expect((await h.send('issue_comment', comment('/codemonkeys retry'))).status).toBe(200);
      await h.background.drain();
      expect(replies[1]).toContain('already');
    });

    it('cancel with nothing to cancel says so', async () => {
      const replies: string[] = [];
      mockNoConfig();
      mockPermission('Codertocat', 'admin');
      mockCreateComment(issue, replies);
      const res = await h.send(
        'issue_comment',
        examplePayload('issue_comment', 'created', { issue, body: '/codemonkeys cancel' }),
      );
      expect(res.status).toBe(200);
      await h.background.drain();
      expect(replies[0]).toContain('no queued or running run');
    });

    it('answers unauthorised commands politely and ignores unknown text and bots', async () => {
      const replies: string[] = [];
      mockNoConfig();
      mockPermission('Codertocat', 'read');
      mockCreateComment(issue, replies);
      const c = (body: string, extra = {}) =>
        examplePayload('issue_comment', 'created', { issue, body, ...extra });
      expect((await h.send('issue_comment', c('/codemonkeys retry'))).status).toBe(200);
      await h.background.drain();
      expect(replies[0]).toContain('Only people with **write** access');
      expect(await jobOf(issue)).toBeUndefined();
      // No GitHub call at all for these:
      expect((await h.send('issue_comment', c('thanks, /codemonkeys retry maybe?'))).status).toBe(
        200,
      );
      expect((await h.send('issue_comment', c('/codemonkeys deploy'))).status).toBe(200);
      expect(
        (await h.send('issue_comment', c('/codemonkeys retry', { senderType: 'Bot' }))).status,
      ).toBe(200);
    });
  });
});
