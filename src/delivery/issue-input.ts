import { readFile, stat } from 'node:fs/promises';
import { CodemonkeysError } from '../errors.js';

export interface IssueInput {
  number: number;
  title: string;
  body: string;
  url?: string;
}

function bad(message: string): CodemonkeysError {
  return new CodemonkeysError('CONFIG_INVALID', message, { retryable: false });
}

/**
 * Parses an issue file: JSON `{ "title": ..., "body": ..., "number"?: n }`, or Markdown whose
 * first non-empty line is `# Title` (the rest is the body).
 */
export function parseIssueText(text: string, fileName: string): IssueInput {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.length === 0)
    throw bad(`${fileName} is empty: write "# Title" on the first line and the issue below it.`);
  if (trimmed.startsWith('{')) {
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch {
      throw bad(
        `${fileName} looks like JSON but does not parse: expected {"title": "...", "body": "..."}.`,
      );
    }
    const value = raw as { title?: unknown; body?: unknown; number?: unknown };
    if (typeof value.title !== 'string' || value.title.trim() === '')
      throw bad(`${fileName}: "title" must be a non-empty string.`);
    if (value.body !== undefined && typeof value.body !== 'string')
      throw bad(`${fileName}: "body" must be a string.`);
    const number =
      typeof value.number === 'number' && Number.isInteger(value.number) && value.number > 0
        ? value.number
        : 1;
    return {
      number,
      title: value.title.trim(),
      body: typeof value.body === 'string' ? value.body : '',
    };
  }
  const lines = trimmed.split(/\r?\n/);
  const first = lines[0] ?? '';
  const match = /^#\s+(.+)$/.exec(first);
  if (match === null)
    throw bad(
      `${fileName}: the first line must be the title as "# Title" (or use JSON {"title", "body"}).`,
    );
  return { number: 1, title: (match[1] as string).trim(), body: lines.slice(1).join('\n').trim() };
}

export async function readIssueFile(path: string): Promise<IssueInput> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw bad(`issue file not found: ${path}`);
  if (!info.isFile()) throw bad(`issue file is not a file: ${path}`);
  if (info.size > 1_000_000) throw bad(`issue file is larger than 1 MB: ${path}`);
  return parseIssueText(await readFile(path, 'utf8'), path);
}

export interface IssueRef {
  owner: string;
  repo: string;
  number: number;
}

/** `owner/repo#123` (also accepts an issue URL). */
export function parseIssueRef(text: string): IssueRef {
  const url = /^https?:\/\/[^/]+\/([^/]+)\/([^/]+)\/issues\/(\d+)\/?$/.exec(text.trim());
  const short = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)#(\d+)$/.exec(text.trim());
  const m = url ?? short;
  if (m === null) throw bad(`--issue must look like owner/repo#123, got "${text}".`);
  return { owner: m[1] as string, repo: m[2] as string, number: Number(m[3]) };
}
