/**
 * A file as lines, keeping what is needed to write it back byte-for-byte: the raw lines (a CRLF
 * file's lines keep their `\r`), the comparison keys (without `\r`), whether the file ended with
 * a newline, and the line ending new lines should use.
 */
export interface FileLines {
  raw: string[];
  keys: string[];
  finalNewline: boolean;
  eol: '\n' | '\r\n';
}

export function splitFileLines(content: string): FileLines {
  if (content === '') return { raw: [], keys: [], finalNewline: false, eol: '\n' };
  const raw = content.split('\n');
  const finalNewline = raw[raw.length - 1] === '';
  if (finalNewline) raw.pop();
  const crlf = raw.filter((l) => l.endsWith('\r')).length;
  return {
    raw,
    keys: raw.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)),
    finalNewline,
    eol: crlf > 0 && crlf * 2 >= raw.length ? '\r\n' : '\n',
  };
}

/** Joins lines back into file content. */
export function joinFileLines(raw: readonly string[], finalNewline: boolean): string {
  if (raw.length === 0) return '';
  return raw.join('\n') + (finalNewline ? '\n' : '');
}

/** Lines written by the model, in the file's line ending. */
export function toRawLines(lines: readonly string[], eol: '\n' | '\r\n'): string[] {
  return eol === '\r\n' ? lines.map((l) => `${l}\r`) : [...lines];
}
