/**
 * The state machines' output protocol: the model reasons in prose, then emits exactly ONE tagged
 * block of an allowed kind. This parser finds that block, returns its body and the prose before it,
 * or a precise problem description that is sent back to the model (a format error costs an attempt).
 *
 * Decisions (documented in src/pipeline/generate/README.md):
 * - CRLF is normalised to LF first.
 * - Tags inside a fenced code block of the PROSE (``` or ~~~ fences opened outside any tag) are
 *   quotations, not answers, and are ignored; inline-code mentions (`<edit>`) are ignored too.
 *   Exception: when no tag is found outside fences, the fenced ones are considered, because models
 *   sometimes wrap their whole answer in a fence.
 * - Inside a tag everything up to the matching close tag is the body, fences included; a body that
 *   is entirely one fenced block is unwrapped (```python ... ``` around a script).
 * - A second open tag of the same kind before the close restarts the block (the first was prose).
 * - Tags of kinds that are not allowed in this turn are reported as a format error only when no
 *   allowed tag was found.
 */
export const TAG_KINDS = ['test', 'edit', 'done', 'chosen_candidate_fix_id'] as const;
export type TagKind = (typeof TAG_KINDS)[number];

export interface TaggedBlock {
  kind: TagKind;
  /** Body with an enclosing code fence removed; not trimmed except for the fence. */
  body: string;
  /** Reply text before the opening tag, trimmed (the model's reasoning). */
  prose: string;
}

export type ParsedReply = { ok: true; block: TaggedBlock } | { ok: false; problem: string };

interface Found {
  kind: TagKind;
  start: number;
  bodyStart: number;
  bodyEnd: number;
  fenced: boolean;
}

const TAG = /<(\/?)(test|edit|done|chosen_candidate_fix_id)\s*>/g;
const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})/;

/** Parses a model reply; `allowed` lists the tag kinds this turn accepts. */
export function parseTaggedReply(reply: string, allowed: readonly TagKind[]): ParsedReply {
  const text = reply.replace(/\r\n?/g, '\n');
  const found = findBlocks(text);
  const unclosed = findUnclosed(text, found);
  const outside = found.filter((f) => !f.fenced);
  const pool = outside.length > 0 ? outside : found;
  const allowedFound = pool.filter((f) => allowed.includes(f.kind));
  const list = allowed.map((k) => `<${k}>`).join(', ');
  if (allowedFound.length === 1) {
    const f = allowedFound[0] as Found;
    return {
      ok: true,
      block: {
        kind: f.kind,
        body: unwrapFence(text.slice(f.bodyStart, f.bodyEnd)),
        prose: text.slice(0, f.start).trim(),
      },
    };
  }
  if (allowedFound.length > 1) {
    const counts = countKinds(allowedFound);
    return {
      ok: false,
      problem: `Your reply contains ${allowedFound.length} tagged blocks (${counts}). Exactly one is allowed per reply: reason in prose first, then end with a single block, one of ${list}.`,
    };
  }
  if (unclosed !== undefined && allowed.includes(unclosed)) {
    return {
      ok: false,
      problem: `Your reply opens <${unclosed}> but never closes it with </${unclosed}>. Every block must be closed; if your reply was cut short, make it shorter.`,
    };
  }
  const other = pool.filter((f) => !allowed.includes(f.kind));
  if (other.length > 0) {
    return {
      ok: false,
      problem: `Your reply uses ${countKinds(other)}, which is not allowed at this step. End your reply with exactly one of ${list}.`,
    };
  }
  return {
    ok: false,
    problem: `Your reply contains no tagged block. Reason in prose first, then end with exactly one of ${list}.`,
  };
}

