/**
 * Reads a ranking reply: the LAST fenced code block must hold a JSON array of path strings.
 * Paths are compared after trimming and removing a leading `./`. Paths that are not among the
 * known (relevant) files are dropped and reported in `invented`; repeats are dropped and
 * reported in `duplicates`. A ranking that keeps no known path is a failure. Failures carry a
 * problem statement meant for the model.
 */
export type ParsedRanking =
  | { ok: true; paths: string[]; invented: string[]; duplicates: string[] }
  | { ok: false; problem: string };

const FENCE = /(^|\n)[ \t]*(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n[ \t]*\2[ \t]*(?=\n|$)/g;

function normalise(path: string): string {
  return path.trim().replace(/^\.\//, '');
}

export function parseRanking(reply: string, known: ReadonlySet<string>): ParsedRanking {
  const text = reply.replace(/\r\n?/g, '\n');
  const blocks = [...text.matchAll(FENCE)].map((m) => m[3] ?? '');
  const last = blocks.at(-1);
  const example =
    'End your reply with a fenced block like:\n```json\n["path/a.py", "path/b.py"]\n```';
  if (last === undefined) {
    return {
      ok: false,
      problem: `your reply has no fenced code block holding the ranking. ${example}`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `the last fenced block is not valid JSON (${why}). ${example}` };
  }
  if (!Array.isArray(value)) {
    return {
      ok: false,
      problem: `the last fenced block holds JSON ${typeof value === 'object' ? (value === null ? 'null' : 'object') : typeof value}, but it must be an array of path strings. ${example}`,
    };
  }
  const bad = value.findIndex((v) => typeof v !== 'string');
  if (bad >= 0) {
    return {
      ok: false,
      problem: `element ${bad} of the array is ${JSON.stringify(value[bad])}, but every element must be a path string. ${example}`,
    };
  }
  const paths: string[] = [];
  const invented: string[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  for (const raw of value as string[]) {
    const path = normalise(raw);
    if (!known.has(path)) invented.push(raw);
    else if (seen.has(path)) duplicates.push(path);
    else {
      seen.add(path);
      paths.push(path);
    }
  }
  if (paths.length === 0) {
    const shown = invented
      .slice(0, 5)
      .map((p) => JSON.stringify(p))
      .join(', ');
    return {
      ok: false,
      problem:
        value.length === 0
          ? `the array is empty; list at least the files that must be edited. ${example}`
          : `none of the listed paths is one of the relevant files (${shown}${invented.length > 5 ? ', ...' : ''}); use the exact paths from the list. ${example}`,
    };
  }
  return { ok: true, paths, invented, duplicates };
}
