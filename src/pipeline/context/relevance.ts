import pLimit from 'p-limit';
import { isCodemonkeysError, throwIfAborted } from '../../errors.js';
import type { LlmClient, LlmMessage, LlmRequest } from '../../llm/client.js';
import type { PromptSet } from '../../llm/prompts.js';
import { parseVerdict } from '../../llm/parse-verdict.js';
import { neutraliseClosingTags, quoteAttribute } from '../../llm/untrusted.js';
import { readRepoFile, type RepoFile } from './files.js';

export interface RelevanceOptions {
  root: string;
  files: readonly RepoFile[];
  /** Rendered `relevance.system` (instructions + issue): the cached prefix of every call. */
  system: string;
  model: string;
  concurrency: number;
  llm: LlmClient;
  prompts: PromptSet;
  signal?: AbortSignal;
  onFile?: (done: number, total: number) => void;
}

export interface RelevanceResult {
  relevant: Array<{ path: string; summary: string; tokens: number }>;
  /** Files whose verdict could not be read even after the re-ask (treated as not relevant). */
  parseFailures: string[];
  /** Files scanned (a model call, a replay or a shared verdict). */
  scanned: number;
  /** Set when the run's budget stopped the scan: files not scanned. */
  budgetStoppedAt?: number;
}

type Verdict = { relevant: true; summary: string } | { relevant: false } | { failed: true };

export const RELEVANCE_MAX_TOKENS = 4096;

/**
 * One relevance call per file (instructions and issue in the cached system prompt, the file in
 * the user turn), temperature 0, bounded concurrency, one re-ask on an unreadable verdict.
 * Identical blobs (same content sha) are judged once per run and the verdict shared; a retried
 * run gets each verdict back from its checkpoint (key `relevance/<path>`). A BUDGET_EXCEEDED
 * stops starting new files and returns what was judged; any other error stops and is thrown.
 */
export async function scanRelevance(options: RelevanceOptions): Promise<RelevanceResult> {
  const { files } = options;
  const limit = pLimit(Math.max(1, options.concurrency));
  const byBlob = new Map<string, Promise<Verdict>>();
  const verdicts = new Map<string, Verdict>();
  let stopped: unknown;
  let budgetHit = false;
  let done = 0;

  const judgeOnce = (file: RepoFile): Promise<Verdict> => {
    let pending = byBlob.get(file.sha);
    if (pending === undefined) {
      pending = judge(file, options);
      byBlob.set(file.sha, pending);
    }
    return pending;
  };

  await Promise.all(
    files.map((file) =>
      limit(async () => {
        if (stopped !== undefined || budgetHit) return;
        try {
          verdicts.set(file.path, await judgeOnce(file));
          options.onFile?.(++done, files.length);
        } catch (error) {
          if (isCodemonkeysError(error, 'BUDGET_EXCEEDED')) budgetHit = true;
          else stopped ??= error;
        }
      }),
    ),
  );
  if (stopped !== undefined) throw stopped;

  const result: RelevanceResult = { relevant: [], parseFailures: [], scanned: verdicts.size };
  for (const file of files) {
    const verdict = verdicts.get(file.path);
    if (verdict === undefined) continue;
    if ('failed' in verdict) result.parseFailures.push(file.path);
    else if (verdict.relevant) result.relevant.push({ path: file.path, summary: verdict.summary, tokens: file.tokens });
  }
  if (budgetHit) result.budgetStoppedAt = verdicts.size;
  return result;
}

async function judge(file: RepoFile, options: RelevanceOptions): Promise<Verdict> {
  throwIfAborted(options.signal);
  const content = await readRepoFile(options.root, file.path);
  const user = options.prompts.render('relevance.user', {
    path: quoteAttribute(file.path),
    content: neutraliseClosingTags(content, ['file']),
  });
  const base = (messages: LlmMessage[], key: string): LlmRequest => ({
    model: options.model,
    system: options.system,
    cacheSystem: true,
    messages,
    maxTokens: RELEVANCE_MAX_TOKENS,
    temperature: 0,
    stage: 'relevance',
    key,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const first = await options.llm.complete(base([{ role: 'user', content: user }], `relevance/${file.path}`));
  const parsed = parseVerdict(first.text);
  if (parsed.ok) return parsed.relevant ? { relevant: true, summary: parsed.summary } : { relevant: false };
  const fix = options.prompts.render('relevance.fix', { problem: parsed.problem });
  const second = await options.llm.complete(
    base(
      [
        { role: 'user', content: user },
        { role: 'assistant', content: first.text.trim() === '' ? '(empty reply)' : first.text },
        { role: 'user', content: fix },
      ],
      `relevance/${file.path}/retry`,
    ),
  );
  const reparsed = parseVerdict(second.text);
  if (!reparsed.ok) return { failed: true };
  return reparsed.relevant ? { relevant: true, summary: reparsed.summary } : { relevant: false };
}
