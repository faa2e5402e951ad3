import type { LlmClient } from '../../src/llm/client.js';
import type { Environment, SandboxProvider } from '../../src/sandbox/types.js';

/**
 * Timing decorators for the benchmark: every model call and every sandbox operation is recorded
 * as an interval labelled with the pipeline stage current when it started. Busy time is the
 * union of intervals (parallel work is not double counted).
 */
export interface Interval {
  kind: 'model' | 'sandbox';
  stage: string;
  start: number;
  end: number;
}

export class Timeline {
  readonly intervals: Interval[] = [];
  stage = 'queued';

  async measure<T>(kind: Interval['kind'], fn: () => Promise<T>): Promise<T> {
    const stage = this.stage;
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.intervals.push({ kind, stage, start, end: performance.now() });
    }
  }
}

/** Length of the union of intervals. */
export function unionMs(intervals: ReadonlyArray<Pick<Interval, 'start' | 'end'>>): number {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const { start, end } of sorted) {
    if (start > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = start;
      curEnd = end;
    } else curEnd = Math.max(curEnd, end);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

export function timeLlm(llm: LlmClient, timeline: Timeline): LlmClient {
  return { complete: (request) => timeline.measure('model', () => llm.complete(request)) };
}

function timeEnvironment(env: Environment, timeline: Timeline): Environment {
  return {
    id: env.id,
    scratchDir: env.scratchDir,
    workdir: env.workdir,
    run: (request) => timeline.measure('sandbox', () => env.run(request)),
    dispose: () => timeline.measure('sandbox', () => env.dispose()),
  };
}

export function timeSandbox(provider: SandboxProvider, timeline: Timeline): SandboxProvider {
  return {
    kind: provider.kind,
    prepare: async (spec, snapshot, options) =>
      timeEnvironment(
        await timeline.measure('sandbox', () => provider.prepare(spec, snapshot, options)),
        timeline,
      ),
    reapOrphans: () => provider.reapOrphans(),
    close: () => provider.close(),
  };
}
