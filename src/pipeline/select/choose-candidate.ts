import type { RunRequest, SelectionReport } from '../types.js';
import type { EvaluationResult } from '../evaluate/matrix.js';
import { hasClearWinner } from '../evaluate/shortlist.js';
import { createSnapshotReader } from '../generate/snapshot-reader.js';
import { getTouchedPaths } from './render-selection.js';
import { runSelection, type SelectionDeps } from './selection-machine.js';

/**
 * Chooses among the shortlist: none for zero candidates; no model call for exactly one
 * ('single-candidate') or, when configured, for a strict vote winner ('clear-winner'); otherwise
 * the selection state machine over the shortlist with the original files and an example test.
 */
export async function chooseCandidate(
  request: RunRequest,
  evaluation: EvaluationResult,
  tests: ReadonlyMap<number, string>,
  deps: SelectionDeps,
): Promise<SelectionReport | undefined> {
  const { candidates, shortlist } = evaluation.report;
  const [first] = shortlist;
  if (first === undefined) return undefined;
  if (shortlist.length === 1) {
    return { method: 'single-candidate', chosenCandidateId: first, calls: 0, tests: [] };
  }
  if (request.config.skipSelectionOnClearWinner && hasClearWinner(candidates, shortlist)) {
    return { method: 'clear-winner', chosenCandidateId: first, calls: 0, tests: [] };
  }
  const listed = shortlist
    .map((id) => candidates.find((c) => c.id === id))
    .filter((c) => c !== undefined);
  const read = createSnapshotReader(request.snapshot.dir);
  const files = await Promise.all(
    getTouchedPaths(listed).map(async (path) => ({ path, content: await read(path) })),
  );
  const exampleSample = listed[0]?.sampleIndices[0];
  return runSelection(
    {
      candidates: listed.map((c) => ({ candidateId: c.id, diff: c.diff })),
      files,
      exampleTest: exampleSample === undefined ? undefined : tests.get(exampleSample),
      issue: { title: request.issue.title, body: request.issue.body },
      repo: request.repo,
    },
    deps,
  );
}
