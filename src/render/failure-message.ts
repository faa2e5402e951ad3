import type { ErrorCode } from '../errors.js';
import type { StatusFailure } from './status-state.js';

/** The facts of a failure this module may show: code and non-secret details, never the stack. */
export interface FailureFacts {
  code: ErrorCode | string;
  /** Our own error message (written by this codebase, may quote untrusted text: escaped here). */
  message?: string;
  details?: Record<string, unknown>;
}

interface Template {
  reason: string;
  action: string;
  /** Show the error's own message after the reason (it carries specifics like a config path). */
  withMessage?: boolean;
}

const TEMPLATES: Record<ErrorCode, Template> = {
  ENV_INVALID: {
    reason: 'The CodeMonkeys worker is misconfigured.',
    action:
      'Ask the operator of this installation to check the worker environment (`codemonkeys doctor`).',
  },
  CONFIG_INVALID: {
    reason: 'The repository configuration `.github/codemonkeys.yml` is invalid.',
    action: 'Fix the problems listed and comment `/codemonkeys retry`.',
    withMessage: true,
  },
  PERMISSION_DENIED: {
    reason: 'The CodeMonkeys App is missing a permission it needs on this repository.',
    action:
      'An organisation owner should grant the App contents, issues and pull requests write access, then comment `/codemonkeys retry`.',
    withMessage: true,
  },
  GITHUB_ERROR: {
    reason: 'GitHub returned an error while the run talked to it.',
    action: 'This is usually temporary; comment `/codemonkeys retry` in a few minutes.',
  },
  GITHUB_RATE_LIMITED: {
    reason: 'GitHub rate-limited the App.',
    action:
      'Wait until the limit resets (about an hour at most), then comment `/codemonkeys retry`.',
  },
  GITHUB_CONFLICT: {
    reason: 'The branch could not be updated because it changed at the same time.',
    action:
      'If someone pushed to the CodeMonkeys branch, close its pull request or delete the branch, then comment `/codemonkeys retry`.',
  },
  LLM_AUTH: {
    reason: 'The model provider rejected the API key, or the key cannot use the configured model.',
    action:
      'Ask the operator to check ANTHROPIC_API_KEY; check `models.primary` / `models.relevance` in `.github/codemonkeys.yml`.',
  },
  LLM_BAD_REQUEST: {
    reason: 'The model provider refused a request (often an unknown or retired model id).',
    action:
      'Check `models.primary` and `models.relevance` in `.github/codemonkeys.yml`, then comment `/codemonkeys retry`.',
  },
  LLM_RATE_LIMITED: {
    reason: 'The model provider rate-limited the run.',
    action: 'Comment `/codemonkeys retry` later, or lower `samples` in `.github/codemonkeys.yml`.',
  },
  LLM_OVERLOADED: {
    reason: 'The model provider is overloaded.',
    action: 'Comment `/codemonkeys retry` in a few minutes.',
  },
  LLM_CONTEXT_TOO_LONG: {
    reason: "A prompt did not fit in the model's context window.",
    action:
      'Lower `context.budgetTokens` or narrow `context.include` in `.github/codemonkeys.yml`.',
  },
  LLM_TIMEOUT: {
    reason: 'Model calls kept timing out.',
    action: 'Comment `/codemonkeys retry` in a few minutes.',
  },
  LLM_CONNECTION: {
    reason: 'The worker could not reach the model provider.',
    action: "Ask the operator to check the worker's network; then comment `/codemonkeys retry`.",
  },
  LLM_SERVER: {
    reason: 'The model provider had a server error.',
    action: 'Comment `/codemonkeys retry` in a few minutes.',
  },
  LLM_PROTOCOL: {
    reason: 'The model replies could not be used.',
    action:
      'Comment `/codemonkeys retry`; if it keeps happening, report it to the operator with the run id.',
  },
  BUDGET_EXCEEDED: {
    reason: 'The run reached its dollar budget before it could finish.',
    action:
      'Raise `budget.maxUsdPerRun` or lower `samples` in `.github/codemonkeys.yml`, then comment `/codemonkeys retry`.',
  },
  CANCELLED: {
    reason: 'The run was cancelled.',
    action: 'Add the label again or comment `/codemonkeys retry` to start over.',
  },
  SANDBOX_UNAVAILABLE: {
    reason: 'The worker could not start a sandbox (the container engine is not available).',
    action:
      'Ask the operator to check Docker on the worker (`codemonkeys doctor`); then comment `/codemonkeys retry`.',
  },
  SANDBOX_SETUP_FAILED: {
    reason: 'A setup command from `sandbox.setup` failed while preparing the environment.',
    action:
      'Fix the command in `.github/codemonkeys.yml` (it runs in the sandbox image from the repository root), then comment `/codemonkeys retry`.',
    withMessage: true,
  },
  SANDBOX_ERROR: {
    reason: 'The sandbox failed while running generated code.',
    action:
      'Comment `/codemonkeys retry`; if it repeats, check `sandbox.memoryMb` and `sandbox.image`.',
  },
  PROMPT_INVALID: {
    reason: "The worker's prompt templates are invalid.",
    action: 'Ask the operator to fix the prompt templates (the worker log names the file).',
  },
  WORKSPACE_ERROR: {
    reason: 'The repository could not be read or prepared.',
    action:
      'Check that the default branch is readable and not too large, then comment `/codemonkeys retry`.',
    withMessage: true,
  },
  STORE_ERROR: {
    reason: 'The worker lost its connection to its run store (Redis).',
    action:
      'Ask the operator to check Redis; then comment `/codemonkeys retry` (finished stages are not paid twice).',
  },
  INTERNAL: {
    reason: 'CodeMonkeys hit an internal error.',
    action:
      'Comment `/codemonkeys retry`; if it repeats, report it to the operator with the run id.',
  },
};

const DETAIL_KEYS = [
  'command',
  'exitCode',
  'status',
  'stage',
  'limitUsd',
  'path',
  'problems',
] as const;

function renderDetails(details: Record<string, unknown> | undefined): string {
  if (details === undefined) return '';
  const parts: string[] = [];
  for (const key of DETAIL_KEYS) {
    const value = details[key];
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value)
      ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('; ')
      : String(value);
    parts.push(`${key}: ${flatten(text, 400)}`);
  }
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** One line, control characters removed, at most `max` characters. Not Markdown-escaped. */
function flatten(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const noControl = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  const flat = noControl.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Maps an error code (and safe details) to a reason and an action a maintainer can take. Pure.
 * Returns plain text: whoever renders it escapes it for its medium (the status comment escapes
 * Markdown and mentions; the terminal prints it as is), so nothing is escaped twice.
 */
export function getFailureMessage(facts: FailureFacts): StatusFailure {
  const template =
    (TEMPLATES as Record<string, Template | undefined>)[facts.code] ?? TEMPLATES.INTERNAL;
  const message =
    template.withMessage === true && facts.message !== undefined && facts.message.trim().length > 0
      ? ` ${flatten(facts.message, 1_500)}`
      : '';
  return {
    code: facts.code,
    reason: `${template.reason}${message}${renderDetails(facts.details)}`,
    action: template.action,
  };
}
