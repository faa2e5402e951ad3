import { describe, it, expect } from 'vitest';
import {
  renderStatusComment,
  escapeInline,
  formatElapsed,
  STATUS_MARKER,
} from '../../../src/render/status-comment.js';
import type { UsageTotals } from '../../../src/pipeline/types.js';

const T0 = Date.parse('2026-11-21T10:00:00Z');

function usage(): UsageTotals {
  const stage = {
    inputTokens: 1000,
    cacheWriteTokens: 200,
    cacheReadTokens: 300,
    outputTokens: 500,
    calls: 3,
    usd: 0.125,
  };
  return { byStage: {} as UsageTotals['byStage'], total: stage };
}

describe('render/status-comment', () => {
  it('renders a queued run with its position and the marker', () => {
    const md = renderStatusComment(
      { phase: 'queued', runId: 'acme/w#1@1', queuePosition: 2, requestedBy: 'octocat' },
      T0,
    );
    expect(md.startsWith(STATUS_MARKER)).toBe(true);
    expect(md).toContain('**Queued**');
    expect(md).toContain('2 runs ahead');
    expect(md).toContain('`/codemonkeys cancel`');
  });

  it('renders stage, samples, elapsed time, tokens and dollars while running', () => {
    const md = renderStatusComment(
      {
        phase: 'running',
        runId: 'r',
        stage: 'generating',
        samplesDone: 3,
        samplesTotal: 10,
        startedAt: new Date(T0 - 125_000).toISOString(),
        usage: usage(),
      },
      T0,
    );
    expect(md).toContain('Stage: Generating candidates');
    expect(md).toContain('Samples: 3/10');
    expect(md).toContain('Elapsed: 2m 05s');
    expect(md).toContain('2,000 tokens, $0.13 (3 model calls)');
  });

  it('renders the PR link when done and freezes elapsed at finishedAt', () => {
    const md = renderStatusComment(
      {
        phase: 'done',
        runId: 'r',
        prUrl: 'https://github.com/a/b/pull/7',
        startedAt: new Date(T0).toISOString(),
        finishedAt: new Date(T0 + 3_600_000 + 120_000).toISOString(),
      },
      T0 + 10 * 3_600_000,
    );
    expect(md).toContain('Pull request: https://github.com/a/b/pull/7');
    expect(md).toContain('Elapsed: 1h 02m');
  });

  it('drops a PR url that is not https', () => {
    const md = renderStatusComment({ phase: 'done', runId: 'r', prUrl: 'javascript:alert(1)' }, T0);
    expect(md).not.toContain('javascript');
  });

  it('renders the failure reason and action, escaping untrusted text', () => {
    const md = renderStatusComment(
      {
        phase: 'failed',
        runId: 'r',
        failure: {
          code: 'SANDBOX_SETUP_FAILED',
          reason: 'pip failed: <script>alert(1)</script> @admin [x](http://evil)',
          action: 'Fix sandbox.setup',
        },
      },
      T0,
    );
    expect(md).toContain('**Why:**');
    expect(md).toContain('`SANDBOX_SETUP_FAILED`');
    expect(md).toContain('**What to do:** Fix sandbox.setup');
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('@admin');
    expect(md).not.toContain('](http');
    expect(md).toContain('`/codemonkeys retry`');
  });

  it('names the stage a run failed in and renders our own action as Markdown', () => {
    const md = renderStatusComment(
      {
        phase: 'failed',
        runId: 'r',
        stage: 'preparing',
        failure: {
          code: 'SANDBOX_SETUP_FAILED',
          reason: 'setup failed',
          action: 'Fix the command in `.github/codemonkeys.yml`.',
        },
      },
      T0,
    );
    expect(md).toContain('- Failed during: Preparing the environment');
    expect(md).toContain('**What to do:** Fix the command in `.github/codemonkeys.yml`.');
  });

  it('keeps escaped text on one line and capped', () => {
    const out = escapeInline(`a\nb\r\n${'x'.repeat(1000)}`, 20);
    expect(out).not.toMatch(/\n/);
    expect(out.length).toBeLessThanOrEqual(20);
  });

  it('formats durations', () => {
    expect(formatElapsed(0)).toBe('0s');
    expect(formatElapsed(59_999)).toBe('59s');
    expect(formatElapsed(61_000)).toBe('1m 01s');
    expect(formatElapsed(-5)).toBe('0s');
  });

  it('is deterministic for the same state and time', () => {
    const state = { phase: 'cancelled' as const, runId: 'r', detail: 'by x' };
    expect(renderStatusComment(state, T0)).toBe(renderStatusComment(state, T0));
  });
});
