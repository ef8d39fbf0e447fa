/**
 * Gateway errors in Anthropic's shape, `{"type":"error","error":{"type","message"}}`, with the
 * status Anthropic uses for each type (https://docs.anthropic.com/en/api/errors). SDK clients
 * pick their exception class by status and retry 408/409/429/5xx/529 by themselves.
 */
import type { AppError, ErrorCode } from '../../errors/app-error';
import type { AnthropicStreamEvent } from './stream-events';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
}

const BY_CODE: Record<ErrorCode, { status: number; type: AnthropicErrorType }> = {
  UNAUTHENTICATED: { status: 401, type: 'authentication_error' },
  FORBIDDEN: { status: 403, type: 'permission_error' },
  NOT_FOUND: { status: 404, type: 'not_found_error' },
  MODEL_NOT_FOUND: { status: 404, type: 'not_found_error' },
  BAD_USER_INPUT: { status: 400, type: 'invalid_request_error' },
  CONFLICT: { status: 409, type: 'invalid_request_error' },
  // The caller's own setup (no key for this model, a provider key rejected or switched off): not a
  // gateway credential problem, so not 401, which makes Claude Code ask the user to log in again.
  NO_KEY_FOR_MODEL: { status: 403, type: 'permission_error' },
  BYOK_KEY_INVALID: { status: 403, type: 'permission_error' },
  BYOK_KEY_DISABLED: { status: 403, type: 'permission_error' },
  UPSTREAM_ERROR: { status: 502, type: 'api_error' },
  UPSTREAM_RATE_LIMITED: { status: 429, type: 'rate_limit_error' },
  UPSTREAM_INSUFFICIENT_FUNDS: { status: 402, type: 'billing_error' },
  RATE_LIMITED: { status: 429, type: 'rate_limit_error' },
  INTERNAL_SERVER_ERROR: { status: 500, type: 'api_error' },
};

/**
 * Anthropic's 529 `overloaded_error`, before the first byte or as a mid-stream `error` event. The
 * upstream status is not carried on AppError, so this reads the two messages the dialect layer
 * builds for it: `… failed (HTTP 529)…` (providers/errors.ts) and `… stream error
 * (overloaded_error)…` (dialects/http-error.ts).
 */
function upstreamOverloaded(err: AppError): boolean {
  if (err.code !== 'UPSTREAM_ERROR') return false;
  const status = err.extensions.upstreamStatus;
  if (typeof status === 'number') return status === 529;
  return /\(HTTP 529\)|\(overloaded_error\)/.test(err.message);
}

export function anthropicError(err: AppError): { status: number; body: AnthropicErrorBody } {
  if (upstreamOverloaded(err)) return { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: err.message } } };
  const { status, type } = BY_CODE[err.code];
  return { status, body: { type: 'error', error: { type, message: err.message } } };
}

/** The `error` event that ends a stream whose 200 was already sent. */
export function anthropicErrorEvent(err: AppError): AnthropicStreamEvent {
  const { body } = anthropicError(err);
  return { type: 'error', error: body.error };
}
