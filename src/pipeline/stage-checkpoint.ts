import type { RunStore } from '../store/run-store.js';

/**
 * Stage-level checkpoints: a completed stage's result is stored under `stage/<name>` with its wall
 * time, so a restarted run (same run id, same store) skips it. Stages that did not complete are
 * redone; inside them, state machines and model calls resume from their own checkpoints.
 */
export interface StageCheckpoint<T> {
  version: 1;
  result: T;
  durationMs: number;
  completedAt: string;
}

export function stageKey(stage: string): string {
  return `stage/${stage}`;
}

export async function withStageCheckpoint<T>(
  store: RunStore,
  runId: string,
  stage: string,
  now: () => number,
  fn: () => Promise<T>,
): Promise<StageCheckpoint<T> & { resumed: boolean }> {
  const saved = await store.get<StageCheckpoint<T>>(runId, stageKey(stage));
  if (saved?.version === 1) return { ...saved, resumed: true };
  const started = now();
  const result = await fn();
  const checkpoint: StageCheckpoint<T> = {
    version: 1,
    result,
    durationMs: now() - started,
    completedAt: new Date().toISOString(),
  };
  await store.set(runId, stageKey(stage), checkpoint);
  return { ...checkpoint, resumed: false };
}
