import { describe, it, expect } from 'vitest';
import { renderPrBody } from '../../../src/render/pr-body.js';
import {
  GITHUB_BODY_LIMIT,
  codeBlock,
  escapeInline,
  hiddenJson,
  inlineCode,
  parseHiddenJson,
  quoteBlock,
} from '../../../src/render/markdown.js';
import { renderAbstentionSummary } from '../../../src/render/abstention-summary.js';
import { makeAbstainedReport, makeRunReport } from './fixtures/run-report.js';

const HOSTILE =
  '@octocat @org/team <script>alert(1)</script> <img src=x onerror=alert(1)> ``` ```` ~~~ ' +
  '--> <!-- --!> fixes #1 closes owner/repo#2 GH-3 [link](javascript:alert(1)) **bold** | pipe';

/** Text outside fenced code blocks and HTML comments, where Markdown is live. */
function liveText(body: string): string {
  const lines = body.split('\n');
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const m = /^(`{3,})/.exec(line);
    if (fence === undefined && m) {
      fence = m[1];
      continue;
    }
    if (fence !== undefined) {
      if (line === fence) fence = undefined;
      continue;
    }
    out.push(line);
  }
  return out.join('\n').replace(/<!-- codemonkeys:metadata .* -->/, '');
}

describe('render/markdown escaping', () => {
  it('neutralises mentions, references and HTML in inline text', () => {
    const out = escapeInline(HOSTILE, 10_000);
    expect(out).not.toMatch(/@[a-z]/i);
    expect(out).not.toContain('<');
    expect(out).not.toMatch(/#\d/);
    expect(out).toContain('&lt;script&gt;');
    expect(out).not.toContain('\n');
  });

  it('chooses a fence longer than any backtick run inside', () => {
    const block = codeBlock('a\n`````\nb');
    expect(block.startsWith('``````\n')).toBe(true);
    expect(block.endsWith('\n``````')).toBe(true);
    expect(inlineCode('a``b')).toBe('```a``b```');
  });

  it('keeps quotes closed around hostile reasoning', () => {
    const q = quoteBlock(`line\n\`\`\`\n# heading\n${HOSTILE}`);
    for (const line of q.split('\n')) expect(line.startsWith('>')).toBe(true);
    expect(q).not.toMatch(/^> ```/m);
    expect(q).not.toMatch(/@[a-z]/i);
  });

  it('hidden JSON cannot close its comment and round-trips', () => {
    const value = { text: HOSTILE };
    const comment = hiddenJson('m', value);
    expect(comment.indexOf('-->')).toBe(comment.length - 3);
    expect(comment).not.toContain('--!>');
    expect(parseHiddenJson('m', comment)).toEqual(value);
  });

  it('a hostile issue title, model output, test output and diff cannot break the body', () => {
    const report = makeRunReport();
    report.selection!.reasoning = `${HOSTILE}\n\`\`\`\n@admin please merge`;
    report.selected!.evidence!.original.output = HOSTILE;
    report.evaluation!.tests[1]!.script = `print("${HOSTILE}")`;
    report.evaluation!.candidates[1]!.diff = `+${HOSTILE}\n+\`\`\`\`\`\`\`\`\n`;
    report.evaluation!.dropped = [{ sampleIndex: 4, reason: HOSTILE }];
    report.selected!.files = [{ path: `evil|${HOSTILE}.py`, added: 1, removed: 1 }];
    const body = renderPrBody({ report, issueTitle: HOSTILE, requestedBy: 'octocat' });
    const live = liveText(body);
    expect(live.replace('Requested by @octocat.', '')).not.toMatch(/@[a-z]/i);
    expect(live).not.toMatch(/<(script|img)/i);
    expect(live.replace(/^Fixes #7$/m, '')).not.toMatch(/(fixes|closes) [a-z/]*#\d/i);
    expect(live.match(/^Fixes #7$/gm)).toHaveLength(1);
    // Outside code blocks the only HTML comment is the metadata block at the very end.
    expect(live).not.toContain('<!--');
    expect(live).not.toContain('-->');
    expect(body.trimEnd().endsWith('-->')).toBe(true);
    // details blocks stay balanced
    expect(body.match(/<details>/g)?.length).toBe(body.match(/<\/details>/g)?.length);
  });

  it('stays under the GitHub limit with 1 MB of hostile text everywhere', () => {
    const mb = `${HOSTILE}\n`.repeat(Math.ceil(1_000_000 / HOSTILE.length));
    const report = makeRunReport();
    report.selection!.reasoning = mb;
    report.selected!.evidence!.original.output = mb;
    report.selected!.evidence!.script = mb;
    for (const t of report.evaluation!.tests) t.script = mb;
    for (const c of report.evaluation!.candidates) c.diff = mb;
    const body = renderPrBody({ report, issueTitle: mb });
    expect(body.length).toBeLessThan(GITHUB_BODY_LIMIT);
    const live = liveText(body);
    expect(live).not.toMatch(/@[a-z]/i);
    expect(live).not.toContain('<!--');
    expect(body.trimEnd().endsWith('-->')).toBe(true);
  });

  it('the abstention summary escapes and reports the matrix', () => {
    const report = makeAbstainedReport();
    report.outcomeReason = HOSTILE;
    const summary = renderAbstentionSummary(report);
    expect(summary).toContain('No pull request was opened');
    expect(summary).toContain('4 generated tests (3 reproduce the issue');
    expect(summary).toContain('| Candidate |');
    expect(liveText(summary)).not.toMatch(/@[a-z]/i);
    expect(summary).not.toContain('<script');
  });
});
