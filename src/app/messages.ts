import type { ConfigProblem } from '../config/repo-config.js';
import { escapeInline } from '../render/status-comment.js';

/** Hidden marker of the one "invalid configuration" comment of an issue. */
export const CONFIG_MARKER = '<!-- codemonkeys:config -->';

/** Texts the App posts. Logins and config messages are untrusted and escaped. */
export function renderUnauthorized(login: string, minimum: string, action: string): string {
  return [
    `Hi ${escapeInline(login, 40)}, thanks for the interest! Only people with **${minimum}** access (or higher)`,
    `to this repository can ${action}, so I did not do anything. A maintainer can do it for you.`,
  ].join(' ');
}

export function renderConfigProblems(problems: ConfigProblem[]): string {
  const lines = problems.map(
    (p) => `- \`${p.path.replace(/`/g, '')}\`: ${escapeInline(p.message, 400)}`,
  );
  return [
    CONFIG_MARKER,
    '### codemonkeys · :warning: Invalid configuration',
    '',
    'I could not start a run because `.github/codemonkeys.yml` (on the default branch, or the',
    "organisation's `.github` repository) has problems:",
    '',
    ...lines,
    '',
    '<sub>Fix the file (the JSON schema `schema/codemonkeys.schema.json` helps editors), then re-apply the label.</sub>',
    '',
  ].join('\n');
}

/**
 * What the "invalid configuration" comment becomes once a trigger finds the file valid: the
 * problem list is replaced (same marker, so a later problem updates this comment again).
 * Deterministic, so a second valid trigger does not write it again.
 */
export function renderConfigFixed(): string {
  return [
    CONFIG_MARKER,
    '### codemonkeys · :white_check_mark: Configuration is now valid',
    '',
    'The problems with `.github/codemonkeys.yml` reported here earlier are fixed, and a run has',
    'been started (see the status comment).',
    '',
  ].join('\n');
}

export function renderAlreadyRunning(runId: string, state: string): string {
  return `A run for this issue is already ${state === 'active' ? 'in progress' : 'queued'} (\`${runId.replace(/`/g, '')}\`); I will not start a second one. See the status comment.`;
}
