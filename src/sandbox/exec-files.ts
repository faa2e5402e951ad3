import { posix } from 'node:path';
import tar from 'tar-stream';
import { CodemonkeysError } from '../errors.js';

/** Where a patch is staged inside the sandbox, outside the scratch directory and the repository. */
export const PATCH_PATH = '/tmp/codemonkeys-patch.diff';
/** Control files the driver reads and deletes before the script starts (the nonce is a per-execution secret). */
export const NONCE_PATH = '/tmp/codemonkeys-nonce';
export const ARGV_PATH = '/tmp/codemonkeys-argv';
export const TIMEOUT_PATH = '/tmp/codemonkeys-timeout';

export interface DriverControl {
  nonce: string;
  argv: string[];
  timeoutSeconds: string;
}

/**
 * Checks a relative file name from an ExecRequest: no absolute paths, no `..`, no empty parts.
 * Names may come from model output, so they are untrusted.
 */
export function checkRelativeName(name: string): string {
  const normalised = posix.normalize(name);
  if (
    name.length === 0 ||
    name.length > 500 ||
    name.includes('\0') ||
    posix.isAbsolute(name) ||
    normalised === '.' ||
    normalised.startsWith('../') ||
    normalised === '..'
  ) {
    throw new CodemonkeysError(
      'SANDBOX_ERROR',
      `Refusing file name outside the scratch directory: ${JSON.stringify(name)}`,
    );
  }
  return normalised;
}

/** Builds an in-memory tar (owned by uid/gid 1000) holding the request's files and patch, rooted at `/`. */
export async function buildExecArchive(
  scratchDir: string,
  files: Record<string, string>,
  patch: string | undefined,
  control?: DriverControl,
): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  const root = scratchDir.replace(/^\/+/, '');
  const dirs = new Set<string>();
  const owner = { uid: 1000, gid: 1000, mtime: new Date() };
  for (const [name, content] of Object.entries(files)) {
    const rel = checkRelativeName(name);
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i += 1) {
      const dir = posix.join(root, ...parts.slice(0, i));
      if (!dirs.has(dir)) {
        dirs.add(dir);
        pack.entry({ name: dir, type: 'directory', mode: 0o755, ...owner });
      }
    }
    pack.entry({ name: posix.join(root, rel), mode: 0o755, ...owner }, content);
  }
  if (patch !== undefined) pack.entry({ name: PATCH_PATH.slice(1), mode: 0o644, ...owner }, patch);
  if (control !== undefined) {
    if (control.argv.length === 0 || control.argv.some((arg) => arg.includes('\0'))) {
      throw new CodemonkeysError(
        'SANDBOX_ERROR',
        'argv must be non-empty and free of NUL characters.',
      );
    }
    pack.entry({ name: NONCE_PATH.slice(1), mode: 0o600, ...owner }, `${control.nonce}\n`);
    pack.entry(
      { name: TIMEOUT_PATH.slice(1), mode: 0o600, ...owner },
      `${control.timeoutSeconds}\n`,
    );
    pack.entry(
      { name: ARGV_PATH.slice(1), mode: 0o600, ...owner },
      control.argv.map((arg) => `${arg}\0`).join(''),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}
