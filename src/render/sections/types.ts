import type { RunReport } from '../../pipeline/types.js';

/** What the PR body renderer knows besides the run report (all optional, all trusted unless noted). */
export interface PrBodyInput {
  report: RunReport;
  /** Login of the user who labelled the issue (pinged on purpose). */
  requestedBy?: string;
  /** Untrusted: the issue title. */
  issueTitle?: string;
  /** The default branch moved while the run was going; the branch still starts at the run's base. */
  baseMoved?: { currentHead: string; branch: string };
  /** The replies came from a scripted transcript, not a model. */
  scripted?: boolean;
  /** Path of the reproduction test committed into the branch, when pr.commitTests is on. */
  committedTestPath?: string;
}

/** One part of the body. `compact` replaces `full` when the body is too long; omitted last. */
export interface BodySection {
  id: SectionId;
  full: string;
  compact?: string;
}

export type SectionId =
  | 'header'
  | 'edit'
  | 'evidence'
  | 'matrix'
  | 'selection'
  | 'tests'
  | 'candidates'
  | 'usage'
  | 'settings'
  | 'metadata';
