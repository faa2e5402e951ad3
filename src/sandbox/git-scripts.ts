/** Makes the copied snapshot a git repository at its base state, so `git apply`/`git diff` work. */
export const GIT_BASE_SCRIPT = `set -e
if [ ! -d .git ]; then git init -q; fi
if ! git rev-parse -q --verify HEAD >/dev/null 2>&1 || [ -n "$(git status --porcelain)" ]; then
  git add -A
  git -c user.name=codemonkeys -c user.email=codemonkeys@localhost -c commit.gpgsign=false \\
    commit -q --no-verify --allow-empty -m 'codemonkeys: base state'
fi`;

/** Files created by setup (build output, egg-info) are hidden from `git status`/`git diff`. */
export const GIT_EXCLUDE_SETUP_OUTPUT = `git ls-files --others --exclude-standard --directory | sed 's|^|/|' >> .git/info/exclude`;
