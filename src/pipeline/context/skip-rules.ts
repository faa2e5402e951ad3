/**
 * Name-based rules of the file walker: folders that hold vendored or generated code, lockfiles,
 * minified bundles. Content-based rules (binary, encoding, size) live in files.ts.
 */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  'bower_components',
  'jspm_packages',
  'dist',
  'build',
  'out-tsc',
  'vendor',
  'third_party_vendored',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.eggs',
  'site-packages',
  'target',
  'coverage',
  '.nyc_output',
  '.next',
  '.nuxt',
  '.svelte-kit',
  '.turbo',
  '.gradle',
  '.idea',
  '.vscode',
  '.cache',
  '.terraform',
  '_build',
  'deps',
  'Pods',
  'DerivedData',
  '.dart_tool',
  '.stack-work',
  'elm-stuff',
]);

export const LOCKFILES: ReadonlySet<string> = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  'Cargo.lock',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'pdm.lock',
  'composer.lock',
  'Gemfile.lock',
  'go.sum',
  'flake.lock',
  'mix.lock',
  'pubspec.lock',
  'Podfile.lock',
  'packages.lock.json',
  'gradle.lockfile',
]);

const MINIFIED_NAME = /[.-]min\.(js|mjs|cjs|css)$|\.bundle\.js$|\.map$/i;

export function isSkippedDir(name: string): boolean {
  return SKIPPED_DIRS.has(name) || name.endsWith('.egg-info');
}

export function isLockfile(name: string): boolean {
  return LOCKFILES.has(name);
}

export function isMinifiedName(name: string): boolean {
  return MINIFIED_NAME.test(name);
}

/**
 * Minified or generated one-line content: some line over 2,000 characters in a file whose
 * average line is over 300 characters. Ordinary source (even with a few long lines) passes.
 */
export function looksMinified(text: string): boolean {
  if (text.length < 2_000) return false;
  let lines = 1;
  let longest = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    longest = Math.max(longest, i - start);
    start = i + 1;
    lines++;
  }
  longest = Math.max(longest, text.length - start);
  return longest > 2_000 && text.length / lines > 300;
}
