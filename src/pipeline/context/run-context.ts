import { throwIfAborted } from '../../errors.js';
import type { BatchOptions, LlmBatchClient } from '../../llm/batch.js';
import type { LlmClient } from '../../llm/client.js';
import type { PromptSet } from '../../llm/prompts.js';
import { getIssueVars } from '../../llm/untrusted.js';
import type { Logger } from '../../logger.js';
import type { ContextReport, RunRequest } from '../types.js';
import { readRepoFile, walkRepository, type RepoFile } from './files.js';
import { getIssueTerms, rankLexically, scoreLexically } from './lexical-ranking.js';
import { packFiles } from './packing.js';
import { rankFiles } from './ranking.js';
import { scanRelevance } from './relevance.js';

export interface ContextProgress {
  phase: 'walking' | 'relevance' | 'ranking' | 'packing';
  done: number;
  total: number;
}

export interface ContextDeps {
  /** The run's metered client (createRunLlm): replay, budget and accounting are its job. */
  llm: LlmClient;
  /**
   * The run's metered batch client (`createRunLlm(...).batch`). Used for the relevance scan's
   * first pass when `context.batch` is on; without it that scan makes normal calls (reported).
   */
  llmBatch?: LlmBatchClient;
  /** Poll interval / maximum wait of relevance batches (adapter defaults: 30 s / 2 h). */
  batchOptions?: BatchOptions;
  prompts: PromptSet;
  logger: Logger;
  signal?: AbortSignal;
  onProgress?: (progress: ContextProgress) => void;
}

export interface ContextFile {
  path: string;
  content: string;
  tokens: number;
}

export interface ContextStageResult {
  report: ContextReport;
  /** Packed files in rank order, whole. */
  files: ContextFile[];
}

/**
 * The context stage: walk -> relevance scan (cheap model, one call per file) -> `rankings`
 * rankings merged (primary model) -> pack whole files into `context.budgetTokens`.
 * Never throws for expected outcomes: zero relevant files falls back to a lexical ranking, all
 * rankings failing falls back to relevance order, a hit budget returns what was found so far;
 * each is stated in `report.fallback`.
 */
export async function runContextStage(
  request: RunRequest,
  deps: ContextDeps,
): Promise<ContextStageResult> {
  const { config, snapshot } = request;
  const log = deps.logger.child({ stage: 'context' });
  const root = snapshot.dir;
  const signal = deps.signal;
  deps.onProgress?.({ phase: 'walking', done: 0, total: 0 });
  const walk = await walkRepository(root, {
    include: config.context.include,
    exclude: config.context.exclude,
    maxFileBytes: config.context.maxFileBytes,
    maxFiles: config.context.maxFiles,
    ...(signal ? { signal } : {}),
  });
  log.info(
    { files: walk.files.length, skipped: walk.skipped.map((s) => [s.reason, s.count]) },
    'repository walked',
  );

  const issueVars = getIssueVars(request.issue);
  const system = deps.prompts.render('relevance.system', { repo: request.repo, ...issueVars });
  const notes: string[] = [];
  const batch = config.context.batch ? deps.llmBatch : undefined;
  if (config.context.batch && batch === undefined) {
    notes.push(
      'context.batch is on but no Message Batches client is available (scripted model or no API key); the relevance scan used normal calls',
    );
    log.warn('context.batch requested without a batch client: relevance scan uses normal calls');
  }
  const relevance = await scanRelevance({
    root,
    files: walk.files,
    system,
    model: config.models.relevance,
    concurrency: config.context.relevanceConcurrency,
    llm: deps.llm,
    ...(batch ? { batch } : {}),
    ...(deps.batchOptions ? { batchOptions: deps.batchOptions } : {}),
    prompts: deps.prompts,
    ...(signal ? { signal } : {}),
    onFile: (done, total) => deps.onProgress?.({ phase: 'relevance', done, total }),
  });
  const batchStats = relevance.batch;
  if (batchStats !== undefined && batchStats.itemFailures + batchStats.failedBatches > 0) {
    notes.push(
      `${batchStats.itemFailures} relevance batch item(s) and ${batchStats.failedBatches} whole batch(es) failed; those files were judged with normal calls`,
    );
  }
  let budgetExhausted = relevance.budgetStoppedAt !== undefined;
  if (budgetExhausted)
    notes.push(
      `the budget stopped the relevance scan after ${relevance.scanned} of ${walk.files.length} files`,
    );

  let ranking: string[];
  let rankingFailures = 0;
  let invented: string[] = [];
  if (relevance.relevant.length === 0) {
    ranking = await rankByIssueTerms(
      root,
      walk.files,
      `${request.issue.title}\n${request.issue.body}`,
      signal,
    );
    notes.push(
      `no file was judged relevant; used a lexical ranking (issue terms in path and content) of all ${walk.files.length} scanned files`,
    );
  } else if (relevance.relevant.length === 1) {
    ranking = [relevance.relevant[0]!.path];
    notes.push('a single relevant file: ranking skipped');
  } else {
    deps.onProgress?.({ phase: 'ranking', done: 0, total: config.rankings });
    const ranked = await rankFiles({
      relevant: relevance.relevant,
      issueVars,
      repo: request.repo,
      model: config.models.primary,
      rankings: config.rankings,
      budgetTokens: config.context.budgetTokens,
      llm: deps.llm,
      prompts: deps.prompts,
      ...(signal ? { signal } : {}),
    });
    ({ ranking, invented } = ranked);
    rankingFailures = ranked.failures;
    if (ranked.budgetHit) budgetExhausted = true;
    if (ranked.usedRelevanceOrder)
      notes.push(`all ${config.rankings} rankings failed; used relevance order`);
  }

  throwIfAborted(signal);
  deps.onProgress?.({ phase: 'packing', done: 0, total: ranking.length });
  const tokensOf = new Map(walk.files.map((f) => [f.path, f.tokens]));
  const { packed, tokens } = packFiles(
    ranking.map((path) => ({ path, tokens: tokensOf.get(path) ?? 0 })),
    config.context.budgetTokens,
  );
  const files: ContextFile[] = [];
  for (const file of packed) files.push({ ...file, content: await readRepoFile(root, file.path) });

  const report: ContextReport = {
    scanned: relevance.scanned,
    skipped: walk.skipped,
    relevant: relevance.relevant,
    relevanceParseFailures: relevance.parseFailures.length,
    ranking,
    rankingFailures,
    packed,
    packedTokens: tokens,
    ...(notes.length > 0 ? { fallback: notes.join('; ') } : {}),
    ...(invented.length > 0 ? { inventedPaths: invented } : {}),
    ...(budgetExhausted ? { budgetExhausted: true } : {}),
    ...(config.context.batch
      ? {
          relevanceBatch: {
            used: batchStats !== undefined,
            ...(batchStats ?? { batches: 0, requests: 0, itemFailures: 0, failedBatches: 0 }),
          },
        }
      : {}),
  };
  log.info(
    {
      scanned: report.scanned,
      relevant: report.relevant.length,
      packed: packed.length,
      packedTokens: tokens,
    },
    'context packed',
  );
  return { report, files };
}

async function rankByIssueTerms(
  root: string,
  files: readonly RepoFile[],
  issue: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const terms = getIssueTerms(issue);
  const scored: Array<{ path: string; score: number }> = [];
  for (const file of files) {
    throwIfAborted(signal);
    scored.push({
      path: file.path,
      score: scoreLexically(terms, file.path, await readRepoFile(root, file.path)),
    });
  }
  return rankLexically(scored);
}
