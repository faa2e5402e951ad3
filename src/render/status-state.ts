import type { RunStage, UsageTotals } from '../pipeline/types.js';

/**
 * What the sticky status comment shows. The worker and the delivery code update it; the
 * renderer (render/status-comment.ts) turns it into Markdown. It must always tell the truth.
 */
export type StatusPhase = 'queued' | 'running' | 'done' | 'abstained' | 'failed' | 'cancelled';

export interface StatusFailure {
  /** Stable error code, e.g. SANDBOX_SETUP_FAILED. */
  code: string;
  /** What went wrong, in words a maintainer understands (no secrets, no stack traces). */
  reason: string;
  /** What the maintainer can do about it. */
  action: string;
}

export interface StatusState {
  phase: StatusPhase;
  runId: string;
  stage?: RunStage;
  detail?: string;
  samplesDone?: number;
  samplesTotal?: number;
  /** Jobs ahead of this one when queued. */
  queuePosition?: number;
  requestedBy?: string;
  startedAt?: string;
  finishedAt?: string;
  usage?: UsageTotals;
  prUrl?: string;
  failure?: StatusFailure;
  /** Short Markdown summary for abstained runs (already escaped by the caller). */
  summaryMarkdown?: string;
}

/** Throttled writer of the status comment, handed to the code that runs a job. */
export interface StatusReporter {
  /** Merge a change into the state; written out at most every few seconds. */
  update(patch: Partial<StatusState>): void;
  /** Write the latest state now (call at the end of a job). */
  flush(): Promise<void>;
}
