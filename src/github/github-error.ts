import { CodemonkeysError, isAbortError } from '../errors.js';

/** The shape of Octokit's RequestError that we rely on (status + response headers). */
interface HttpErrorLike {
  status: number;
  response?: { headers?: Record<string, string | number | undefined> };
}

function isHttpError(error: unknown): error is HttpErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}

export function getHttpStatus(error: unknown): number | undefined {
  return isHttpError(error) ? error.status : undefined;
}

/**
 * Classifies an Octokit failure by HTTP status and headers (never by message text):
 * - 429, or 403 with `retry-after` (secondary limit) or `x-ratelimit-remaining: 0` -> GITHUB_RATE_LIMITED
 * - 401/403 otherwise -> PERMISSION_DENIED (not retryable: the installation lacks a permission)
 * - 409 -> GITHUB_CONFLICT; everything else -> GITHUB_ERROR (retryable)
 * `action` names what we were doing, e.g. "creating the branch codemonkeys/issue-7".
 */
export function toGitHubError(error: unknown, action: string): CodemonkeysError {
  if (error instanceof CodemonkeysError) return error;
  if (isAbortError(error))
    return new CodemonkeysError('CANCELLED', 'The run was cancelled.', { cause: error });
  if (!isHttpError(error)) {
    return new CodemonkeysError('GITHUB_ERROR', `GitHub could not be reached while ${action}.`, {
      cause: error,
    });
  }
  const headers = error.response?.headers ?? {};
  const retryAfter = headers['retry-after'];
  const remaining = headers['x-ratelimit-remaining'];
  const reset = headers['x-ratelimit-reset'];
  const status = error.status;
  const details: Record<string, unknown> = { status };
  if (
    (status === 403 || status === 429) &&
    (retryAfter !== undefined || String(remaining) === '0' || status === 429)
  ) {
    if (retryAfter !== undefined) details.retryAfterSeconds = Number(retryAfter);
    if (reset !== undefined) details.resetAt = new Date(Number(reset) * 1000).toISOString();
    return new CodemonkeysError(
      'GITHUB_RATE_LIMITED',
      `GitHub rate-limited the App while ${action}.`,
      { cause: error, details },
    );
  }
  if (status === 401 || status === 403) {
    return new CodemonkeysError(
      'PERMISSION_DENIED',
      `GitHub refused access (HTTP ${status}) while ${action}.`,
      {
        cause: error,
        details,
      },
    );
  }
  if (status === 409) {
    return new CodemonkeysError('GITHUB_CONFLICT', `GitHub reported a conflict while ${action}.`, {
      cause: error,
      details,
    });
  }
  return new CodemonkeysError('GITHUB_ERROR', `GitHub returned HTTP ${status} while ${action}.`, {
    cause: error,
    details,
    retryable: status >= 500 || status === 408,
  });
}

/**
 * True when GitHub refused a draft pull request because the repository cannot have drafts
 * (private repositories on some plans): HTTP 422 whose documented body is
 * `{ "message": "Draft pull requests are not supported in this repository." }` (the same text
 * may also arrive in `errors[].message`). The one place that reads that message.
 */
export function isDraftUnsupported(error: unknown): boolean {
  if (getHttpStatus(error) !== 422) return false;
  const data = (error as { response?: { data?: unknown } }).response?.data;
  if (typeof data !== 'object' || data === null) return false;
  const body = data as { message?: unknown; errors?: unknown };
  const messages = [
    body.message,
    ...(Array.isArray(body.errors)
      ? body.errors.map((e: unknown) => (e as { message?: unknown } | null)?.message)
      : []),
  ];
  return messages.some(
    (m) => typeof m === 'string' && /draft pull requests? .*not supported/i.test(m),
  );
}

/** Runs one GitHub call and converts its failure with toGitHubError. */
export async function withGitHub<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toGitHubError(error, action);
  }
}
