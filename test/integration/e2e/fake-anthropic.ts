import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Stage } from '../../../src/llm/client.js';
import { ScriptedLlm, type ScriptedRule } from '../../../src/llm/scripted.js';

/**
 * A stand-in for the Anthropic Messages API (POST /v1/messages, real wire format) that answers
 * from a scripted transcript. HTTP requests carry no call key, so the key is derived from the
 * content, explicitly: the stage from the system prompt's opening, the turn from the number of
 * assistant messages, the sample from what the conversation already holds. Anything it cannot
 * place is answered 400 and recorded in `unexpected`.
 */
export interface RecordedMessageRequest {
  headers: Record<string, string | string[] | undefined>;
  body: MessagesBody;
  stage?: Stage;
  key?: string;
  /** True once a reply was sent (a held call never gets one). */
  answered: boolean;
}

interface Block {
  type: string;
  text: string;
  cache_control?: { type: string };
}

export interface MessagesBody {
  model: string;
  max_tokens: number;
  system?: Block[];
  messages: Array<{ role: 'user' | 'assistant'; content: Block[] | string }>;
}

export interface SampleScript {
  testing: string[];
  editing: string[];
}

/** Opening words of each stage's system prompt (prompts/<stage>.system.md). */
const STAGE_MARKERS: Array<[Stage, string]> = [
  ['relevance', 'You are screening the files'],
  ['ranking', 'decide which of these files the developer will see'],
  ['testing', 'Your task is NOT to fix the issue below'],
  ['editing', 'Your goal: edit the codebase'],
  ['selection', 'reviewing several candidate fixes'],
];

const text = (content: Block[] | string): string =>
  typeof content === 'string' ? content : content.map((b) => b.text).join('');

/** The last `<test>` script a sample's testing replies write (what its editing prompt shows). */
function lastTest(replies: string[]): string | undefined {
  const scripts = replies.flatMap((r) => [...r.matchAll(/<test>\n([\s\S]*?)<\/test>/g)]);
  return scripts.at(-1)?.[1];
}

export class FakeAnthropic {
  readonly requests: RecordedMessageRequest[] = [];
  readonly unexpected: string[] = [];
  private readonly llm: ScriptedLlm;
  private server: Server | undefined;
  private testingStarts = 0;
  private rankings = 0;
  private readonly seenPrefixes = new Set<string>();
  private readonly holds = new Map<string, () => void>();

  constructor(
    rules: ScriptedRule[],
    private readonly samples: SampleScript[],
  ) {
    this.llm = new ScriptedLlm({ rules });
  }

  /**
   * The next call with this key is never answered (the connection stays open until the client
   * gives up or the server stops). Resolves when that call arrives.
   */
  hold(key: string): Promise<void> {
    return new Promise((resolve) => this.holds.set(key, resolve));
  }

  /** The call key the pipeline would have used (see the key convention in src/llm/client.ts). */
  private place(body: MessagesBody): { stage: Stage; key: string } | undefined {
    const system = text(body.system ?? []);
    const stage = STAGE_MARKERS.find(([, marker]) => system.includes(marker))?.[0];
    const assistant = body.messages
      .filter((m) => m.role === 'assistant')
      .map((m) => text(m.content));
    const firstUser = text(body.messages[0]?.content ?? '');
    const turn = assistant.length;
    switch (stage) {
      case 'relevance': {
        const path = /<file path="([^"]+)">/.exec(firstUser)?.[1];
        return path === undefined
          ? undefined
          : { stage, key: `relevance/${path}${turn > 0 ? '/retry' : ''}` };
      }
      case 'ranking':
        return { stage, key: `ranking/${this.rankings++}${turn > 0 ? '/retry' : ''}` };
      case 'testing': {
        // Every sample starts from the same prompt: the n-th new conversation is sample n; later
        // turns are recognised by the sample's own first reply.
        const s =
          turn === 0
            ? this.testingStarts++
            : this.samples.findIndex((sample) => sample.testing[0] === assistant[0]);
        return s < 0 || s >= this.samples.length
          ? undefined
          : { stage, key: `testing/s${s}/t${turn}` };
      }
      case 'editing': {
        const s = this.samples.findIndex((sample) => {
          const script = lastTest(sample.testing);
          return script !== undefined && firstUser.includes(script);
        });
        return s < 0 ? undefined : { stage, key: `editing/s${s}/t${turn}` };
      }
      case 'selection':
        return { stage, key: `selection/t${turn}` };
      default:
        return undefined;
    }
  }

  /** Usage as the API reports it: prefixes up to a cache breakpoint are written once, then read. */
  private usage(body: MessagesBody, reply: string) {
    const blocks = [
      ...(body.system ?? []),
      ...body.messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content)),
    ];
    let prefix = '';
    let cached = '';
    for (const block of blocks) {
      prefix += block.text;
      if (block.cache_control !== undefined) cached = prefix;
    }
    const tokens = (s: string) => Math.ceil(s.length / 4);
    const hit = cached !== '' && this.seenPrefixes.has(cached);
    if (cached !== '') this.seenPrefixes.add(cached);
    return {
      input_tokens: tokens(prefix) - tokens(cached),
      output_tokens: tokens(reply),
      cache_creation_input_tokens: hit ? 0 : tokens(cached),
      cache_read_input_tokens: hit ? tokens(cached) : 0,
    };
  }

  private async answer(
    req: IncomingMessage,
    raw: string,
  ): Promise<{ status: number; body: unknown }> {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/messages') {
      this.unexpected.push(`${req.method} ${req.url}`);
      return {
        status: 404,
        body: { type: 'error', error: { type: 'not_found_error', message: 'not faked' } },
      };
    }
    const body = JSON.parse(raw) as MessagesBody;
    const placed = this.place(body);
    const record: RecordedMessageRequest = {
      headers: req.headers,
      body,
      ...placed,
      answered: false,
    };
    this.requests.push(record);
    const held = placed === undefined ? undefined : this.holds.get(placed.key);
    if (held !== undefined && placed !== undefined) {
      this.holds.delete(placed.key);
      held();
      return new Promise(() => undefined);
    }
    const fail = (message: string) => {
      this.unexpected.push(message);
      return {
        status: 400,
        body: { type: 'error', error: { type: 'invalid_request_error', message } },
      };
    };
    if (placed === undefined)
      return fail(`cannot place a call: ${text(body.system ?? []).slice(0, 80)}`);
    let reply: string;
    try {
      const response = await this.llm.complete({
        ...placed,
        model: body.model,
        system: '',
        messages: [],
        maxTokens: 1,
        temperature: 0,
      });
      reply = response.text;
    } catch {
      return fail(`no scripted reply for ${placed.key}`);
    }
    record.answered = true;
    return {
      status: 200,
      body: {
        id: `msg_e2e_${this.requests.length}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [{ type: 'text', text: reply }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: this.usage(body, reply),
      },
    };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.answer(req, Buffer.concat(chunks).toString('utf8')).then(({ status, body }) => {
          res
            .writeHead(status, {
              'content-type': 'application/json',
              'request-id': `req_e2e_${this.requests.length}`,
            })
            .end(JSON.stringify(body));
        });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
