import { describe, it, expect } from 'vitest';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import {
  loadMachineSnapshot,
  runStateMachine,
  type MachineDefinition,
} from '../../../src/pipeline/generate/state-machine.js';
import { isCodemonkeysError } from '../../../src/errors.js';

interface Counter {
  n: number;
}

function counterMachine(
  visits: string[],
  opts: { failAt?: number; maxTransitions?: number; stopAt?: number } = {},
): MachineDefinition<Counter> {
  let failed = false;
  return {
    id: 'demo/s0',
    initialState: 'A',
    initialData: () => ({ n: 0 }),
    maxTransitions: opts.maxTransitions ?? 100,
    states: {
      A: async (d) => {
        visits.push(`A${d.n}`);
        return { next: 'B', data: { n: d.n + 1 } };
      },
      B: async (d) => {
        visits.push(`B${d.n}`);
        if (opts.failAt === d.n && !failed) {
          failed = true;
          throw new Error('crash');
        }
        return { next: d.n >= (opts.stopAt ?? 3) ? 'DONE' : 'A', data: d };
      },
    },
  };
}

describe('state-machine', () => {
  it('runs named states to DONE and persists the final snapshot', async () => {
    const store = new MemoryRunStore();
    const visits: string[] = [];
    const out = await runStateMachine(counterMachine(visits), { store, runId: 'r1' });
    expect(out).toMatchObject({ end: 'DONE', data: { n: 3 }, transitions: 6, resumed: false });
    expect(out.trail).toEqual(['A', 'B', 'A', 'B', 'A', 'B', 'DONE']);
    const saved = await loadMachineSnapshot<Counter>(store, 'r1', 'demo/s0');
    expect(saved?.state).toBe('DONE');
    expect((await store.list('r1', 'sm/')).map((e) => e.key)).toEqual(['sm/demo/s0']);
  });

  it('persists after every transition', async () => {
    const store = new MemoryRunStore();
    const states: string[] = [];
    const spy = {
      ...store,
      get: store.get.bind(store),
      list: store.list.bind(store),
      clear: store.clear.bind(store),
      set: async (runId: string, key: string, value: unknown) => {
        states.push((value as { state: string }).state);
        await store.set(runId, key, value);
      },
    };
    await runStateMachine(counterMachine([]), { store: spy, runId: 'r' });
    expect(states).toEqual(['A', 'B', 'A', 'B', 'A', 'B', 'DONE']);
  });

  it('resumes after a crash from the state that failed, without repeating earlier states', async () => {
    const store = new MemoryRunStore();
    const visits: string[] = [];
    const def = counterMachine(visits, { failAt: 2 });
    await expect(runStateMachine(def, { store, runId: 'r' })).rejects.toThrow('crash');
    expect(visits).toEqual(['A0', 'B1', 'A1', 'B2']);
    const out = await runStateMachine(def, { store, runId: 'r' });
    expect(visits).toEqual(['A0', 'B1', 'A1', 'B2', 'B2', 'A2', 'B3']);
    expect(out).toMatchObject({ end: 'DONE', resumed: true, transitions: 6 });
  });

  it('returns a finished machine without running any state', async () => {
    const store = new MemoryRunStore();
    const visits: string[] = [];
    await runStateMachine(counterMachine(visits), { store, runId: 'r' });
    const before = visits.length;
    const again = await runStateMachine(counterMachine(visits), { store, runId: 'r' });
    expect(visits).toHaveLength(before);
    expect(again).toMatchObject({ end: 'DONE', resumed: true });
  });

  it('ends in TRANSITION_CAP at the hard cap', async () => {
    const out = await runStateMachine(counterMachine([], { maxTransitions: 3, stopAt: 99 }), {
      store: new MemoryRunStore(),
      runId: 'r',
    });
    expect(out.end).toBe('TRANSITION_CAP');
    expect(out.transitions).toBe(3);
  });

  it('stops with CANCELLED when the signal fires, and fails on an unknown state', async () => {
    const controller = new AbortController();
    controller.abort();
    const cancelled = runStateMachine(counterMachine([]), {
      store: new MemoryRunStore(),
      runId: 'r',
      signal: controller.signal,
    });
    await expect(cancelled).rejects.toSatisfy((e: unknown) => isCodemonkeysError(e, 'CANCELLED'));
    const broken: MachineDefinition<Counter> = {
      ...counterMachine([]),
      states: { A: async (d) => ({ next: 'NOPE', data: d }) },
    };
    await expect(
      runStateMachine(broken, { store: new MemoryRunStore(), runId: 'r' }),
    ).rejects.toSatisfy((e: unknown) => isCodemonkeysError(e, 'INTERNAL'));
  });
});
