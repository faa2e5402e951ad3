/**
 * Typed errors with stable codes. Code that decides what to do with a failure (retry, give up,
 * tell the maintainer) branches on `code`, never on message text. Expected outcomes (no candidate
 * passed, a patch that does not apply) are values, not errors.
 */
export const ERROR_CODES = [
  'ENV_INVALID',
  'CONFIG_INVALID',
  'PERMISSION_DENIED',
  'GITHUB_ERROR',
  'GITHUB_RATE_LIMITED',
  'GITHUB_CONFLICT',
  'LLM_AUTH',
  'LLM_BAD_REQUEST',
  'LLM_RATE_LIMITED',
  'LLM_OVERLOADED',
  'LLM_CONTEXT_TOO_LONG',
  'LLM_TIMEOUT',
  'LLM_CONNECTION',
  'LLM_SERVER',
  'LLM_PROTOCOL',
  'BUDGET_EXCEEDED',
  'CANCELLED',
  'SANDBOX_UNAVAILABLE',
  'SANDBOX_SETUP_FAILED',
  'SANDBOX_ERROR',
  'PROMPT_INVALID',
  'WORKSPACE_ERROR',
  'STORE_ERROR',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes for which a later attempt of the same job may succeed. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'GITHUB_ERROR',
  'GITHUB_RATE_LIMITED',
  'LLM_RATE_LIMITED',
  'LLM_OVERLOADED',
  'LLM_TIMEOUT',
  'LLM_CONNECTION',
  'LLM_SERVER',
  'SANDBOX_UNAVAILABLE',
  'STORE_ERROR',
]);

export interface CodemonkeysErrorOptions {
  cause?: unknown;
  /** Extra, non-secret facts for logs and reports (exit codes, command names, HTTP status). */
  details?: Record<string, unknown>;
  /** Override the default retry classification of the code. */
  retryable?: boolean;
}

export class CodemonkeysError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: CodemonkeysErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodemonkeysError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    this.details = options.details ?? {};
  }
}

export function isCodemonkeysError(error: unknown, code?: ErrorCode): error is CodemonkeysError {
  return error instanceof CodemonkeysError && (code === undefined || error.code === code);
}

/** Wraps anything thrown into a CodemonkeysError, keeping the original as `cause`. */
export function toCodemonkeysError(
  error: unknown,
  fallback: ErrorCode = 'INTERNAL',
): CodemonkeysError {
  if (error instanceof CodemonkeysError) return error;
  if (isAbortError(error))
    return new CodemonkeysError('CANCELLED', 'The run was cancelled.', { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new CodemonkeysError(fallback, message, { cause: error });
}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'AbortError' ||
      (error instanceof CodemonkeysError && error.code === 'CANCELLED'))
  );
}

/** Throws CANCELLED if the signal has fired. Call between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new CodemonkeysError('CANCELLED', 'The run was cancelled.', { cause: signal.reason });
  }
}
