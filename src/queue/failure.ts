import type { CodemonkeysError, ErrorCode } from '../errors.js';
import type { StatusFailure } from '../render/status-state.js';

/** What a maintainer can do about each failure, keyed by stable error code. */
const ACTIONS: Record<ErrorCode, string> = {
  ENV_INVALID: 'The App is misconfigured; ask the operator to check its environment variables.',
  CONFIG_INVALID:
    'Fix .github/codemonkeys.yml (the problems are listed in a separate comment), then re-apply the label.',
  PERMISSION_DENIED:
    'Check that the App is installed on this repository with the permissions it asks for.',
  GITHUB_ERROR: 'GitHub returned an error; comment `/codemonkeys retry` to resume.',
  GITHUB_RATE_LIMITED: 'The GitHub rate limit was hit; comment `/codemonkeys retry` in a while.',
  GITHUB_CONFLICT:
    'The branch or pull request changed underneath the run; comment `/codemonkeys retry`.',
  LLM_AUTH: 'The model API key was rejected; ask the operator to check ANTHROPIC_API_KEY.',
  LLM_BAD_REQUEST:
    'The model API refused a request; comment `/codemonkeys retry`, and report it if it repeats.',
  LLM_RATE_LIMITED:
    'The model API is rate limiting this installation; comment `/codemonkeys retry` later.',
  LLM_OVERLOADED: 'The model API is overloaded; comment `/codemonkeys retry` later.',
  LLM_CONTEXT_TOO_LONG:
    'The issue and code did not fit the model context; lower context.budgetTokens or narrow context.include.',
  LLM_TIMEOUT: 'A model call timed out; comment `/codemonkeys retry` to resume.',
  LLM_CONNECTION: 'The model API could not be reached; comment `/codemonkeys retry` to resume.',
  LLM_SERVER: 'The model API had a server error; comment `/codemonkeys retry` to resume.',
  LLM_PROTOCOL: 'The model answered in an unexpected shape; comment `/codemonkeys retry`.',
  BUDGET_EXCEEDED:
    'The run hit budget.maxUsdPerRun; raise it in .github/codemonkeys.yml and retry.',
  CANCELLED: 'The run was cancelled; comment `/codemonkeys retry` to resume it.',
  SANDBOX_UNAVAILABLE:
    'The sandbox engine was unavailable; comment `/codemonkeys retry` to resume.',
  SANDBOX_SETUP_FAILED:
    'A sandbox.setup command failed; fix the commands or the image in .github/codemonkeys.yml and retry.',
  SANDBOX_ERROR:
    'Running code in the sandbox failed; check sandbox settings in .github/codemonkeys.yml and retry.',
  PROMPT_INVALID: 'The App was deployed with broken prompt templates; ask the operator.',
  WORKSPACE_ERROR:
    'The repository could not be read or patched; comment `/codemonkeys retry`, and report it if it repeats.',
  STORE_ERROR: 'The run store (Redis) failed; comment `/codemonkeys retry` to resume.',
  INTERNAL:
    'An internal error occurred; comment `/codemonkeys retry`, and report it if it repeats.',
};

/** The reason and action shown in the status comment. Messages are already secret-free. */
export function getStatusFailure(error: CodemonkeysError): StatusFailure {
  return { code: error.code, reason: error.message, action: ACTIONS[error.code] };
}
