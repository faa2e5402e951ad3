import type { RepoConfig } from '../config/repo-config.js';
import type { LlmClient, Stage, LlmUsage } from '../llm/client.js';
import type { LlmBatchClient } from '../llm/batch.js';
import type { SandboxProvider, RepoSnapshot, ExecResult } from '../sandbox/types.js';
import type { RunStore } from '../store/run-store.js';
import type { PromptSet } from '../llm/prompts.js';
import type { Logger } from '../logger.js';

/** Everything the pipeline needs to know about one run. Contains no secrets. */
export interface RunRequest {
  /** Deterministic per attempt family, e.g. `acme/widgets#42@<attempt>`; keys checkpoints. */
  runId: string;
  repo: string;
  issue: { number: number; title: string; body: string; url?: string };
  snapshot: RepoSnapshot;
  config: RepoConfig;
}

export type RunStage =
  | 'queued'
  | 'preparing'
  | 'context'
  | 'generating'
  | 'evaluating'
  | 'selecting'
  | 'delivering'
  | 'done';

export interface ProgressEvent {
  stage: RunStage;
  /** Free text for the status comment, e.g. "setup 2/3: pip install -e .". */
  detail?: string;
  samplesDone?: number;
  samplesTotal?: number;
  usage: UsageTotals;
}

export interface PipelineDeps {
  /** Raw model client; the pipeline wraps it with metering, budget and checkpoint replay. */
  llm: LlmClient;
  /**
   * Raw Message Batches client (real API only), metered like `llm`; used by the relevance scan
   * when the repository sets `context.batch: true`. Absent: that scan uses normal calls.
   */
  llmBatch?: LlmBatchClient;
  sandbox: SandboxProvider;
  store: RunStore;
  prompts: PromptSet;
  logger: Logger;
  onProgress?: (event: ProgressEvent) => void;
  now?: () => number;
}

export interface StageUsage extends LlmUsage {
  calls: number;
  usd: number;
  /** Calls answered from a checkpoint (no model call, $0). */
  replays?: number;
  /** Of `calls`, those sent through the Message Batches API (billed at half price). */
  batchCalls?: number;
}
export interface UsageTotals {
  byStage: Record<Stage, StageUsage>;
  total: StageUsage;
}

/** A compact execution record for reports (output already capped for display). */
export interface ExecSummary {
  exitCode: number;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
  /** Head+tail capped combined output. */
  output: string;
  patchError?: string;
}

export function summarizeExec(result: ExecResult, output: string): ExecSummary {
  return {
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    truncated: result.truncated,
    durationMs: result.durationMs,
    output,
    ...(result.patchError === undefined ? {} : { patchError: result.patchError }),
  };
}

export type MachineEnd =
  'DONE' | 'MAX_ATTEMPTS' | 'CONTEXT_EXCEEDED' | 'TRANSITION_CAP' | 'BUDGET' | 'ERROR';

export interface ContextReport {
  scanned: number;
  skipped: Array<{ reason: string; count: number; examples: string[] }>;
  relevant: Array<{ path: string; summary: string; tokens: number }>;
  relevanceParseFailures: number;
  ranking: string[];
  rankingFailures: number;
  packed: Array<{ path: string; tokens: number }>;
  packedTokens: number;
  /** Set when a fallback was used (zero relevant files, all rankings failed...). */
  fallback?: string;
  /** Paths the ranking model named that are not among the relevant files (dropped). */
  inventedPaths?: string[];
  /** The run's dollar budget stopped the context stage early (partial scan or no ranking). */
  budgetExhausted?: boolean;
  /**
   * Set when `context.batch` is on. `used: false` means no batch client was available (scripted
   * model, demo) and normal calls were made. Counts: batches submitted, first-pass requests given
   * to them (checkpointed ones replayed, not sent), items and whole batches that failed and were
   * judged with normal calls instead.
   */
  relevanceBatch?: {
    used: boolean;
    batches: number;
    requests: number;
    itemFailures: number;
    failedBatches: number;
  };
}

