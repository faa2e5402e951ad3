/**
 * Pure decisions about webhook payloads: is this event ours to act on, and which issue? No I/O.
 * Payload shapes are checked defensively: a missing field means "skip", never a crash.
 */

export type SkipReason =
  | 'missing-fields'
  | 'no-installation'
  | 'bot-sender'
  | 'pull-request'
  | 'issue-closed'
  | 'other-label'
  | 'not-a-command'
  | 'unknown-command';

export interface IssueTarget {
  installationId: number;
  owner: string;
  repo: string;
  issueNumber: number;
  sender: string;
  labelName?: string;
}

export type Decision<T> = { act: true; target: T } | { act: false; reason: SkipReason };

interface LooseUser {
  login?: unknown;
  type?: unknown;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** True for the App's own events and any other bot (bots never trigger runs or commands). */
export function isBotSender(sender: unknown, botLogin?: string): boolean {
  const user = asRecord(sender) as LooseUser | undefined;
  if (user === undefined) return false;
  if (user.type === 'Bot') return true;
  return botLogin !== undefined && user.login === botLogin;
}

/** Extracts the issue target shared by `issues.*` and `issue_comment.*` payloads. */
export function getIssueTarget(
  payload: unknown,
  botLogin?: string,
): Decision<IssueTarget & { open: boolean }> {
  const p = asRecord(payload);
  const issue = asRecord(p?.issue);
  const repository = asRecord(p?.repository);
  const owner = asRecord(repository?.owner);
  const sender = asRecord(p?.sender);
  if (
    issue === undefined ||
    typeof issue.number !== 'number' ||
    typeof repository?.name !== 'string' ||
    typeof owner?.login !== 'string' ||
    typeof sender?.login !== 'string'
  ) {
    return { act: false, reason: 'missing-fields' };
  }
  const installation = asRecord(p?.installation);
  if (typeof installation?.id !== 'number') return { act: false, reason: 'no-installation' };
  if (isBotSender(sender, botLogin)) return { act: false, reason: 'bot-sender' };
  if (issue.pull_request !== undefined && issue.pull_request !== null)
    return { act: false, reason: 'pull-request' };
  return {
    act: true,
    target: {
      installationId: installation.id,
      owner: owner.login,
      repo: repository.name,
      issueNumber: issue.number,
      sender: sender.login,
      open: issue.state === 'open',
    },
  };
}

/** Name of the label added/removed by an `issues.labeled`/`issues.unlabeled` payload. */
export function getLabelName(payload: unknown): string | undefined {
  const label = asRecord(asRecord(payload)?.label);
  return typeof label?.name === 'string' ? label.name : undefined;
}

/** GitHub label names compare case-insensitively. */
export function isSameLabel(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * `issues.labeled` / `issues.unlabeled`: the issue to start or cancel a run for, or why not.
 * `requireOpen` is true for labeled (a closed issue never starts a run).
 */
export function getLabelDecision(
  payload: unknown,
  label: string,
  options: { requireOpen: boolean; botLogin?: string },
): Decision<IssueTarget> {
  const base = getIssueTarget(payload, options.botLogin);
  if (!base.act) return base;
  const name = getLabelName(payload);
  if (name === undefined) return { act: false, reason: 'missing-fields' };
  if (!isSameLabel(name, label)) return { act: false, reason: 'other-label' };
  if (options.requireOpen && !base.target.open) return { act: false, reason: 'issue-closed' };
  const { open: _open, ...target } = base.target;
  return { act: true, target: { ...target, labelName: name } };
}

export const COMMANDS = ['retry', 'cancel', 'status'] as const;
export type CommandName = (typeof COMMANDS)[number];

/**
 * Parses `/codemonkeys <command>` from the first non-empty line of a comment. Anything else is
 * not a command (ignored). Quoted lines (`> /codemonkeys retry`) are not commands.
 */
export function parseCommand(body: unknown): Decision<CommandName> {
  if (typeof body !== 'string') return { act: false, reason: 'not-a-command' };
  const firstLine = body
    .slice(0, 2_000)
    .split(/\r?\n/)
    .find((line) => line.trim() !== '');
  const match =
    firstLine === undefined ? null : /^\s*\/codemonkeys(?:\s+(\S+))?\s*$/i.exec(firstLine);
  if (match === null) return { act: false, reason: 'not-a-command' };
  const word = (match[1] ?? '').toLowerCase();
  return (COMMANDS as readonly string[]).includes(word)
    ? { act: true, target: word as CommandName }
    : { act: false, reason: 'unknown-command' };
}
