import type { LlmClient, LlmMessage, LlmRequest, Stage } from '../../llm/client.js';
import { parseTaggedReply, type TagKind, type TaggedBlock } from '../../llm/parse-tags.js';
import { estimateTokens } from '../context/tokens.js';
import {
  runStateMachine,
  type MachineDefinition,
  type MachineRuntimeDeps,
  type StateHandler,
  type Step,
  type StepContext,
  type TerminalState,
} from './state-machine.js';

/**
 * The conversation layer shared by the testing, editing and selection machines. It contributes two
 * states to a machine: ASK (one model call, counted as an attempt, guarded by the attempt limit and
 * the context guard) and PARSE (find exactly one allowed tag; a format error goes back to the model
 * and the machine asks again). What a valid tag means is the machine's `onTag` handler, which may
 * move to its own states (e.g. RUN) and return to ASK with a new user message.
 */
export const ASK = 'ASK';
export const PARSE = 'PARSE';

/** Paper's context guard: conversation + max output tokens must stay under ~195k tokens. */
export const CONTEXT_GUARD_TOKENS = 195_000;

export interface ChatMessageData {
  role: 'user' | 'assistant';
  content: string;
}

export interface ChatData<X> {
  /** The whole conversation so far (system prompt excluded); ends with a user message before ASK. */
  messages: ChatMessageData[];
  /** Model calls made, format fixes included; also the next call's turn number. */
  attempts: number;
  /** Machine-specific data (current test, edit, outputs...). */
  x: X;
}

export interface ChatSettings {
  llm: LlmClient;
  model: string;
  stage: Stage;
  /** Call keys are `<keyPrefix>/t<turn>`, e.g. `editing/s3/t0` (turn 0-based). */
  keyPrefix: string;
  system: string;
  maxTokens: number;
  temperature: number;
  maxAttempts: number;
  contextGuardTokens?: number;
  allowedTags: readonly TagKind[];
  /** Renders the message sent back after a format error (`attemptsMade` includes the bad reply). */
  renderFormatError: (problem: string, allowed: readonly TagKind[], attemptsMade: number) => string;
  timeoutMs?: number;
}

export type TagHandler<X> = (
  block: TaggedBlock,
  data: ChatData<X>,
  ctx: StepContext,
) => Promise<Step<ChatData<X>>>;

export interface ChatMachineOptions<X> {
  /** Machine id (store key `sm/<id>`). */
  id: string;
  settings: ChatSettings;
  firstMessage: string;
  initial: X;
  onTag: TagHandler<X>;
  /** Extra named states (e.g. RUN); they usually end by appending a user message and going to ASK. */
  states?: Record<string, StateHandler<ChatData<X>>>;
  /** Default: 4 transitions per attempt plus slack. */
  maxTransitions?: number;
}

export function appendUser<X>(data: ChatData<X>, content: string): ChatData<X> {
  return { ...data, messages: [...data.messages, { role: 'user', content }] };
}

/** Goes back to ASK with `content` as the next user message and the machine data `x`. */
export function askWith<X>(data: ChatData<X>, content: string, x: X = data.x): Step<ChatData<X>> {
  return { next: ASK, data: { ...appendUser(data, content), x } };
}

/**
 * Cache breakpoints: on the last two user messages (the previous one reads the cached prefix, the
 * last one writes the extended prefix for the next turn); on the last allowed attempt only on the
 * second-to-last, since nothing will read a new prefix.
 */
export function placeCacheBreakpoints(
  messages: readonly ChatMessageData[],
  lastAttempt: boolean,
): LlmMessage[] {
  const userIndexes = messages.flatMap((m, i) => (m.role === 'user' ? [i] : []));
  const marked = new Set(lastAttempt ? userIndexes.slice(-2, -1) : userIndexes.slice(-2));
  return messages.map((m, i) =>
    marked.has(i)
      ? { role: m.role, content: m.content, cache: true }
      : { role: m.role, content: m.content },
  );
}

/** Estimated tokens of the request if it were sent now, including the maximum output. */
export function estimateConversationTokens(
  system: string,
  messages: readonly ChatMessageData[],
  maxTokens: number,
): number {
  return (
    estimateTokens(system) + messages.reduce((n, m) => n + estimateTokens(m.content), 0) + maxTokens
  );
}

export function buildRequest(
  settings: ChatSettings,
  messages: readonly ChatMessageData[],
  turn: number,
  signal?: AbortSignal,
): LlmRequest {
  const request: LlmRequest = {
    model: settings.model,
    system: settings.system,
    cacheSystem: true,
    messages: placeCacheBreakpoints(messages, turn >= settings.maxAttempts - 1),
    maxTokens: settings.maxTokens,
    temperature: settings.temperature,
    stage: settings.stage,
    key: `${settings.keyPrefix}/t${turn}`,
  };
  if (signal !== undefined) request.signal = signal;
  if (settings.timeoutMs !== undefined) request.timeoutMs = settings.timeoutMs;
  return request;
}

export function createChatMachine<X>(
  options: ChatMachineOptions<X>,
): MachineDefinition<ChatData<X>> {
  const { settings } = options;
  const guard = settings.contextGuardTokens ?? CONTEXT_GUARD_TOKENS;

  const ask: StateHandler<ChatData<X>> = async (data, ctx) => {
    if (data.attempts >= settings.maxAttempts) return { next: 'MAX_ATTEMPTS', data };
    if (estimateConversationTokens(settings.system, data.messages, settings.maxTokens) > guard) {
      return { next: 'CONTEXT_EXCEEDED', data };
    }
    const response = await settings.llm.complete(
      buildRequest(settings, data.messages, data.attempts, ctx.signal),
    );
    // An empty assistant turn would make the next request invalid: keep a visible placeholder.
    const content = response.text.trim() === '' ? '(empty reply)' : response.text;
    return {
      next: PARSE,
      data: {
        ...data,
        attempts: data.attempts + 1,
        messages: [...data.messages, { role: 'assistant', content }],
      },
    };
  };

  const parse: StateHandler<ChatData<X>> = async (data, ctx) => {
    const last = data.messages[data.messages.length - 1];
    const parsed = parseTaggedReply(
      last?.role === 'assistant' ? last.content : '',
      settings.allowedTags,
    );
    if (!parsed.ok)
      return askWith(
        data,
        settings.renderFormatError(parsed.problem, settings.allowedTags, data.attempts),
      );
    return options.onTag(parsed.block, data, ctx);
  };

  return {
    id: options.id,
    initialState: ASK,
    initialData: () => ({
      messages: [{ role: 'user', content: options.firstMessage }],
      attempts: 0,
      x: options.initial,
    }),
    states: { ...options.states, [ASK]: ask, [PARSE]: parse },
    maxTransitions: options.maxTransitions ?? settings.maxAttempts * 4 + 8,
  };
}

/** What a chat machine produced: how it ended, its model calls and its machine-specific data. */
export interface MachineProductOutcome<X> {
  end: TerminalState;
  calls: number;
  data: X;
  resumed: boolean;
}

/** Runs (or resumes) a chat machine under `runId` and reports its product. */
export async function runChatMachine<X>(
  machine: MachineDefinition<ChatData<X>>,
  runId: string,
  deps: Omit<MachineRuntimeDeps, 'runId'>,
): Promise<MachineProductOutcome<X>> {
  const outcome = await runStateMachine(machine, {
    store: deps.store,
    runId,
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  });
  return {
    end: outcome.end,
    calls: outcome.data.attempts,
    data: outcome.data.x,
    resumed: outcome.resumed,
  };
}
