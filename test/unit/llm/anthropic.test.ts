import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import nock from 'nock';
import { AnthropicLlm } from '../../../src/llm/anthropic.js';
import type { LlmRequest } from '../../../src/llm/client.js';
import { isCodemonkeysError, type CodemonkeysError } from '../../../src/errors.js';

const BASE = 'https://llm-gateway.example.test';
const KEY = 'sk-ant-test-0000';

function message(text: string, usage: Record<string, number>) {
  return {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-5-5',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { service_tier: 'standard', ...usage },
  };
}

function apiError(type: string, msg: string) {
  return {
    type: 'error',
    error: { type, message: msg },
    request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy',
  };
}

interface SentBody {
  model: string;
  max_tokens: number;
  temperature: number;
  system: Array<{ type: string; text: string; cache_control?: { type: string } }>;
  messages: Array<{
    role: string;
    content: Array<{ type: string; text: string; cache_control?: { type: string } }>;
  }>;
}

function req(overrides: Partial<LlmRequest> = {}): LlmRequest {
  return {
    model: 'claude-sonnet-5-5',
    system: 'SYSTEM PROMPT',
    cacheSystem: true,
    messages: [
      { role: 'user', content: 'turn 0', cache: false },
      { role: 'assistant', content: 'reply 0' },
      { role: 'user', content: 'turn 1', cache: true },
      { role: 'assistant', content: 'reply 1' },
      { role: 'user', content: 'turn 2', cache: true },
    ],
    maxTokens: 4096,
    temperature: 0.5,
    stage: 'editing',
    key: 'editing/s0/t2',
    ...overrides,
  };
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

describe('AnthropicLlm', () => {
  beforeAll(() => {
    nock.disableNetConnect();
    process.env.ANTHROPIC_BASE_URL = BASE;
  });
  afterAll(() => {
    delete process.env.ANTHROPIC_BASE_URL;
    nock.enableNetConnect();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });

  it('sends Bearer auth, the SDK version header and cache_control where marked; maps usage', async () => {
    let body = {} as SentBody;
    nock(BASE, {
      reqheaders: { authorization: `Bearer ${KEY}`, 'anthropic-version': '2026-10-21' },
    })
      .post('/v1/messages', (b: SentBody) => {
        body = b;
        return true;
      })
      .reply(
        200,
        message('Here is my answer.', {
          input_tokens: 21,
          cache_creation_input_tokens: 1830,
          cache_read_input_tokens: 60_412,
          output_tokens: 312,
        }),
        { 'request-id': 'req_011CSHoEeqs5C35K2UUqR7Fy', 'content-type': 'application/json' },
      );
    const llm = new AnthropicLlm({ apiKey: KEY, maxRetries: 0 });
    const res = await llm.complete(req());
    expect(res).toEqual({
      text: 'Here is my answer.',
      usage: {
        inputTokens: 21,
        cacheWriteTokens: 1830,
        cacheReadTokens: 60_412,
        outputTokens: 312,
      },
      stopReason: 'end_turn',
      model: 'claude-sonnet-5-5',
      requestId: 'req_011CSHoEeqs5C35K2UUqR7Fy',
    });
    expect(body).toMatchObject({ model: 'claude-sonnet-5-5', max_tokens: 4096, temperature: 0.5 });
    expect(body.system).toEqual([
      { type: 'text', text: 'SYSTEM PROMPT', cache_control: { type: 'ephemeral' } },
    ]);
    const marks = body.messages.map((m) => m.content[0]?.cache_control?.type ?? null);
    expect(marks).toEqual([null, null, 'ephemeral', null, 'ephemeral']);
    expect(body.messages[4]).toEqual({
      role: 'user',
      content: [{ type: 'text', text: 'turn 2', cache_control: { type: 'ephemeral' } }],
    });
  });

  it('sends at most 4 breakpoints, keeping the system mark and the latest message marks', async () => {
    let body = {} as SentBody;
    nock(BASE)
      .post('/v1/messages', (b: SentBody) => ((body = b), true))
      .reply(200, message('ok', { input_tokens: 1, output_tokens: 1 }));
    const messages = Array.from({ length: 6 }, (_, i) => ({
      role: (i % 2 === 0 ? 'user' : 'assistant') as 'user' | 'assistant',
      content: `m${i}`,
      cache: true,
    }));
    await new AnthropicLlm({ apiKey: KEY, maxRetries: 0 }).complete(req({ messages }));
    const marks = body.messages.map((m) => m.content[0]?.cache_control !== undefined);
    expect(marks).toEqual([false, false, false, true, true, true]);
    expect(body.system[0]?.cache_control).toEqual({ type: 'ephemeral' });
  });

  it('waits for retry-after on 429 and then succeeds', async () => {
    nock(BASE)
      .post('/v1/messages')
      .reply(
        429,
        apiError(
          'rate_limit_error',
          'Number of request tokens has exceeded your per-minute rate limit',
        ),
        { 'retry-after': '1' },
      )
      .post('/v1/messages')
      .reply(200, message('after the wait', { input_tokens: 5, output_tokens: 3 }));
    const started = Date.now();
    const res = await new AnthropicLlm({ apiKey: KEY, maxRetries: 2 }).complete(req());
    expect(res.text).toBe('after the wait');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('ends a 529 storm with LLM_OVERLOADED after the configured retries', async () => {
    const scope = nock(BASE)
      .post('/v1/messages')
      .times(3)
      .reply(529, apiError('overloaded_error', 'Overloaded'));
    const error = await failure(new AnthropicLlm({ apiKey: KEY, maxRetries: 2 }).complete(req()));
    expect(error.code).toBe('LLM_OVERLOADED');
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({ status: 529, type: 'overloaded_error' });
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    [400, 'invalid_request_error', 'messages: roles must alternate', 'LLM_BAD_REQUEST', false],
    [401, 'authentication_error', 'invalid x-api-key', 'LLM_AUTH', false],
    [
      413,
      'request_too_large',
      'Request exceeds the maximum allowed number of bytes.',
      'LLM_CONTEXT_TOO_LONG',
      false,
    ],
    [
      400,
      'invalid_request_error',
      'prompt is too long: 214748 tokens > 200000 maximum',
      'LLM_CONTEXT_TOO_LONG',
      false,
    ],
    [500, 'api_error', 'Internal server error', 'LLM_SERVER', true],
  ])(
    'maps HTTP %i %s to a typed error without retrying client errors',
    async (status, type, msg, code, retryable) => {
      nock(BASE).post('/v1/messages').reply(status, apiError(type, msg));
      const error = await failure(new AnthropicLlm({ apiKey: KEY, maxRetries: 0 }).complete(req()));
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(error.message).not.toContain(KEY);
    },
  );

  it('maps a connection reset to LLM_CONNECTION', async () => {
    nock(BASE)
      .post('/v1/messages')
      .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    const error = await failure(new AnthropicLlm({ apiKey: KEY, maxRetries: 0 }).complete(req()));
    expect(error.code).toBe('LLM_CONNECTION');
  });

  it('maps a per-request timeout to LLM_TIMEOUT', async () => {
    nock(BASE)
      .post('/v1/messages')
      .delay(2_000)
      .reply(200, message('late', { input_tokens: 1, output_tokens: 1 }));
    const error = await failure(
      new AnthropicLlm({ apiKey: KEY, maxRetries: 0 }).complete(req({ timeoutMs: 100 })),
    );
    expect(error.code).toBe('LLM_TIMEOUT');
  });

  it('maps an abort to CANCELLED', async () => {
    nock(BASE)
      .post('/v1/messages')
      .delay(2_000)
      .reply(200, message('late', { input_tokens: 1, output_tokens: 1 }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    // The reply is delayed 2 s: only an honoured abort yields CANCELLED instead of the message.
    const error = await failure(
      new AnthropicLlm({ apiKey: KEY, maxRetries: 3 }).complete(req({ signal: controller.signal })),
    );
    expect(error.code).toBe('CANCELLED');
  });
});
