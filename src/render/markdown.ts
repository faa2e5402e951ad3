/**
 * Markdown helpers for untrusted text. Everything that did not come from this codebase (issue
 * titles, model output, test output, diffs, file paths) goes through one of these before it is
 * placed in a comment or PR body, so it cannot break the layout, inject HTML, close a hidden
 * comment, ping people or cross-reference/close issues.
 */

/** GitHub rejects bodies over 65,536 characters; keep a margin for what GitHub appends. */
export const GITHUB_BODY_LIMIT = 65_536;
export const DEFAULT_BODY_BUDGET = 65_000;

const ZWJ = '\u200d';

/** Control characters other than tab/newline, and the bidi overrides used to disguise text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

export function stripControl(text: string): string {
  return text.replace(CONTROL, '').replace(/\r\n?/g, '\n');
}

/** `@user` / `@org/team` -> `@\u200duser`: shown the same, links and notifies nobody. */
export function neutralizeMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9_-])/g, `@${ZWJ}`);
}

/** `#12`, `GH-12` and `owner/repo#12` stop being references (no cross-links, no "Fixes #12"). */
export function neutralizeReferences(text: string): string {
  return text.replace(/#(?=\d)/g, `#${ZWJ}`).replace(/\b(GH)-(?=\d)/gi, `$1${ZWJ}-`);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Untrusted text shown inline (titles, reasons, paths): HTML escaped, Markdown punctuation
 * escaped, mentions and references neutralised, newlines collapsed to spaces.
 */
export function escapeInline(text: string, maxLength = 300): string {
  const flat = stripControl(text).replace(/\s+/g, ' ').trim();
  const cut = flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
  const md = escapeHtml(cut).replace(/([\\`*_[\]{}()|~!])/g, '\\$1');
  return neutralizeReferences(neutralizeMentions(md));
}

/**
 * Untrusted text inside an HTML element such as `<summary>` (Markdown is not processed there):
 * HTML escaped, mentions and references neutralised, one line.
 */
export function escapeHtmlInline(text: string, maxLength = 300): string {
  const flat = stripControl(text).replace(/\s+/g, ' ').trim();
  const cut = flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
  return neutralizeReferences(neutralizeMentions(escapeHtml(cut)));
}

/**
 * Untrusted multi-line prose (a model's reasoning) as a block quote. HTML is escaped and
 * mentions/references neutralised; Markdown emphasis is kept but every line starts with `> `,
 * so headings and fences inside cannot escape the quote.
 */
export function quoteBlock(text: string, maxLength = 6_000): string {
  const clean = truncateMiddle(stripControl(text).trim(), maxLength);
  const lines = neutralizeReferences(neutralizeMentions(escapeHtml(clean)))
    // A fence inside the quote would swallow the rest of the quote: show it literally.
    .replace(/^(\s*)(`{3,}|~{3,})/gm, (_m, space: string, fence: string) => `${space}\\${fence}`)
    .split('\n');
  return lines.map((line) => (line.length === 0 ? '>' : `> ${line}`)).join('\n');
}

/** Longest run of `char` in `text`. */
function longestRun(text: string, char: string): number {
  let best = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    if (current > best) best = current;
  }
  return best;
}

/**
 * A fenced code block that the content can never close: the fence is one backtick longer than
 * the longest backtick run inside. Code blocks render HTML and mentions literally.
 */
export function codeBlock(text: string, language = ''): string {
  const body = stripControl(text).replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  const lang = language.replace(/[^a-zA-Z0-9_+-]/g, '');
  return `${fence}${lang}\n${body}\n${fence}`;
}

/** Inline code span that the content cannot close. */
export function inlineCode(text: string): string {
  const flat = stripControl(text).replace(/\s+/g, ' ');
  const ticks = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat.length === 0 ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** Keeps head and tail of long text with a marker saying how much was cut. */
export function truncateMiddle(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const marker = (cut: number) => `\n… [${cut} characters cut] …\n`;
  const room = Math.max(0, maxLength - marker(text.length).length);
  const head = Math.ceil(room / 2);
  const tail = room - head;
  const cut = text.length - head - tail;
  return `${text.slice(0, head)}${marker(cut)}${tail > 0 ? text.slice(text.length - tail) : ''}`;
}

/** A collapsed block; `summary` must already be escaped with escapeHtmlInline. */
export function details(summary: string, content: string, open = false): string {
  return `<details${open ? ' open' : ''}>\n<summary>${summary}</summary>\n\n${content}\n\n</details>`;
}

/**
 * A hidden HTML comment carrying JSON. `<`, `>` and `&` are written as \u escapes (still valid
 * JSON), so no value can contain `-->` or `--!>` and close the comment early.
 */
export function hiddenJson(marker: string, value: unknown): string {
  const json = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `<!-- ${marker} ${json} -->`;
}

/** Reads back a block written by hiddenJson, or undefined. */
export function parseHiddenJson(marker: string, text: string): unknown {
  const start = text.indexOf(`<!-- ${marker} `);
  if (start < 0) return undefined;
  const end = text.indexOf(' -->', start);
  if (end < 0) return undefined;
  try {
    return JSON.parse(text.slice(start + marker.length + 6, end)) as unknown;
  } catch {
    return undefined;
  }
}

/** A Markdown table; cells must already be escaped (pipes included). */
export function table(header: string[], rows: string[][], align?: Array<'l' | 'r' | 'c'>): string {
  const sep = header.map((_h, i) => {
    const a = align?.[i] ?? 'l';
    return a === 'r' ? '---:' : a === 'c' ? ':---:' : '---';
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(sep), ...rows.map(line)].join('\n');
}

export function formatUsd(usd: number): string {
  return usd >= 100 ? `$${usd.toFixed(0)}` : usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(3)}`;
}

export function formatTokens(tokens: number): string {
  if (tokens >= 1_000_000) return `${(tokens / 1_000_000).toFixed(2)}M`;
  if (tokens >= 10_000) return `${Math.round(tokens / 1_000)}k`;
  if (tokens >= 1_000) return `${(tokens / 1_000).toFixed(1)}k`;
  return String(tokens);
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
