import { mkdtempSync, mkdirSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Builds a throwaway repository directory for a test. */
export function makeRepo(files: Record<string, string | Uint8Array> = {}): {
  dir: string;
  write: (p: string, c: string | Uint8Array) => void;
  link: (p: string, target: string) => void;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'cm-context-'));
  const write = (path: string, content: string | Uint8Array) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  const link = (path: string, target: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    symlinkSync(target, join(dir, path));
  };
  for (const [p, c] of Object.entries(files)) write(p, c);
  return { dir, write, link, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
