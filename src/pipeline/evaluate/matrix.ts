import type { RepoConfig } from '../../config/repo-config.js';
import { getTestArgv } from '../../config/repo-config.js';
import { throwIfAborted } from '../../errors.js';
import type { Environment, ExecResult } from '../../sandbox/types.js';
import {
  summarizeExec,
  type EvaluationReport,
  type ExecSummary,
  type TestRecord,
} from '../types.js';
import { getShortlist } from './shortlist.js';
import {
  collectCandidates,
  findEvidenceTests,
  markReproducing,
  tallyVotes,
  type SampleProduct,
} from './voting.js';

/**
 * Runs the voting matrix in the sandbox: every distinct test script on the original repository and
 * on every distinct candidate diff, each pair once, all in parallel (the provider bounds
 * concurrency). Returns the full matrix for the report plus, per candidate, the output of its best
 * evidence test (for the PR). Sandbox failures other than a patch that does not apply propagate.
 */
export interface EvaluationDeps {
  env: Environment;
  config: RepoConfig;
  /** Caps an execution's combined output for display (head + tail with a marker). */
  formatOutput: (result: ExecResult) => string;
  signal?: AbortSignal;
  onExecution?: () => void;
}

export interface CandidateEvidence {
  testId: number;
  edited: ExecSummary;
}

export interface EvaluationResult {
  report: EvaluationReport;
  /** Best evidence per candidate id (test fails on original, passes with the edit). */
  evidence: Record<number, CandidateEvidence>;
}

/** Name of the test script inside the sandbox scratch directory. */
export function getTestFileName(config: RepoConfig, label: string): string {
  return `${label}${config.sandbox.test.extension}`;
}

export async function runEvaluation(
  samples: readonly SampleProduct[],
  deps: EvaluationDeps,
): Promise<EvaluationResult> {
  const { config, env, signal } = deps;
  throwIfAborted(signal);
  const collected = collectCandidates(samples);
  const scripts = [...new Set(collected.tests.map((t) => t.script))];
  const scriptIndex = new Map(scripts.map((s, i) => [s, i]));
  let executions = 0;

  const exec = async (script: string, patch: string | undefined): Promise<ExecSummary> => {
    const file = getTestFileName(config, 'vote_test');
    const result = await env.run({
      files: { [file]: script },
      ...(patch === undefined ? {} : { patch }),
      argv: getTestArgv(config, `${env.scratchDir}/${file}`),
      timeoutMs: config.sandbox.timeouts.votingSeconds * 1000,
      outputCapBytes: config.sandbox.outputCapBytes,
      ...(signal === undefined ? {} : { signal }),
    });
    executions += 1;
    deps.onExecution?.();
    return summarizeExec(result, deps.formatOutput(result));
  };

  const originalRuns = scripts.map((script) => exec(script, undefined));
  const editedRuns = collected.candidates.map((candidate) =>
    scripts.map((script) => exec(script, candidate.diff)),
  );
  const settled = await Promise.allSettled([...originalRuns, ...editedRuns.flat()]);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  const values = settled.map((s) => (s as PromiseFulfilledResult<ExecSummary>).value);
  const originalByScript = values.slice(0, scripts.length);
  const editedByScript = collected.candidates.map((_, c) =>
    values.slice(scripts.length * (c + 1), scripts.length * (c + 2)),
  );

  const perTest = (testScript: string): number => scriptIndex.get(testScript) as number;
  const tests: TestRecord[] = collected.tests.map((t) =>
    markReproducing({
      id: t.id,
      sampleIndex: t.sampleIndex,
      script: t.script,
      original: originalByScript[perTest(t.script)] as ExecSummary,
    }),
  );
  const originalCodes = tests.map((t) => t.original.exitCode);
  const exitCodes = collected.candidates.map((_, c) =>
    collected.tests.map((t) => editedByScript[c]?.[perTest(t.script)]?.exitCode ?? null),
  );
  const candidates = tallyVotes(collected.candidates, exitCodes, originalCodes);
  const evidence: Record<number, CandidateEvidence> = {};
  for (const candidate of candidates) {
    const [testId] = findEvidenceTests(candidate.exitCodes, originalCodes);
    const test = testId === undefined ? undefined : collected.tests[testId];
    const edited =
      test === undefined ? undefined : editedByScript[candidate.id]?.[perTest(test.script)];
    if (testId !== undefined && edited !== undefined) evidence[candidate.id] = { testId, edited };
  }
  return {
    report: {
      tests,
      candidates,
      dropped: collected.dropped,
      shortlist: getShortlist(candidates, config.topK),
      executions,
    },
    evidence,
  };
}
