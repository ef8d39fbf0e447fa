import type { ServerResponse } from 'node:http';
import type { AppError, ErrorCode } from '../../errors/app-error';
import { httpStatusOf, retryAfterOf } from '../http-status';

/** OpenAI's error `type` per code (the SDKs branch on the status; `type` is for humans and logs). */
const TYPE: Record<ErrorCode, string> = {
  BAD_USER_INPUT: 'invalid_request_error',
  UNAUTHENTICATED: 'authentication_error',
  FORBIDDEN: 'permission_error',
  NOT_FOUND: 'invalid_request_error',
  CONFLICT: 'invalid_request_error',
  MODEL_NOT_FOUND: 'invalid_request_error',
  NO_KEY_FOR_MODEL: 'permission_error',
  BYOK_KEY_INVALID: 'permission_error',
  BYOK_KEY_DISABLED: 'permission_error',
  UPSTREAM_ERROR: 'upstream_error',
  UPSTREAM_RATE_LIMITED: 'rate_limit_error',
  UPSTREAM_INSUFFICIENT_FUNDS: 'insufficient_quota',
  RATE_LIMITED: 'rate_limit_error',
  UNAVAILABLE: 'server_error',
  INTERNAL_SERVER_ERROR: 'server_error',
};

/** `{"error": {message, type, code, param}}`, our code lower-cased (`byok_key_invalid`). */
export function openAiErrorBody(err: AppError): { error: { message: string; type: string; code: string; param: string | null } } {
  const field = err.extensions.field;
  return {
    error: {
      message: err.message,
      type: TYPE[err.code],
      code: err.code.toLowerCase(),
      param: typeof field === 'string' ? field : null,
    },
  };
}

/** The whole error response: status, `retry-after` where known, the OpenAI-shaped body. */
export function sendOpenAiError(res: ServerResponse, err: AppError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = httpStatusOf(err);
  const body = JSON.stringify(openAiErrorBody(err));
  const h: Record<string, string | number> = { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  const retryAfter = retryAfterOf(err);
  if (retryAfter !== undefined) h['retry-after'] = String(retryAfter);
  // The rest of an oversized body is not read: close rather than keep a half-read connection.
  if (status === 413) h.connection = 'close';
  res.writeHead(status, h);
  res.end(body);
}
