import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import nock from 'nock';
import { AnthropicBatchLlm } from '../../../src/llm/anthropic-batch.js';
import type { LlmRequest } from '../../../src/llm/client.js';
import { isCodemonkeysError, type CodemonkeysError } from '../../../src/errors.js';

const BASE = 'https://llm-gateway.example.test';
const KEY = 'sk-ant-test-batch-0000';
const ID = 'msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d';

function batch(
  status: 'in_progress' | 'canceling' | 'ended',
  counts: Partial<Record<string, number>> = {},
) {
  return {
    id: ID,
    type: 'message_batch',
    processing_status: status,
    request_counts: { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0, ...counts },
    ended_at: status === 'ended' ? '2026-11-02T18:37:24.100435Z' : null,
    created_at: '2026-11-02T18:07:24.100435Z',
    expires_at: '2026-11-03T18:07:24.100435Z',
    archived_at: null,
    cancel_initiated_at: status === 'canceling' ? '2026-11-02T18:09:24.100435Z' : null,
    results_url: status === 'ended' ? `${BASE}/v1/messages/batches/${ID}/results` : null,
  };
}

function succeeded(customId: string, text: string) {
  return {
    custom_id: customId,
    result: {
      type: 'succeeded',
      message: {
        id: `msg_${customId}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-haiku-5-5',
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: {
          input_tokens: 120,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 900,
          output_tokens: 40,
          service_tier: 'batch',
        },
      },
    },
  };
}

function req(path: string): LlmRequest {
  return {
    model: 'claude-haiku-5-5',
    system: 'INSTRUCTIONS AND ISSUE',
    cacheSystem: true,
    messages: [{ role: 'user', content: `<file path="${path}">...</file>` }],
    maxTokens: 4096,
    temperature: 0,
    stage: 'relevance',
    key: `relevance/${path}`,
  };
}

interface SentBatch {
  requests: Array<{
    custom_id: string;
    params: { model: string; system: Array<{ cache_control?: unknown }>; messages: unknown[] };
  }>;
}

async function failure(p: Promise<unknown>): Promise<CodemonkeysError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isCodemonkeysError(error))
    throw new Error(`expected a CodemonkeysError, got ${String(error)}`);
  return error;
}

const client = () => new AnthropicBatchLlm({ apiKey: KEY, baseURL: BASE, maxRetries: 0 });

describe('AnthropicBatchLlm', () => {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });

  it('creates with safe custom_ids and cache breakpoints, polls until ended, maps JSONL results back to keys', async () => {
    let sent = {} as SentBatch;
    let auth = '';
    const files = ['src/a.py', 'src/deep/b c.py', 'lib/x.ts'];
    const jsonl = [
      succeeded('req_2', 'RELEVANCE: Not Relevant'),
      {
        custom_id: 'req_1',
        result: {
          type: 'errored',
          error: {
            type: 'error',
            error: {
              type: 'invalid_request_error',
              message: 'prompt is too long: 210000 tokens > 200000 maximum',
            },
            request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy',
          },
        },
      },
      succeeded('req_0', 'RELEVANCE: Relevant\nSUMMARY: computes the area.'),
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    nock(BASE)
      .post('/v1/messages/batches', (body: SentBatch) => {
        sent = body;
        return true;
      })
      .reply(function () {
        auth = String(this.req.headers.authorization);
        return [200, batch('in_progress', { processing: 3 })];
      })
      .get(`/v1/messages/batches/${ID}`)
      .reply(200, batch('in_progress', { processing: 3 }))
      .get(`/v1/messages/batches/${ID}`)
      .times(2) // the poll that sees the end, and the SDK's own look-up of results_url
      .reply(200, batch('ended', { succeeded: 2, errored: 1 }))
      .get(`/v1/messages/batches/${ID}/results`)
      .reply(200, `${jsonl}\n`, { 'content-type': 'application/binary' });

    const outcomes = await client().completeBatch(files.map(req), {
      pollIntervalMs: 5,
      maxWaitMs: 10_000,
    });

    expect(auth).toBe(`Bearer ${KEY}`);
    expect(sent.requests.map((r) => r.custom_id)).toEqual(['req_0', 'req_1', 'req_2']);
    expect(sent.requests.every((r) => /^[a-zA-Z0-9_-]{1,64}$/.test(r.custom_id))).toBe(true);
    expect(sent.requests[0]?.params.system[0]?.cache_control).toEqual({ type: 'ephemeral' });
    expect(sent.requests[0]?.params.model).toBe('claude-haiku-5-5');
    const a = outcomes.get('relevance/src/a.py');
    expect(a?.ok && a.response).toMatchObject({
      text: 'RELEVANCE: Relevant\nSUMMARY: computes the area.',
      usage: { inputTokens: 120, cacheWriteTokens: 0, cacheReadTokens: 900, outputTokens: 40 },
      stopReason: 'end_turn',
    });
    const b = outcomes.get('relevance/src/deep/b c.py');
    expect(b?.ok).toBe(false);
    if (b?.ok === false) {
      expect(b.error.code).toBe('LLM_CONTEXT_TOO_LONG');
      expect(b.error.details).toMatchObject({
        type: 'invalid_request_error',
        requestId: 'req_011CSHoEeqs5C35K2UUqR7Fy',
      });
    }
    const x = outcomes.get('relevance/lib/x.ts');
    expect(x?.ok && x.response.text).toBe('RELEVANCE: Not Relevant');
  });

  it('reports canceled, expired and missing items as typed outcomes', async () => {
    const jsonl = [
      { custom_id: 'req_0', result: { type: 'expired' } },
      { custom_id: 'req_1', result: { type: 'canceled' } },
      { custom_id: 'req_9', result: { type: 'expired' } }, // not ours: ignored
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    nock(BASE)
      .post('/v1/messages/batches')
      .reply(200, batch('ended', { expired: 2, canceled: 1 }))
      .get(`/v1/messages/batches/${ID}`)
      .reply(200, batch('ended', { expired: 2, canceled: 1 }))
      .get(`/v1/messages/batches/${ID}/results`)
      .reply(200, jsonl);
    const outcomes = await client().completeBatch(['a', 'b', 'c'].map(req), { pollIntervalMs: 5 });
    const codes = ['a', 'b', 'c'].map((p) => {
      const o = outcomes.get(`relevance/${p}`);
      return o?.ok === false ? o.error.code : 'ok';
    });
    expect(codes).toEqual(['LLM_TIMEOUT', 'CANCELLED', 'LLM_PROTOCOL']);
  });

  it('cancels the batch and rejects with CANCELLED when the signal aborts while polling', async () => {
    let cancelled = false;
    nock(BASE)
      .post('/v1/messages/batches')
      .reply(200, batch('in_progress', { processing: 1 }))
      .post(`/v1/messages/batches/${ID}/cancel`)
      .reply(() => {
        cancelled = true;
        return [200, batch('canceling', { processing: 1 })];
      });
    const controller = new AbortController();
    const pending = client().completeBatch([req('a')], {
      signal: controller.signal,
      pollIntervalMs: 60_000,
    });
    setTimeout(() => controller.abort(), 50);
    const error = await failure(pending);
    expect(error.code).toBe('CANCELLED');
    expect(cancelled).toBe(true);
  });

  it('cancels a batch whose creation was still in flight when the signal aborted', async () => {
    let cancelled = false;
    nock(BASE)
      .post('/v1/messages/batches')
      .delay(300)
      .reply(200, batch('in_progress', { processing: 1 }))
      .post(`/v1/messages/batches/${ID}/cancel`)
      .reply(() => {
        cancelled = true;
        return [200, batch('canceling', { processing: 1 })];
      });
    const controller = new AbortController();
    const pending = client().completeBatch([req('a')], { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await failure(pending);
    expect(error.code).toBe('CANCELLED');
    expect(cancelled).toBe(true);
  });

  it('gives up after maxWaitMs with LLM_TIMEOUT and cancels the batch', async () => {
    nock(BASE)
      .post('/v1/messages/batches')
      .reply(200, batch('in_progress', { processing: 1 }))
      .post(`/v1/messages/batches/${ID}/cancel`)
      .reply(200, batch('canceling', { processing: 1 }));
    // How many polls fit in 50 ms depends on the machine's load: count them instead of fixing it.
    let polls = 0;
    const poll = nock(BASE).persist().get(`/v1/messages/batches/${ID}`);
    poll.reply(200, () => {
      polls += 1;
      return batch('in_progress', { processing: 1 });
    });
    const error = await failure(
      client().completeBatch([req('a')], { pollIntervalMs: 20, maxWaitMs: 50 }),
    );
    nock.removeInterceptor(poll);
    expect(polls).toBeGreaterThanOrEqual(1);
    expect(error.code).toBe('LLM_TIMEOUT');
    expect(error.details).toMatchObject({ batchId: ID, status: 'in_progress' });
    expect(error.message).not.toContain(KEY);
  });

  it('maps a rejected submission to a typed error and submits nothing for an empty list', async () => {
    nock(BASE)
      .post('/v1/messages/batches')
      .reply(401, {
        type: 'error',
        error: { type: 'authentication_error', message: 'invalid x-api-key' },
        request_id: 'req_1',
      });
    const error = await failure(client().completeBatch([req('a')]));
    expect(error.code).toBe('LLM_AUTH');
    expect(JSON.stringify(error.details)).not.toContain(KEY);
    expect((await client().completeBatch([])).size).toBe(0);
  });
});
