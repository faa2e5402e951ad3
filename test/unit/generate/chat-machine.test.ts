import { describe, it, expect } from 'vitest';
import { ScriptedLlm } from '../../../src/llm/scripted.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import {
  askWith,
  createChatMachine,
  placeCacheBreakpoints,
  type ChatSettings,
} from '../../../src/pipeline/generate/chat-machine.js';
import { runStateMachine } from '../../../src/pipeline/generate/state-machine.js';

function settings(llm: ScriptedLlm, over: Partial<ChatSettings> = {}): ChatSettings {
  return {
    llm,
    model: 'm',
    stage: 'testing',
    keyPrefix: 'testing/s0',
    system: 'SYSTEM',
    maxTokens: 100,
    temperature: 0.5,
    maxAttempts: 4,
    allowedTags: ['test', 'done'],
    renderFormatError: (problem, _allowed, made) => `FORMAT(${made}): ${problem}`,
    ...over,
  };
}

function machine(llm: ScriptedLlm, over: Partial<ChatSettings> = {}) {
  return createChatMachine<{ tests: number }>({
    id: 'testing/s0',
    settings: settings(llm, over),
    firstMessage: 'FIRST',
    initial: { tests: 0 },
    onTag: async (block, data) => {
      if (block.kind === 'done') return { next: 'DONE', data };
      return askWith(data, `RAN ${block.body.trim()}`, { tests: data.x.tests + 1 });
    },
  });
}

describe('chat-machine', () => {
  it('keys calls by turn, sends format errors back and counts them as attempts', async () => {
    const llm = new ScriptedLlm({
      rules: [
        { key: 'testing/s0/t0', reply: 'no tag at all' },
        { key: 'testing/s0/t1', reply: '<test>a</test>' },
        { key: 'testing/s0/t2', reply: 'ok <done>DONE</done>' },
      ],
    });
    const out = await runStateMachine(machine(llm), { store: new MemoryRunStore(), runId: 'r' });
    expect(out.end).toBe('DONE');
    expect(out.data.attempts).toBe(3);
    expect(llm.calls.map((c) => c.key)).toEqual([
      'testing/s0/t0',
      'testing/s0/t1',
      'testing/s0/t2',
    ]);
    expect(llm.calls[1]?.messages.map((m) => m.content)).toEqual([
      'FIRST',
      'no tag at all',
      'FORMAT(1): Your reply contains no tagged block. Reason in prose first, then end with exactly one of <test>, <done>.',
    ]);
    expect(llm.calls[2]?.messages.at(-1)?.content).toBe('RAN a');
    expect(
      llm.calls.every(
        (c) => c.cacheSystem === true && c.temperature === 0.5 && c.stage === 'testing',
      ),
    ).toBe(true);
  });

  it('ends in MAX_ATTEMPTS after maxAttempts calls, format fixes included', async () => {
    const llm = new ScriptedLlm({ rules: [{ reply: 'still thinking' }] });
    const out = await runStateMachine(machine(llm, { maxAttempts: 3 }), {
      store: new MemoryRunStore(),
      runId: 'r',
    });
    expect(out.end).toBe('MAX_ATTEMPTS');
    expect(llm.count()).toBe(3);
  });

  it('ends in CONTEXT_EXCEEDED before a call that would exceed the guard', async () => {
    const llm = new ScriptedLlm({ rules: [{ reply: `<test>${'x'.repeat(700)}</test>` }] });
    // system (2 tokens) + FIRST (2) + max output 100 fits 300; after one 700-char reply it does not.
    const out = await runStateMachine(machine(llm, { contextGuardTokens: 300 }), {
      store: new MemoryRunStore(),
      runId: 'r',
    });
    expect(out.end).toBe('CONTEXT_EXCEEDED');
    expect(llm.count()).toBe(1);
  });

  it('places cache breakpoints on the last two user messages, only the second-to-last on the last attempt', () => {
    const msgs = [
      { role: 'user' as const, content: 'u1' },
      { role: 'assistant' as const, content: 'a1' },
      { role: 'user' as const, content: 'u2' },
      { role: 'assistant' as const, content: 'a2' },
      { role: 'user' as const, content: 'u3' },
    ];
    expect(placeCacheBreakpoints(msgs, false).map((m) => m.cache === true)).toEqual([
      false,
      false,
      true,
      false,
      true,
    ]);
    expect(placeCacheBreakpoints(msgs, true).map((m) => m.cache === true)).toEqual([
      false,
      false,
      true,
      false,
      false,
    ]);
    expect(placeCacheBreakpoints(msgs.slice(0, 1), false).map((m) => m.cache === true)).toEqual([
      true,
    ]);
    expect(placeCacheBreakpoints(msgs.slice(0, 1), true).map((m) => m.cache === true)).toEqual([
      false,
    ]);
  });

  it('marks the last allowed call with only the second-to-last breakpoint', async () => {
    const llm = new ScriptedLlm({ rules: [{ reply: '<test>a</test>' }] });
    await runStateMachine(machine(llm, { maxAttempts: 2 }), {
      store: new MemoryRunStore(),
      runId: 'r',
    });
    const last = llm.calls[1];
    expect(last?.messages.map((m) => m.cache === true)).toEqual([true, false, false]);
    expect(llm.calls[0]?.messages.map((m) => m.cache === true)).toEqual([true]);
  });
});
