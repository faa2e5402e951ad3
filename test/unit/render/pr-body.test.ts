import { describe, it, expect } from 'vitest';
import { renderPrBody } from '../../../src/render/pr-body.js';
import { parseHiddenJson } from '../../../src/render/markdown.js';
import { METADATA_MARKER, type PrMetadata } from '../../../src/render/sections/metadata.js';
import { makeRunReport } from './fixtures/run-report.js';

describe('render/pr-body', () => {
  it('renders the full evidence for a realistic run (snapshot)', async () => {
    const body = renderPrBody({
      report: makeRunReport(),
      requestedBy: 'octocat',
      issueTitle: 'page_count is off by one',
    });
    await expect(body).toMatchFileSnapshot('./__snapshots__/pr-body.md');
  });

  it('contains every required part', () => {
    const body = renderPrBody({ report: makeRunReport(), requestedBy: 'octocat' });
    expect(body).toMatch(/^Fixes #7$/m);
    expect(body).toContain('Requested by @octocat.');
    expect(body).toContain('## Evidence');
    expect(body).toContain('exit 2 on the original repository, exit 0 with the edit');
    expect(body).toContain('## Test votes');
    expect(body).toContain('> Candidate 0 rounds up');
    expect(body).toContain('<details>');
    expect(body).toContain('## Cost and time');
    expect(body).toContain('claude-sonnet-5-5');
    const meta = parseHiddenJson(METADATA_MARKER, body) as PrMetadata;
    expect(meta.runId).toBe('acme/pagination#7@1');
    expect(meta.selectedCandidateId).toBe(0);
    expect(meta.candidates).toHaveLength(2);
  });

  it("maps the selector's 0-based numbering onto candidate ids when they differ", () => {
    const report = makeRunReport();
    const evaluation = report.evaluation;
    if (evaluation === undefined) throw new Error('fixture has no evaluation');
    const body = renderPrBody({
      report: { ...report, evaluation: { ...evaluation, shortlist: [1, 0] } },
      requestedBy: 'octocat',
    });
    expect(body).toContain(
      'The selector saw the shortlist numbered from 0: candidate 0 = C1, candidate 1 = C0.',
    );
  });

  it("names the selector's test when the evidence comes from selection", () => {
    const report = makeRunReport();
    const selected = report.selected;
    if (selected?.evidence === undefined) throw new Error('fixture has no evidence');
    const body = renderPrBody({
      report: {
        ...report,
        selected: {
          ...selected,
          evidence: { ...selected.evidence, testId: 1, source: 'selection' },
        },
      },
    });
    expect(body).toContain(
      "The selector's test **2** (no voting test separated this edit from the original)",
    );
  });

  it('labels scripted runs and says when the base branch moved', () => {
    const body = renderPrBody({
      report: makeRunReport(),
      scripted: true,
      baseMoved: { currentHead: 'feedfacefeedfacefeedfacefeedfacefeedface', branch: 'main' },
    });
    expect(body).toContain('Scripted demo run');
    expect(body).toContain('moved to `feedfacefeed`');
    expect(body).toContain('`3f2a9c1d4e5b`');
    expect((parseHiddenJson(METADATA_MARKER, body) as PrMetadata).scripted).toBe(true);
  });

  it('explains why no selection model was needed', () => {
    const report = makeRunReport({
      selection: { method: 'single-candidate', chosenCandidateId: 0, calls: 0, tests: [] },
    });
    expect(renderPrBody({ report })).toContain('Only one candidate reached selection');
  });

  it('ignores a requestedBy that is not a GitHub login', () => {
    const body = renderPrBody({ report: makeRunReport(), requestedBy: 'evil <img src=x>' });
    expect(body).not.toContain('Requested by');
  });

  it('shrinks the least important sections first and says so', () => {
    const report = makeRunReport();
    const huge = 'x'.repeat(30_000);
    report.evaluation!.candidates = report.evaluation!.candidates.map((c) => ({
      ...c,
      diff: `${c.diff}${huge}\n`,
    }));
    report.evaluation!.tests = report.evaluation!.tests.map((t) => ({
      ...t,
      script: `${t.script}${huge}`,
    }));
    const body = renderPrBody({ report }, 20_000);
    expect(body.length).toBeLessThanOrEqual(20_000);
    expect(body).toContain("Shortened to fit GitHub's size limit: Candidates considered");
    expect(body).toContain('## Evidence');
    expect(body).toContain(METADATA_MARKER);
  });

  it('omits sections when compacting is not enough', () => {
    const body = renderPrBody({ report: makeRunReport() }, 2_000);
    expect(body.length).toBeLessThanOrEqual(2_000);
    expect(body).toContain("Left out to fit GitHub's size limit");
    expect(body).toMatch(/^Fixes #7$/m);
    expect(parseHiddenJson(METADATA_MARKER, body)).toBeDefined();
  });
});
