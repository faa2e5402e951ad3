import type { LlmMessage, LlmRequest } from '../../llm/client.js';
import type { PromptSet } from '../../llm/prompts.js';
import { neutraliseClosingTags, quoteAttribute } from '../../llm/untrusted.js';
import { readRepoFile, type RepoFile } from './files.js';

export const RELEVANCE_MAX_TOKENS = 4096;

export interface RelevanceRequestOptions {
  root: string;
  /** Rendered `relevance.system` (instructions + issue): the cached prefix of every call. */
  system: string;
  model: string;
  prompts: PromptSet;
  signal?: AbortSignal;
}

/** The user turn of a file's relevance call: the file, path quoted, closing tags neutralised. */
export async function renderRelevanceUser(
  file: RepoFile,
  options: RelevanceRequestOptions,
): Promise<string> {
  const content = await readRepoFile(options.root, file.path);
  return options.prompts.render('relevance.user', {
    path: quoteAttribute(file.path),
    content: neutraliseClosingTags(content, ['file']),
  });
}

/** A relevance request: temperature 0, 4,096 max tokens, cached system prompt. */
export function relevanceRequest(
  options: RelevanceRequestOptions,
  messages: LlmMessage[],
  key: string,
): LlmRequest {
  return {
    model: options.model,
    system: options.system,
    cacheSystem: true,
    messages,
    maxTokens: RELEVANCE_MAX_TOKENS,
    temperature: 0,
    stage: 'relevance',
    key,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

export const relevanceKey = (file: RepoFile): string => `relevance/${file.path}`;
