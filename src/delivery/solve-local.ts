import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseRepoConfigYaml, repoConfigSchema, type RepoConfig } from '../config/repo-config.js';
import type { CliDeps } from '../deps.js';
import { CodemonkeysError } from '../errors.js';
import { loadRepoConfig, REPO_CONFIG_PATH } from '../github/load-repo-config.js';
import type { GitHubClient } from '../github/octokit.js';
import { deliverPullRequest, type DeliveredPullRequest } from '../github/pull-request.js';
import { readIssue } from '../github/read-issue.js';
import { snapshotRepo, type RepoSnapshotResult } from '../github/repo-snapshot.js';
import type { Logger } from '../logger.js';
import { runPipeline } from '../pipeline/run.js';
import type { RunReport } from '../pipeline/types.js';
import type { IssueInput, IssueRef } from './issue-input.js';
import { getProgressLine } from './progress-status.js';
import { writeOutputs, type OutputFiles } from './write-outputs.js';

const execFileAsync = promisify(execFile);

export interface SolveLocalOptions {
  /** Local repository directory; without it the repository is downloaded from GitHub (issueRef). */
  repoDir?: string;
  issue?: IssueInput;
  issueRef?: IssueRef;
  octokit?: GitHubClient;
  outDir: string;
  deps: CliDeps;
  sandboxKind: 'docker' | 'local';
  samples?: number;
  model?: string;
  /** Extra config applied on top of the repository's (the demo's small settings). */
  configOverrides?: Record<string, unknown>;
  /** Never touch GitHub's write APIs (no PR even with issueRef). */
  dryRun: boolean;
  scriptedLabel?: string;
  logger: Logger;
  print: (line: string) => void;
  signal?: AbortSignal;
}

export interface SolveLocalResult {
  report: RunReport;
  files: OutputFiles;
  pr?: DeliveredPullRequest;
}

function bad(message: string): CodemonkeysError {
  return new CodemonkeysError('CONFIG_INVALID', message, { retryable: false });
}

async function localCommit(dir: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', ['-C', dir, 'rev-parse', 'HEAD'], {
      timeout: 10_000,
    });
    return stdout.trim();
  } catch {
    return 'working-tree';
  }
}

async function loadLocalConfig(dir: string): Promise<RepoConfig> {
  const text = await readFile(join(dir, REPO_CONFIG_PATH), 'utf8').catch(() => '');
  const parsed = parseRepoConfigYaml(text);
  if (!parsed.ok) {
    const problems = parsed.problems.map((p) => `${p.path}: ${p.message}`);
    throw new CodemonkeysError(
      'CONFIG_INVALID',
      `${REPO_CONFIG_PATH} is invalid:\n- ${problems.join('\n- ')}`,
      {
        retryable: false,
        details: { problems },
      },
    );
  }
  return parsed.config;
}