export interface SampleReport {
  index: number;
  testing: { end: MachineEnd; calls: number; hasTest: boolean };
  editing: { end: MachineEnd; calls: number; hasEdit: boolean };
  /** Final test script of the sample, if any. */
  test?: string;
  /** Final diff of the sample, if any. */
  diff?: string;
  error?: string;
}

export interface TestRecord {
  id: number;
  sampleIndex: number;
  script: string;
  /** Run on the unedited repository. */
  original: ExecSummary;
  /** Exit 2 on the original: the test claims to reproduce the issue (reported, not used for ranking). */
  reproduces: boolean;
}

export interface CandidateRecord {
  id: number;
  /** Samples that produced exactly this diff. */
  sampleIndices: number[];
  diff: string;
  diffLines: number;
  files: Array<{ path: string; added: number; removed: number }>;
  /** exitCodes[testId] on the edited repository (null = not run). */
  exitCodes: Array<number | null>;
  votes: number;
  /** Some test fails (non-zero) on the original and passes (0) with this edit. */
  hasEvidence: boolean;
}

export interface EvaluationReport {
  tests: TestRecord[];
  candidates: CandidateRecord[];
  /** Candidates dropped before voting (empty or single-line diffs), with the reason. */
  dropped: Array<{ sampleIndex: number; reason: string }>;
  /** Candidate ids in selection order (top k). */
  shortlist: number[];
  executions: number;
}

export interface SelectionTest {
  script: string;
  original: ExecSummary;
  /** Results per shortlisted candidate id. */
  candidates: Record<number, ExecSummary>;
}

export interface SelectionReport {
  method: 'model' | 'single-candidate' | 'clear-winner' | 'fallback';
  chosenCandidateId: number;
  /** Prose before the final tag, when the model chose. */
  reasoning?: string;
  /** Why the fallback was used (invalid id, attempts exhausted, context exceeded, error). */
  fallbackReason?: string;
  calls: number;
  tests: SelectionTest[];
}

export interface SelectedEdit {
  candidateId: number;
  diff: string;
  files: Array<{ path: string; added: number; removed: number }>;
  /** The generated test that best evidences this edit: fails on original, passes with the edit. */
  evidence?: {
    /** Index into evaluation.tests (source 'voting') or selection.tests (source 'selection'). */
    testId: number;
    script: string;
    original: ExecSummary;
    edited: ExecSummary;
    /** Which generated test proves it; absent means 'voting' (reports written before this field). */
    source?: 'voting' | 'selection';
  };
}

export type RunOutcome = 'selected' | 'abstained' | 'failed' | 'cancelled';

export interface RunReport {
  version: 1;
  runId: string;
  repo: string;
  issueNumber: number;
  baseCommit: string;
  outcome: RunOutcome;
  /** Human sentence for abstained/failed/cancelled, e.g. "no candidate passed a test that fails on the original". */
  outcomeReason?: string;
  /** Stable error code when failed. */
  errorCode?: string;
  selected?: SelectedEdit;
  context?: ContextReport;
  samples: SampleReport[];
  evaluation?: EvaluationReport;
  selection?: SelectionReport;
  usage: UsageTotals;
  /** Wall time per stage in ms. */
  durations: Partial<Record<RunStage, number>>;
  /** Sandbox executions per stage. */
  executions: Partial<Record<'testing' | 'editing' | 'evaluating' | 'selecting', number>>;
  /** Budget stopped new work in some stage. */
  budgetExhausted?: { stage: Stage; limitUsd: number };
  prompts: Record<string, string>;
  settings: {
    models: { primary: string; relevance: string };
    samples: number;
    maxAttempts: number;
    topK: number;
    rankings: number;
    budgetTokens: number;
    maxUsdPerRun: number;
    sandboxImage: string;
    sandboxKind: 'docker' | 'local';
  };
  startedAt: string;
  finishedAt: string;
}
