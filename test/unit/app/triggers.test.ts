import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import {
  getLabelDecision,
  getIssueTarget,
  parseCommand,
  isBotSender,
} from '../../../src/app/triggers.js';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: unknown[];
}>;

function example(name: string, action: string): Record<string, unknown> {
  const def = examples.find((d) => d.name === name);
  const found = def?.examples.find((e) => (e as { action?: string }).action === action);
  if (found === undefined) throw new Error(`no example ${name}.${action}`);
  return structuredClone(found) as unknown as Record<string, unknown>;
}

function labeled(
  overrides: { label?: string; state?: string; senderType?: string; pr?: boolean } = {},
) {
  const p = example('issues', 'labeled');
  p.installation = { id: 42 };
  (p.label as { name: string }).name = overrides.label ?? 'codemonkeys';
  const issue = p.issue as Record<string, unknown>;
  issue.state = overrides.state ?? 'open';
  if (overrides.pr === true)
    issue.pull_request = { url: 'https://api.github.com/repos/x/y/pulls/1' };
  if (overrides.senderType !== undefined)
    (p.sender as { type: string }).type = overrides.senderType;
  return p;
}

describe('app/triggers', () => {
  it('accepts the configured label on an open issue from a user', () => {
    const d = getLabelDecision(labeled(), 'codemonkeys', { requireOpen: true });
    expect(d).toEqual({
      act: true,
      target: {
        installationId: 42,
        owner: 'Codertocat',
        repo: 'Hello-World',
        issueNumber: 1,
        sender: 'Codertocat',
        labelName: 'codemonkeys',
      },
    });
  });

  it('compares label names case-insensitively and honours a custom label', () => {
    expect(
      getLabelDecision(labeled({ label: 'CodeMonkeys' }), 'codemonkeys', { requireOpen: true }).act,
    ).toBe(true);
    expect(
      getLabelDecision(labeled({ label: 'ai-fix' }), 'ai-fix', { requireOpen: true }).act,
    ).toBe(true);
  });

  it.each([
    [{ label: 'bug' }, 'other-label'],
    [{ state: 'closed' }, 'issue-closed'],
    [{ pr: true }, 'pull-request'],
    [{ senderType: 'Bot' }, 'bot-sender'],
  ] as const)('skips %o with reason %s', (overrides, reason) => {
    expect(getLabelDecision(labeled(overrides), 'codemonkeys', { requireOpen: true })).toEqual({
      act: false,
      reason,
    });
  });

  it("skips the App's own login even if its type is not Bot", () => {
    const p = labeled();
    (p.sender as { login: string }).login = 'codemonkeys[bot]';
    expect(
      getLabelDecision(p, 'codemonkeys', { requireOpen: true, botLogin: 'codemonkeys[bot]' }),
    ).toEqual({ act: false, reason: 'bot-sender' });
    expect(isBotSender({ login: 'x', type: 'User' }, 'codemonkeys[bot]')).toBe(false);
  });

  it('allows closed issues for unlabel (cancel) decisions', () => {
    expect(
      getLabelDecision(labeled({ state: 'closed' }), 'codemonkeys', { requireOpen: false }).act,
    ).toBe(true);
  });

  it.each([
    ['null payload', null],
    ['string payload', 'hello'],
    [
      'no issue',
      {
        repository: { name: 'r', owner: { login: 'o' } },
        sender: { login: 's' },
        installation: { id: 1 },
      },
    ],
    [
      'issue number as string',
      {
        issue: { number: '1' },
        repository: { name: 'r', owner: { login: 'o' } },
        sender: { login: 's' },
        installation: { id: 1 },
      },
    ],
  ])('reports missing fields for %s', (_name, payload) => {
    expect(getIssueTarget(payload)).toEqual({ act: false, reason: 'missing-fields' });
  });

  it('skips payloads without an installation', () => {
    const p = labeled();
    delete p.installation;
    expect(getIssueTarget(p)).toEqual({ act: false, reason: 'no-installation' });
  });

  it('reports a missing label object', () => {
    const p = labeled();
    delete p.label;
    expect(getLabelDecision(p, 'codemonkeys', { requireOpen: true })).toEqual({
      act: false,
      reason: 'missing-fields',
    });
  });

  it.each([
    ['/codemonkeys retry', 'retry'],
    ['  /codemonkeys   CANCEL  ', 'cancel'],
    ['\n\n/codemonkeys status\nplease', 'status'],
  ])('parses %j as %s', (body, name) => {
    expect(parseCommand(body)).toEqual({ act: true, target: name });
  });

  it.each([
    ['plain text', 'thanks for the fix', 'not-a-command'],
    ['quoted command', '> /codemonkeys retry', 'not-a-command'],
    ['command mid-sentence', 'please /codemonkeys retry', 'not-a-command'],
    ['prefix of another word', '/codemonkeysretry', 'not-a-command'],
    ['unknown sub-command', '/codemonkeys deploy', 'unknown-command'],
    ['bare command', '/codemonkeys', 'unknown-command'],
    ['extra words', '/codemonkeys retry now', 'not-a-command'],
  ])('ignores %s', (_name, body, reason) => {
    expect(parseCommand(body)).toEqual({ act: false, reason });
  });

  it('ignores non-string bodies', () => {
    expect(parseCommand(undefined)).toEqual({ act: false, reason: 'not-a-command' });
    expect(parseCommand(42)).toEqual({ act: false, reason: 'not-a-command' });
  });
});
