import type { RunReport } from '../../../src/pipeline/types.js';
import type { GitHubClient } from '../../../src/queue/types.js';

/** A GitHub client fake that records status comment writes (the queue tests need nothing else). */
export function createCommentRecorder() {
  const bodies: string[] = [];
  let nextId = 1000;
  const client = {
    rest: {
      issues: {
        updateComment: async (p: { comment_id: number; body: string }) => {
          bodies.push(p.body);
          return { data: { id: p.comment_id } };
        },
        createComment: async (p: { body: string }) => {
          bodies.push(p.body);
          nextId += 1;
          return { data: { id: nextId } };
        },
        listComments: async () => ({ data: [] }),
      },
    },
    paginate: {
      iterator: () => ({
        async *[Symbol.asyncIterator]() {
          yield { data: [] };
        },
      }),
    },
  };
  return { bodies, client: client as unknown as GitHubClient, last: () => bodies.at(-1) ?? '' };
}

export function fakeReport(runId: string, outcome: RunReport['outcome'] = 'selected'): RunReport {
  const zero = {
    inputTokens: 10,
    cacheWriteTokens: 0,
    cacheReadTokens: 0,
    outputTokens: 5,
    calls: 1,
    usd: 0.01,
  };
  return {
    version: 1,
    runId,
    repo: 'acme/widgets',
    issueNumber: 1,
    baseCommit: 'abc',
    outcome,
    samples: [],
    usage: { byStage: {} as RunReport['usage']['byStage'], total: zero },
    durations: {},
    executions: {},
    prompts: {},
    settings: {
      models: { primary: 'm', relevance: 'm' },
      samples: 1,
      maxAttempts: 1,
      topK: 1,
      rankings: 1,
      budgetTokens: 1000,
      maxUsdPerRun: 1,
      sandboxImage: 'img',
      sandboxKind: 'docker',
    },
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
