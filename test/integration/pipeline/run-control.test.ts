import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../../src/pipeline/run.js';
import { ScriptedLlm, type ScriptedRule } from '../../../src/llm/scripted.js';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { loadPrompts } from '../../../src/llm/prompts.js';
import { createSilentLogger } from '../../../src/logger.js';
import type { SandboxProvider } from '../../../src/sandbox/types.js';
import type { RunRequest } from '../../../src/pipeline/types.js';
import { FakeEnvironment } from '../../fakes/fake-environment.js';
import { jsRequest, jsTranscript } from '../../fakes/transcripts/js-clamp.js';

/**
 * runPipeline's control flow without Docker (a fake environment that "runs" scripts by looking at
 * the patch): stage checkpoints, the budget, cancellation and environment disposal.
 */
const prompts = loadPrompts();
const logger = createSilentLogger();

function fakeProvider(env: FakeEnvironment): SandboxProvider & { prepared: number } {
  const provider = {
    kind: 'local' as const,
    prepared: 0,
    async prepare() {
      provider.prepared += 1;
      return env;
    },
    reapOrphans: async () => 0,
    close: async () => {},
  };
  return provider;
}

/** Exit 2 on the original and with a wrong edit, 0 with the correct edit. */
const clampEnv = () =>
  new FakeEnvironment((req) => ({
    exitCode: req.patch?.includes('+    return max;') ? 0 : 2,
    combined: 'ran\n',
  }));

const request = (runId: string, overrides: Record<string, unknown> = {}): RunRequest =>
  jsRequest(runId, overrides, 'c');

describe('pipeline run control', () => {
  it('skips completed stages when restarted with the same run id and store', async () => {
    const store = new MemoryRunStore();
    const env = clampEnv();
    const first = new ScriptedLlm({ rules: jsTranscript() });
    const a = await runPipeline(request('ctl-1'), {
      llm: first,
      sandbox: fakeProvider(env),
      store,
      prompts,
      logger,
    });
    expect(a.outcome).toBe('selected');
    expect(env.disposed).toBe(true);

    const env2 = clampEnv();
    const second = new ScriptedLlm({ rules: [] });
    const b = await runPipeline(request('ctl-1'), {
      llm: second,
      sandbox: fakeProvider(env2),
      store,
      prompts,
      logger,
    });
    expect(second.count()).toBe(0);
    expect(env2.runs).toHaveLength(0);
    expect(b.outcome).toBe('selected');
    expect(b.selected).toEqual(a.selected);
    expect(b.evaluation).toEqual(a.evaluation);
    expect(b.usage.total.calls).toBe(a.usage.total.calls);
  });

  it('stops starting model work when the budget is reached and finishes the run with what it has', async () => {
    const env = clampEnv();
    const llm = new ScriptedLlm({ rules: jsTranscript() });
    // Enough for the cheap relevance scan, not for one primary-model call of 4,096 output tokens.
    const report = await runPipeline(request('ctl-2', { budget: { maxUsdPerRun: 0.01 } }), {
      llm,
      sandbox: fakeProvider(env),
      store: new MemoryRunStore(),
      prompts,
      logger,
    });
    expect(report.budgetExhausted).toEqual({ stage: 'testing', limitUsd: 0.01 });
    expect(llm.count('relevance')).toBe(4);
    expect(llm.count('testing') + llm.count('editing') + llm.count('selection')).toBe(0);
    expect(report.outcome).toBe('abstained');
    expect(report.samples).toHaveLength(4);
    expect(report.usage.total.usd).toBeLessThanOrEqual(0.01);
    expect(env.disposed).toBe(true);
  });

  it('propagates cancellation and always disposes the environment', async () => {
    const env = clampEnv();
    const controller = new AbortController();
    const rules: ScriptedRule[] = jsTranscript().map((rule) =>
      rule.key === 'testing/s0/t0'
        ? {
            ...rule,
            reply: (req) => {
              controller.abort();
              return typeof rule.reply === 'function' ? rule.reply(req) : rule.reply;
            },
          }
        : rule,
    );
    const provider = fakeProvider(env);
    await expect(
      runPipeline(
        request('ctl-3'),
        {
          llm: new ScriptedLlm({ rules }),
          sandbox: provider,
          store: new MemoryRunStore(),
          prompts,
          logger,
        },
        controller.signal,
      ),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(env.disposed).toBe(true);

    const before = fakeProvider(clampEnv());
    await expect(
      runPipeline(
        request('ctl-4'),
        {
          llm: new ScriptedLlm({ rules }),
          sandbox: before,
          store: new MemoryRunStore(),
          prompts,
          logger,
        },
        AbortSignal.abort(),
      ),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(before.prepared).toBe(0);
  });
});
