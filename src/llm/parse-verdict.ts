/**
 * Reads the relevance model's verdict. Lenient on what models vary (case, spaces, markdown bold
 * or headings, `Not relevant`/`NOT_RELEVANT`/`Irrelevant`, a summary over several lines), strict
 * on what matters: there must be a RELEVANCE line whose value is one of the two answers, and a
 * Relevant verdict must carry a non-empty SUMMARY. The last RELEVANCE line wins (models sometimes
 * quote the format while reasoning). Failures carry a problem statement meant for the model.
 */
export type RelevanceVerdict =
  | { ok: true; relevant: true; summary: string }
  | { ok: true; relevant: false }
  | { ok: false; problem: string };

/** Markdown decoration around the marker lines: bold/italic stars, `__`, backticks, headings, quotes. */
const DECORATION = /\*+|__|`|^\s*[#>]+/g;
const RELEVANCE_LINE = /^\s*relevance\s*:\s*(.*)$/i;
const SUMMARY_LINE = /^\s*summary\s*:\s*(.*)$/i;

function clean(line: string): string {
  return line.replace(DECORATION, '').replace(/\s+/g, ' ').trim();
}

/** Summary text keeps identifiers intact (snake_case, `code`); only bold stars are removed. */
function cleanSummary(line: string): string {
  return line.replace(/\*\*/g, '').trimEnd();
}

function classify(value: string): 'relevant' | 'not' | undefined {
  const v = value
    .toLowerCase()
    .replace(/[.!]+$/, '')
    .replace(/[\s_-]+/g, ' ')
    .trim();
  if (v === 'relevant' || v === 'yes') return 'relevant';
  if (v === 'not relevant' || v === 'irrelevant' || v === 'no') return 'not';
  return undefined;
}

export function parseVerdict(reply: string): RelevanceVerdict {
  const lines = reply.replace(/\r\n?/g, '\n').split('\n');
  let at = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (RELEVANCE_LINE.test(clean(lines[i] ?? ''))) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    return {
      ok: false,
      problem:
        'your reply has no verdict line. End your reply with a line `RELEVANCE: Relevant` followed by `SUMMARY: ...`, or with `RELEVANCE: Not Relevant`.',
    };
  }
  const raw = (RELEVANCE_LINE.exec(clean(lines[at] ?? ''))?.[1] ?? '').trim();
  const inlineSummary = /^(.*?)\s+summary\s*:\s*(.*)$/i.exec(raw);
  const value = classify(inlineSummary ? (inlineSummary[1] ?? '') : raw);
  if (value === undefined) {
    return {
      ok: false,
      problem: `the verdict line says \`RELEVANCE: ${raw}\`, but the value must be exactly \`Relevant\` or \`Not Relevant\`.`,
    };
  }
  if (value === 'not') return { ok: true, relevant: false };
  const summary = readSummary(lines.slice(at + 1), inlineSummary?.[2]);
  if (summary === '') {
    return {
      ok: false,
      problem:
        'you answered `RELEVANCE: Relevant` but gave no summary. Put a line `SUMMARY: <one paragraph on what in the file relates to the issue>` right after the verdict.',
    };
  }
  return { ok: true, relevant: true, summary };
}

function readSummary(after: string[], inline: string | undefined): string {
  if (inline !== undefined && inline.trim() !== '') {
    return [inline, ...after].map(cleanSummary).join('\n').trim();
  }
  const start = after.findIndex((l) => SUMMARY_LINE.test(clean(l)));
  if (start < 0) return '';
  const first =
    SUMMARY_LINE.exec(cleanSummary(after[start] ?? '').replace(/^\s*[#>*_]+\s*/, ''))?.[1] ?? '';
  return [first, ...after.slice(start + 1).map(cleanSummary)]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