/** Applies CLI flags over the repository config, validated by the same schema. */
export function applyOverrides(
  config: RepoConfig,
  options: Pick<SolveLocalOptions, 'samples' | 'model' | 'configOverrides'>,
): RepoConfig {
  const merged: Record<string, unknown> = { ...config, ...options.configOverrides };
  if (options.samples !== undefined) merged.samples = options.samples;
  if (options.model !== undefined) merged.models = { ...config.models, primary: options.model };
  const parsed = repoConfigSchema.safeParse(merged);
  if (!parsed.success)
    throw bad(
      `invalid option: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/**
 * `codemonkeys solve`: the same pipeline as the App, on a local directory (or a GitHub snapshot),
 * printing stage lines and writing patch.diff, pr.md and report.json. Opens/updates the PR only
 * with an issue reference, a token and no --dry-run.
 */
export async function solveLocal(options: SolveLocalOptions): Promise<SolveLocalResult> {
  const { deps, print } = options;
  let snapshot: RepoSnapshotResult | undefined;
  try {
    let issue = options.issue;
    if (options.issueRef !== undefined) {
      if (options.octokit === undefined) throw bad('--issue needs GITHUB_TOKEN to read the issue.');
      const ref = options.issueRef;
      issue = await readIssue(options.octokit, ref.owner, ref.repo, ref.number);
    }
    if (issue === undefined)
      throw bad('give the issue with --issue-file <file> or --issue <owner/repo#n>.');
    let dir: string;
    let commit: string;
    let repoName: string;
    let config: RepoConfig;
    if (options.repoDir !== undefined) {
      dir = resolve(options.repoDir);
      const info = await stat(dir).catch(() => undefined);
      if (info === undefined) throw bad(`repository path not found: ${dir}`);
      if (!info.isDirectory()) throw bad(`repository path is not a directory: ${dir}`);
      commit = await localCommit(dir);
      repoName =
        options.issueRef === undefined
          ? `local/${dir.split('/').filter(Boolean).pop() ?? 'repo'}`
          : `${options.issueRef.owner}/${options.issueRef.repo}`;
      config = await loadLocalConfig(dir);
    } else {
      if (options.issueRef === undefined || options.octokit === undefined)
        throw bad('give --repo <path>, or --issue <owner/repo#n> with GITHUB_TOKEN.');
      const ref = options.issueRef;
      print(`downloading ${ref.owner}/${ref.repo} from GitHub…`);
      snapshot = await snapshotRepo(
        options.octokit,
        { owner: ref.owner, repo: ref.repo },
        options.signal ? { signal: options.signal } : {},
      );
      ({ dir, commit } = snapshot);
      repoName = snapshot.repo;
      config = (await loadRepoConfig(options.octokit, ref.owner, ref.repo)).config;
    }
    config = applyOverrides(config, options);
    print(
      `solving "${issue.title}" in ${repoName} at ${commit.slice(0, 12)}: ${config.samples} samples, ${options.sandboxKind} sandbox, model ${options.scriptedLabel === undefined ? config.models.primary : 'SCRIPTED'}`,
    );
    const started = Date.now();
    let lastLine = '';
    const sandbox = deps.createSandbox(config);
    let report: RunReport;
    try {
      report = await runPipeline(
        {
          runId: `${repoName}#${issue.number}@cli-${started}`,
          repo: repoName,
          issue: {
            number: issue.number,
            title: issue.title,
            body: issue.body,
            ...(issue.url === undefined ? {} : { url: issue.url }),
          },
          snapshot: { dir, repo: repoName, commit },
          config,
        },
        {
          llm: deps.llm,
          ...(deps.llmBatch === undefined ? {} : { llmBatch: deps.llmBatch }),
          sandbox,
          store: deps.store,
          prompts: deps.prompts,
          logger: options.logger,
          onProgress: (event) => {
            const line = getProgressLine(event, Date.now() - started);
            const key = line.replace(/^\[\s*\d+s\]/, '');
            if (key !== lastLine) print(line);
            lastLine = key;
          },
        },
        options.signal,
      );
    } finally {
      await sandbox.close();
    }
    const files = await writeOutputs(options.outDir, {
      report,
      issueTitle: issue.title,
      ...(options.scriptedLabel === undefined ? {} : { scriptedLabel: options.scriptedLabel }),
    });
    let pr: DeliveredPullRequest | undefined;
    if (
      report.outcome === 'selected' &&
      options.issueRef !== undefined &&
      !options.dryRun &&
      options.octokit !== undefined
    ) {
      print('opening the pull request…');
      pr = await deliverPullRequest(options.octokit, {
        owner: options.issueRef.owner,
        repo: options.issueRef.repo,
        report,
        snapshotDir: dir,
        config,
        issueTitle: issue.title,
        ...(options.scriptedLabel === undefined ? {} : { scripted: true }),
      });
    }
    return { report, files, ...(pr === undefined ? {} : { pr }) };
  } finally {
    await snapshot?.dispose();
  }
}
