import type { RunReport } from '../../pipeline/types.js';
import { hiddenJson } from '../markdown.js';
import type { BodySection, PrBodyInput } from './types.js';

export const METADATA_MARKER = 'codemonkeys:metadata';

/** Machine-readable facts for later runs and tools; never secrets. */
export interface PrMetadata {
  version: 1;
  runId: string;
  repo: string;
  issue: number;
  baseCommit: string;
  outcome: RunReport['outcome'];
  selectedCandidateId?: number;
  candidates: Array<{ id: number; votes: number; diffLines: number; samples: number[] }>;
  tests: Array<{ id: number; sample: number; reproduces: boolean; originalExit: number }>;
  selectionMethod?: string;
  usd: number;
  calls: number;
  models: { primary: string; relevance: string };
  prompts: Record<string, string>;
  scripted: boolean;
  startedAt: string;
  finishedAt: string;
}

export function getPrMetadata(input: PrBodyInput): PrMetadata {
  const { report } = input;
  return {
    version: 1,
    runId: report.runId,
    repo: report.repo,
    issue: report.issueNumber,
    baseCommit: report.baseCommit,
    outcome: report.outcome,
    ...(report.selected === undefined ? {} : { selectedCandidateId: report.selected.candidateId }),
    candidates: (report.evaluation?.candidates ?? []).map((c) => ({
      id: c.id,
      votes: c.votes,
      diffLines: c.diffLines,
      samples: c.sampleIndices,
    })),
    tests: (report.evaluation?.tests ?? []).map((t) => ({
      id: t.id,
      sample: t.sampleIndex,
      reproduces: t.reproduces,
      originalExit: t.original.exitCode,
    })),
    ...(report.selection === undefined ? {} : { selectionMethod: report.selection.method }),
    usd: Math.round(report.usage.total.usd * 10_000) / 10_000,
    calls: report.usage.total.calls,
    models: report.settings.models,
    prompts: report.prompts,
    scripted: input.scripted === true,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
  };
}

/** The hidden `<!-- codemonkeys:metadata {json} -->` block. */
export function renderMetadataSection(input: PrBodyInput): BodySection {
  return { id: 'metadata', full: hiddenJson(METADATA_MARKER, getPrMetadata(input)) };
}
