import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import { CodemonkeysError, type ErrorCode } from '../errors.js';

/**
 * The API reports an over-long prompt as a 400 `invalid_request_error`; only its message tells
 * it apart from other bad requests. This is the one place we look at the provider's text, at the
 * edge, to produce a stable code that the rest of the code branches on.
 */
const CONTEXT_TOO_LONG =
  /prompt is too long|context (window|length)|too many (input )?tokens|exceeds? the maximum/i;

function codeFor(status: number, type: string, message: string): ErrorCode {
  if (
    status === 401 ||
    status === 403 ||
    type === 'authentication_error' ||
    type === 'permission_error'
  )
    return 'LLM_AUTH';
  if (status === 413 || type === 'request_too_large') return 'LLM_CONTEXT_TOO_LONG';
  if (status === 429 || type === 'rate_limit_error') return 'LLM_RATE_LIMITED';
  if (status === 529 || type === 'overloaded_error') return 'LLM_OVERLOADED';
  if (status === 408 || status === 504 || type === 'timeout_error') return 'LLM_TIMEOUT';
  if (status >= 500 || type === 'api_error') return 'LLM_SERVER';
  if ((status === 400 || type === 'invalid_request_error') && CONTEXT_TOO_LONG.test(message))
    return 'LLM_CONTEXT_TOO_LONG';
  return 'LLM_BAD_REQUEST';
}

function codeForStatus(error: APIError): ErrorCode {
  const type: string = typeof error.type === 'string' ? error.type : '';
  return codeFor(error.status ?? 0, type, String(error.apiMessage ?? error.message));
}

const MESSAGES: Record<ErrorCode, string> = {
  LLM_AUTH: 'the model API rejected the credentials (check ANTHROPIC_API_KEY and its permissions)',
  LLM_CONTEXT_TOO_LONG: 'the prompt is longer than the model accepts',
  LLM_RATE_LIMITED: 'the model API rate limit was hit and retries were exhausted',
  LLM_OVERLOADED: 'the model API is overloaded and retries were exhausted',
  LLM_TIMEOUT: 'the model call timed out',
  LLM_SERVER: 'the model API returned a server error and retries were exhausted',
  LLM_BAD_REQUEST: 'the model API rejected the request',
  LLM_CONNECTION: 'could not connect to the model API',
  CANCELLED: 'the model call was cancelled',
} as Record<ErrorCode, string>;

/** Maps anything the SDK throws to a CodemonkeysError with a stable LLM_* code (or CANCELLED). */
export function toLlmError(error: unknown, signal?: AbortSignal): CodemonkeysError {
  if (error instanceof CodemonkeysError) return error;
  let code: ErrorCode;
  const details: Record<string, unknown> = {};
  if (error instanceof APIUserAbortError || signal?.aborted === true) code = 'CANCELLED';
  else if (error instanceof APIConnectionTimeoutError) code = 'LLM_TIMEOUT';
  else if (error instanceof APIConnectionError) code = 'LLM_CONNECTION';
  else if (error instanceof APIError) {
    code = codeForStatus(error);
    details.status = error.status;
    if (error.type) details.type = error.type;
    if (error.requestID) details.requestId = error.requestID;
    if (error.apiMessage) details.apiMessage = error.apiMessage;
  } else if (error instanceof Error && error.name === 'AbortError') code = 'CANCELLED';
  else code = 'LLM_CONNECTION';
  const suffix = typeof details.apiMessage === 'string' ? `: ${details.apiMessage}` : '';
  return new CodemonkeysError(code, `${MESSAGES[code] ?? 'model call failed'}${suffix}`, {
    cause: error,
    details,
  });
}

/**
 * Maps the error of one Message Batches item (`result.type === 'errored'`, an API error object
 * without an HTTP status) to the same stable codes as a direct call.
 */
export function toBatchItemError(
  error: { type?: unknown; message?: unknown } | undefined,
  requestId?: string | null,
): CodemonkeysError {
  const type = typeof error?.type === 'string' ? error.type : '';
  const apiMessage = typeof error?.message === 'string' ? error.message : '';
  const code = codeFor(0, type, apiMessage);
  const details: Record<string, unknown> = { batch: true };
  if (type) details.type = type;
  if (requestId) details.requestId = requestId;
  if (apiMessage) details.apiMessage = apiMessage;
  return new CodemonkeysError(
    code,
    `${MESSAGES[code] ?? 'model call failed'}${apiMessage ? `: ${apiMessage}` : ''}`,
    { details },
  );
}