function countKinds(blocks: Found[]): string {
  const counts = new Map<TagKind, number>();
  for (const b of blocks) counts.set(b.kind, (counts.get(b.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} x <${k}>`).join(', ');
}

/** Character ranges of fenced code blocks that start outside any tag. */
function fenceRanges(text: string, tagRanges: Array<[number, number]>): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let open: { start: number; marker: string } | undefined;
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    const m = FENCE_LINE.exec(line);
    if (m === null) continue;
    if (tagRanges.some(([s, e]) => lineStart >= s && lineStart < e)) continue;
    const marker = m[1] as string;
    if (open === undefined) open = { start: lineStart, marker };
    else if (
      marker[0] === open.marker[0] &&
      marker.length >= open.marker.length &&
      line.trim() === marker
    ) {
      ranges.push([open.start, offset]);
      open = undefined;
    }
  }
  if (open !== undefined) ranges.push([open.start, text.length]);
  return ranges;
}

function isInlineCode(text: string, start: number, end: number): boolean {
  return text[start - 1] === '`' && text[end] === '`';
}

function scanTags(text: string): Found[] {
  // Pair every close tag with the nearest preceding open tag of its kind (after that kind's
  // previous close): a prose mention such as "I will now write the <edit>" is then never paired.
  const lastOpen = new Map<TagKind, { start: number; bodyStart: number }>();
  const paired: Found[] = [];
  for (const m of text.matchAll(TAG)) {
    const start = m.index;
    const end = start + m[0].length;
    if (isInlineCode(text, start, end)) continue;
    const kind = m[2] as TagKind;
    if (m[1] !== '/') {
      lastOpen.set(kind, { start, bodyStart: end });
      continue;
    }
    const open = lastOpen.get(kind);
    if (open === undefined) continue;
    paired.push({
      kind,
      start: open.start,
      bodyStart: open.bodyStart,
      bodyEnd: start,
      fenced: false,
    });
    lastOpen.delete(kind);
  }
  // Keep outermost blocks only: a tag inside another block's body is content (e.g. HTML in an edit).
  paired.sort((a, b) => a.start - b.start);
  const blocks: Found[] = [];
  for (const b of paired) {
    const outer = blocks.find((o) => b.start > o.start && b.start < o.bodyEnd);
    if (outer === undefined) blocks.push(b);
  }
  return blocks;
}

function findBlocks(text: string): Found[] {
  // First pass: tag blocks ignoring fences, so that fences INSIDE tags are known; then fences
  // outside tags mark prose quotations; a block starting inside such a fence is "fenced".
  const first = scanTags(text);
  const fences = fenceRanges(
    text,
    first.map((b) => [b.start, b.bodyEnd]),
  );
  return first.map((b) => ({ ...b, fenced: fences.some(([s, e]) => b.start >= s && b.start < e) }));
}

function findUnclosed(text: string, blocks: Found[]): TagKind | undefined {
  const lastEnd = blocks.reduce((max, b) => Math.max(max, b.bodyEnd), 0);
  for (const m of text.slice(lastEnd).matchAll(TAG)) {
    const start = lastEnd + m.index;
    if (m[1] !== '/' && !isInlineCode(text, start, start + m[0].length)) return m[2] as TagKind;
  }
  return undefined;
}

/** Removes one code fence enclosing the whole body (```lang ... ```), keeping the inner text. */
export function unwrapFence(body: string): string {
  const trimmed = body.trim();
  const m = /^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n?\1\s*$/.exec(trimmed);
  if (m === null) return body;
  const inner = m[2] as string;
  // Not an enclosing fence if the same marker appears again inside (two fenced blocks).
  if (new RegExp(`^ {0,3}${escapeRegExp(m[1] as string)}`, 'm').test(inner)) return body;
  return inner.endsWith('\n') ? inner : `${inner}\n`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Parses an integer tag body such as a candidate id; undefined when it is not a plain integer. */
export function parseIntegerBody(body: string): number | undefined {
  const m = /^\s*(-?\d{1,9})\s*$/.exec(body);
  return m === null ? undefined : Number(m[1]);
}
