import { describe, it, expect } from 'vitest';
import { chooseCandidate } from '../../../src/pipeline/select/choose-candidate.js';
import { ScriptedLlm } from '../../../src/llm/scripted.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { loadPrompts } from '../../../src/llm/prompts.js';
import { repoConfigSchema } from '../../../src/config/repo-config.js';
import type { EvaluationResult } from '../../../src/pipeline/evaluate/matrix.js';
import type { CandidateRecord, RunRequest } from '../../../src/pipeline/types.js';
import { FakeEnvironment } from '../../fakes/fake-environment.js';
import { JS_CLAMP_DIR, jsIssue } from '../../fakes/transcripts/js-clamp.js';
import { replies } from '../../fakes/transcripts/build-transcript.js';

const diff = (n: number) =>
  `diff --git a/src/clamp.js b/src/clamp.js\n--- a/src/clamp.js\n+++ b/src/clamp.js\n@@ -17 +17 @@\n-    return min;\n+    return ${n};\n`;
const cand = (id: number, votes: number): CandidateRecord => ({
  id,
  sampleIndices: [id + 10],
  diff: diff(id),
  diffLines: 6,
  files: [{ path: 'src/clamp.js', added: 1, removed: 1 }],
  exitCodes: [],
  votes,
  hasEvidence: true,
});
const evaluation = (candidates: CandidateRecord[]): EvaluationResult => ({
  report: {
    tests: [],
    candidates,
    dropped: [],
    shortlist: candidates.map((c) => c.id),
    executions: 0,
  },
  evidence: {},
});

function setup(
  overrides: Record<string, unknown> = {},
  rules = [] as ConstructorParameters<typeof ScriptedLlm>[0]['rules'],
) {
  const config = repoConfigSchema.parse(overrides);
  const request: RunRequest = {
    runId: 'r',
    repo: 'fixtures/js-clamp',
    issue: jsIssue,
    snapshot: { dir: JS_CLAMP_DIR, repo: 'x', commit: 'c' },
    config,
  };
  const llm = new ScriptedLlm({ rules });
  const deps = {
    llm,
    env: new FakeEnvironment(),
    prompts: loadPrompts(),
    store: new MemoryRunStore(),
    runId: 'r',
    config,
  };
  return { request, llm, deps };
}

describe('choose-candidate', () => {
  it('returns nothing for zero candidates and skips the model for a single one', async () => {
    const { request, llm, deps } = setup();
    expect(await chooseCandidate(request, evaluation([]), new Map(), deps)).toBeUndefined();
    expect(await chooseCandidate(request, evaluation([cand(3, 1)]), new Map(), deps)).toEqual({
      method: 'single-candidate',
      chosenCandidateId: 3,
      calls: 0,
      tests: [],
    });
    expect(llm.count()).toBe(0);
  });

  it('skips the model for a strict vote winner only when configured', async () => {
    const tied = evaluation([cand(0, 3), cand(1, 2)]);
    const on = setup({ skipSelectionOnClearWinner: true });
    expect(await chooseCandidate(on.request, tied, new Map(), on.deps)).toMatchObject({
      method: 'clear-winner',
      chosenCandidateId: 0,
    });
    const off = setup({}, [{ key: 'selection/t0', reply: replies.choose(1, 'Smaller.') }]);
    expect(await chooseCandidate(off.request, tied, new Map(), off.deps)).toMatchObject({
      method: 'model',
      chosenCandidateId: 1,
    });
    const tie = setup({ skipSelectionOnClearWinner: true }, [
      { key: 'selection/t0', reply: replies.choose(0, 'Same.') },
    ]);
    expect(
      await chooseCandidate(tie.request, evaluation([cand(0, 2), cand(1, 2)]), new Map(), tie.deps),
    ).toMatchObject({ method: 'model' });
  });

  it('shows the original files and the test of the sample behind candidate 0', async () => {
    const { request, llm, deps } = setup({}, [
      { key: 'selection/t0', reply: replies.choose(0, 'ok') },
    ]);
    await chooseCandidate(
      request,
      evaluation([cand(0, 2), cand(1, 1)]),
      new Map([
        [10, 'EXAMPLE TEST BODY'],
        [11, 'OTHER SAMPLE TEST'],
      ]),
      deps,
    );
    const first = llm.calls[0]?.messages[0]?.content ?? '';
    expect(first).toContain('<file path="src/clamp.js">');
    expect(first).toContain('function clamp(value, min, max)');
    expect(first).toContain('EXAMPLE TEST BODY');
    expect(first).not.toContain('OTHER SAMPLE TEST');
  });
});
