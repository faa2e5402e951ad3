/**
 * Helpers for putting untrusted text (issue bodies, repository files, summaries written by a
 * model) between delimiting tags in a prompt. The text itself is never rewritten except that a
 * closing tag of the delimiter it sits in is neutralised (`</file>` -> `<\/file>`), so content
 * cannot close its own fence and pose as instructions.
 */
export function neutraliseClosingTags(text: string, tags: readonly string[]): string {
  let out = text;
  for (const tag of tags) {
    out = out.replace(new RegExp(`</(\\s*${tag}\\b)`, 'gi'), '<\\/$1');
  }
  return out;
}

/** A value safe inside a double-quoted attribute (paths with quotes or angle brackets). */
export function quoteAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Issue title/body ready for the `<issue>` block of a prompt. */
export function getIssueVars(issue: { title: string; body: string }): {
  issue_title: string;
  issue_body: string;
} {
  const tags = ['issue', 'title', 'body'];
  return {
    issue_title: neutraliseClosingTags(issue.title, tags),
    issue_body: neutraliseClosingTags(
      issue.body.trim() === '' ? '(no description)' : issue.body,
      tags,
    ),
  };
}
