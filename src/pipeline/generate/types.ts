import type { LlmClient } from '../../llm/client.js';
import type { PromptSet } from '../../llm/prompts.js';
import type { Logger } from '../../logger.js';
import type { Environment } from '../../sandbox/types.js';
import type { RunStore } from '../../store/run-store.js';
import type { ExecSummary, RunRequest, SampleReport } from '../types.js';

/** A whole repository file shown to the editing model (the packed context). */
export interface ContextFile {
  path: string;
  content: string;
}

/** Reads an ORIGINAL repository file by repo-relative path; undefined when it does not exist. */
export type ReadOriginalFile = (path: string) => Promise<string | undefined>;

export interface GenerationInput {
  request: RunRequest;
  /** Packed context files, in rank order (the editing system prompt shows them all). */
  contextFiles: ContextFile[];
  /** The metered, budgeted, checkpoint-replaying client (keys `testing/s<i>/t<turn>`, `editing/s<i>/t<turn>`). */
  llm: LlmClient;
  /** The prepared environment of this run; every script runs through it. */
  env: Environment;
  prompts: PromptSet;
  store: RunStore;
  logger: Logger;
  signal?: AbortSignal;
  /** Called as each sample ends (successfully or not): k of N done. */
  onSampleDone?: (done: number, total: number, sample: SampleReport) => void;
  /** Original file reader for locating edits; default reads `request.snapshot.dir` safely. */
  readFile?: ReadOriginalFile;
  /** Samples run at once (default: all of config.samples). */
  concurrency?: number;
}

/** What one sample leaves for evaluation: its last test and its last edit. */
export interface SampleProduct {
  sampleIndex: number;
  /** Last test script (absent when the sample never produced one). */
  test?: string;
  /** Last output of that test on the unedited repository. */
  testOutput?: ExecSummary;
  /** Unified git diff of the last valid edit (absent when none). */
  diff?: string;
  /** The raw `<edit>` body that produced `diff`. */
  edit?: string;
}

export interface GenerationResult {
  samples: SampleReport[];
  products: SampleProduct[];
  /** Sandbox executions made by the testing and editing machines (this invocation and resumed ones). */
  executions: { testing: number; editing: number };
}
