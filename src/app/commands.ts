import type { Context } from 'probot';
import { DEFAULT_CONFIG } from '../config/repo-config.js';
import type { GitHubClient } from '../queue/types.js';
import type { RunStatus } from '../queue/producer.js';
import { getIssueTarget, parseCommand, type CommandName, type IssueTarget } from './triggers.js';
import { getRepositoryRole, meetsPermission } from './authorize.js';
import { loadRepoConfig } from './config-loader.js';
import { renderAlreadyRunning, renderUnauthorized } from './messages.js';
import {
  cancelAndReport,
  postComment,
  reportConfigProblems,
  startRun,
  type AppDeps,
} from './handlers.js';

/**
 * `issue_comment.created`: `/codemonkeys retry|cancel|status` from users with the configured
 * permission. Unauthorised users get a polite answer; text that is not a known command is ignored.
 */
export async function handleCommand(
  context: Context<'issue_comment.created'>,
  deps: AppDeps,
): Promise<void> {
  const payload = context.payload as unknown;
  const pre = getIssueTarget(payload, deps.botLogin);
  if (!pre.act) return;
  const command = parseCommand((payload as { comment?: { body?: unknown } }).comment?.body);
  if (!command.act) return;
  const { open, ...target } = pre.target;
  const octokit = context.octokit as unknown as GitHubClient;
  const [config, role] = await Promise.all([
    loadRepoConfig(context),
    getRepositoryRole(octokit, target, target.sender),
  ]);
  const minimum = config.ok ? config.config.permission : DEFAULT_CONFIG.permission;
  const reply = (body: string) => postComment(octokit, target, body, deps);
  if (!meetsPermission(role, minimum)) {
    reply(renderUnauthorized(target.sender, minimum, `use \`/codemonkeys ${command.target}\``));
    return;
  }
  deps.logger.info(
    { command: command.target, repo: `${target.owner}/${target.repo}`, issue: target.issueNumber },
    'command',
  );
  await runCommand(command.target, { context, octokit, target, open, deps, reply, config });
}

interface CommandScope {
  context: Context<'issue_comment.created'>;
  octokit: GitHubClient;
  target: IssueTarget;
  open: boolean;
  deps: AppDeps;
  reply: (body: string) => void;
  config: Awaited<ReturnType<typeof loadRepoConfig>>;
}

async function runCommand(name: CommandName, s: CommandScope): Promise<void> {
  switch (name) {
    case 'retry': {
      if (!s.open) {
        s.reply('This issue is closed, so I will not start a run. Reopen it first.');
        return;
      }
      if (!s.config.ok) {
        reportConfigProblems(s.octokit, s.target, s.config, s.deps);
        return;
      }
      const result = await startRun(s.octokit, s.target, 'retry', s.deps);
      if (result.status === 'duplicate') {
        s.reply(renderAlreadyRunning(result.runId ?? 'unknown', result.state));
      }
      return;
    }
    case 'cancel': {
      const result = await cancelAndReport(s.context, s.target, s.deps);
      if (result.status === 'none')
        s.reply('There is no queued or running run for this issue to cancel.');
      return;
    }
    case 'status': {
      const status = await s.deps.producer.getRunStatus(s.target);
      s.reply(renderRunStatus(status));
      return;
    }
  }
}

/** One-paragraph answer to `/codemonkeys status`. */
export function renderRunStatus(status: RunStatus): string {
  const runId = status.record?.runId.replace(/`/g, '');
  const run = runId === undefined ? 'No run' : `Run \`${runId}\``;
  switch (status.state) {
    case 'active':
      return `${run} is running (attempt ${(status.attemptsMade ?? 0) + 1}). The status comment above shows its progress.`;
    case 'waiting':
    case 'prioritized':
      return `${run} is queued${status.queuePosition === undefined ? '' : ` with ${status.queuePosition} run(s) ahead`}.`;
    case 'delayed':
      return `${run} is waiting to retry after a transient failure.`;
    default:
      if (status.record === undefined)
        return 'No run has been started for this issue yet. Add the label to start one.';
      return `${run} is not active; its last outcome was **${status.record.outcome}**.`;
  }
}
