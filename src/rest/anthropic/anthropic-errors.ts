/**
 * Gateway errors in Anthropic's shape, `{"type":"error","error":{"type","message"}}`, with the
 * status Anthropic uses for each type (https://docs.anthropic.com/en/api/errors). SDK clients
 * pick their exception class by status and retry 408/409/429/5xx/529 by themselves.
 */
import type { AppError } from '../../errors/app-error';
import { httpStatusOf } from '../http-status';
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

/** Anthropic's type for each status the REST doors answer with (rest/http-status.ts). */
const BY_STATUS: Record<number, AnthropicErrorType> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'invalid_request_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
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
  const status = httpStatusOf(err);
  const type = BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { status, body: { type: 'error', error: { type, message: err.message } } };
}

/** The `error` event that ends a stream whose 200 was already sent. */
export function anthropicErrorEvent(err: AppError): AnthropicStreamEvent {
  const { body } = anthropicError(err);
  return { type: 'error', error: body.error };
}
