import { describe, it, expect } from 'vitest';
import { parseIssueRef, parseIssueText } from '../../../src/delivery/issue-input.js';
import { getPrMarkdown } from '../../../src/delivery/write-outputs.js';
import { isCodemonkeysError } from '../../../src/errors.js';
import { makeAbstainedReport, makeRunReport } from '../render/fixtures/run-report.js';

const fails = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return isCodemonkeysError(error, 'CONFIG_INVALID') ? (error as Error).message : 'wrong error';
  }
  return 'no error';
};

describe('delivery/issue-input', () => {
  it('reads Markdown with a "# Title" first line', () => {
    expect(parseIssueText('\n# Crash on empty input\n\nSteps:\n1. run it\n', 'i.md')).toEqual({
      number: 1,
      title: 'Crash on empty input',
      body: 'Steps:\n1. run it',
    });
  });

  it('reads JSON {title, body, number}', () => {
    expect(parseIssueText('{"title": "T", "body": "B", "number": 42}', 'i.json')).toEqual({
      number: 42,
      title: 'T',
      body: 'B',
    });
  });

  it('explains bad files', () => {
    expect(fails(() => parseIssueText('', 'a.md'))).toContain('a.md is empty');
    expect(fails(() => parseIssueText('no title here', 'a.md'))).toContain(
      'first line must be the title',
    );
    expect(fails(() => parseIssueText('{"body": 1}', 'a.json'))).toContain(
      '"title" must be a non-empty string',
    );
    expect(fails(() => parseIssueText('{oops', 'a.json'))).toContain('does not parse');
  });

  it('parses owner/repo#n and issue URLs', () => {
    expect(parseIssueRef('acme/lib#12')).toEqual({ owner: 'acme', repo: 'lib', number: 12 });
    expect(parseIssueRef('https://github.com/acme/lib/issues/3')).toEqual({
      owner: 'acme',
      repo: 'lib',
      number: 3,
    });
    expect(fails(() => parseIssueRef('acme/lib'))).toContain('owner/repo#123');
  });
});

describe('delivery/write-outputs', () => {
  it('writes the PR body when selected and the abstention summary otherwise, labelled when scripted', () => {
    const selected = getPrMarkdown({
      report: makeRunReport(),
      issueTitle: 't',
      scriptedLabel: 'SCRIPTED',
    });
    expect(selected).toContain('Scripted demo run');
    expect(selected).toMatch(/^Fixes #7$/m);
    const abstained = getPrMarkdown({
      report: makeAbstainedReport(),
      issueTitle: 't',
      scriptedLabel: 'SCRIPTED',
    });
    expect(abstained).toContain('**SCRIPTED.**');
    expect(abstained).toContain('# No pull request (abstained)');
    expect(abstained).not.toContain('Fixes #');
  });
});
