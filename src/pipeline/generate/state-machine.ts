import { CodemonkeysError, throwIfAborted } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { RunStore } from '../../store/run-store.js';

/**
 * A resumable state machine: named states, each a handler that returns the next state and the new
 * state data. After EVERY transition the snapshot (state name + data) is written to the RunStore
 * under `sm/<machineId>`, so re-running the machine with the same id continues where it stopped.
 * Handlers must therefore be deterministic functions of their data plus side effects that are safe
 * to repeat (model calls are replayed by the metered client's checkpoints; executions re-run).
 */
export const TERMINAL_STATES = [
  'DONE',
  'MAX_ATTEMPTS',
  'CONTEXT_EXCEEDED',
  'TRANSITION_CAP',
] as const;
export type TerminalState = (typeof TERMINAL_STATES)[number];

export function isTerminalState(state: string): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

export interface StepContext {
  machineId: string;
  /** Transitions taken so far (including ones before a resume). */
  transitions: number;
  signal?: AbortSignal;
}

export interface Step<D> {
  next: string;
  data: D;
}

export type StateHandler<D> = (data: D, ctx: StepContext) => Promise<Step<D>>;

export interface MachineDefinition<D> {
  /** Unique within the run, e.g. `testing/s3`; the store key is `sm/<id>`. */
  id: string;
  initialState: string;
  /** Built only when there is no persisted snapshot. */
  initialData: () => D;
  states: Record<string, StateHandler<D>>;
  /** Hard cap on transitions; reaching it ends in TRANSITION_CAP. */
  maxTransitions: number;
}

export interface MachineSnapshot<D> {
  id: string;
  state: string;
  data: D;
  transitions: number;
  /** State names visited, in order (for reports and tests). */
  trail: string[];
}

export interface MachineRuntimeDeps {
  store: RunStore;
  runId: string;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface MachineOutcome<D> {
  end: TerminalState;
  data: D;
  transitions: number;
  trail: string[];
  /** A persisted snapshot was found and continued. */
  resumed: boolean;
}

export function machineStoreKey(id: string): string {
  return `sm/${id}`;
}

/** Reads the persisted snapshot of a machine (e.g. to salvage partial products after an error). */
export async function loadMachineSnapshot<D>(
  store: RunStore,
  runId: string,
  id: string,
): Promise<MachineSnapshot<D> | undefined> {
  return store.get<MachineSnapshot<D>>(runId, machineStoreKey(id));
}

/**
 * Runs (or resumes) a machine until a terminal state. Errors thrown by handlers propagate; the last
 * persisted snapshot stays in the store, so a later call resumes from the state that failed.
 */
export async function runStateMachine<D>(
  def: MachineDefinition<D>,
  deps: MachineRuntimeDeps,
): Promise<MachineOutcome<D>> {
  const key = machineStoreKey(def.id);
  const saved = await deps.store.get<MachineSnapshot<D>>(deps.runId, key);
  let snapshot: MachineSnapshot<D> = saved ?? {
    id: def.id,
    state: def.initialState,
    data: def.initialData(),
    transitions: 0,
    trail: [def.initialState],
  };
  if (saved === undefined) await deps.store.set(deps.runId, key, snapshot);
  else
    deps.logger?.debug(
      { machine: def.id, state: saved.state, transitions: saved.transitions },
      'resuming state machine',
    );

  while (!isTerminalState(snapshot.state)) {
    throwIfAborted(deps.signal);
    if (snapshot.transitions >= def.maxTransitions) {
      snapshot = {
        ...snapshot,
        state: 'TRANSITION_CAP',
        trail: [...snapshot.trail, 'TRANSITION_CAP'],
      };
      await deps.store.set(deps.runId, key, snapshot);
      break;
    }
    const handler = def.states[snapshot.state];
    if (handler === undefined)
      throw new CodemonkeysError(
        'INTERNAL',
        `state machine ${def.id} has no state ${snapshot.state}`,
      );
    const ctx: StepContext = { machineId: def.id, transitions: snapshot.transitions };
    if (deps.signal !== undefined) ctx.signal = deps.signal;
    const step = await handler(snapshot.data, ctx);
    snapshot = {
      id: def.id,
      state: step.next,
      data: step.data,
      transitions: snapshot.transitions + 1,
      trail: [...snapshot.trail, step.next],
    };
    await deps.store.set(deps.runId, key, snapshot);
  }
  return {
    end: snapshot.state as TerminalState,
    data: snapshot.data,
    transitions: snapshot.transitions,
    trail: snapshot.trail,
    resumed: saved !== undefined,
  };
}
