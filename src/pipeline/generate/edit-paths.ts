/**
 * Edit paths come from the model: untrusted. A path must be relative, inside the repository, not
 * inside .git or the repository's CI definitions, and free of control characters. Returns the normalised path or a reason.
 */
export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

export function checkEditPath(raw: string): PathCheck {
  let path = raw.trim();
  if (
    (path.startsWith('`') && path.endsWith('`')) ||
    (path.startsWith('"') && path.endsWith('"'))
  ) {
    path = path.slice(1, -1).trim();
  }
  if (path === '') return { ok: false, reason: 'the path is empty' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path))
    return { ok: false, reason: 'the path contains control characters' };
  if (path.includes('\\')) return { ok: false, reason: 'use forward slashes in paths' };
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.startsWith('~')) {
    return { ok: false, reason: 'the path must be relative to the repository root' };
  }
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..'))
    return { ok: false, reason: 'the path must stay inside the repository (no ..)' };
  if (parts.length === 0) return { ok: false, reason: 'the path names no file' };
  if (parts.some((p) => p === '.git'))
    return { ok: false, reason: 'files inside .git cannot be edited' };
  // The branch is pushed into the repository itself, where workflow files run with its secrets:
  // a model must never be able to add or change CI. (The App also lacks the workflows permission.)
  if (parts[0] === '.github' && (parts[1] === 'workflows' || parts[1] === 'actions')) {
    return {
      ok: false,
      reason:
        'CI files under .github/workflows and .github/actions cannot be edited; fix the code instead',
    };
  }
  if (path.endsWith('/')) return { ok: false, reason: 'the path names a directory, not a file' };
  return { ok: true, path: parts.join('/') };
}
