/** Why the walker left a file out; stable strings shown in reports. */
export const SKIP_REASONS = {
  gitignored: 'ignored by .gitignore',
  vendored: 'vendored or generated folder',
  lockfile: 'lockfile',
  minified: 'minified or generated bundle',
  symlink: 'symbolic link (not followed)',
  special: 'not a regular file',
  notIncluded: 'not matched by context.include',
  excluded: 'matched by context.exclude',
  tooLarge: 'larger than context.maxFileBytes',
  binary: 'binary (contains NUL bytes)',
  encoding: 'not valid UTF-8',
  empty: 'empty or whitespace only',
  tooMany: 'beyond context.maxFiles',
  unreadable: 'unreadable',
} as const;
export type SkipReason = (typeof SKIP_REASONS)[keyof typeof SKIP_REASONS];

export interface SkipGroup {
  reason: string;
  count: number;
  examples: string[];
}

/** Counts skipped paths per reason, keeping the first few as examples. */
export class SkipCounter {
  private readonly groups = new Map<string, SkipGroup>();

  constructor(private readonly maxExamples = 5) {}

  add(reason: SkipReason, path: string): void {
    let group = this.groups.get(reason);
    if (group === undefined) {
      group = { reason, count: 0, examples: [] };
      this.groups.set(reason, group);
    }
    group.count++;
    if (group.examples.length < this.maxExamples) group.examples.push(path);
  }

  /** Groups by descending count, then reason. */
  report(): SkipGroup[] {
    return [...this.groups.values()]
      .map((g) => ({ ...g, examples: [...g.examples] }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
  }
}
