import type { AppError, ErrorCode } from '../errors/app-error';

/**
 * The HTTP status of each error code on the REST doors, chosen for what clients do with it:
 * SDKs retry 429 and 5xx, stop on 4xx, and some agents treat 401 as "log in again", so 401 is
 * only ever about the gateway token; a provider refusing the user's own key is 403.
 */
const STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  UPSTREAM_INSUFFICIENT_FUNDS: 402,
  FORBIDDEN: 403,
  NO_KEY_FOR_MODEL: 403,
  BYOK_KEY_INVALID: 403,
  BYOK_KEY_DISABLED: 403,
  NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UPSTREAM_RATE_LIMITED: 429,
  // A dependency is down (issue 16): retry later.
  UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
  UPSTREAM_ERROR: 502,
};

/** `retry-after` of an UNAVAILABLE answer (HTTP GraphQL's too): Postgres blips last seconds. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/** An AppError's status (an error may carry its own `httpStatus`, e.g. 413 for an oversized body). */
export function httpStatusOf(err: AppError): number {
  const own = err.extensions.httpStatus;
  return typeof own === 'number' ? own : STATUS[err.code];
}

/**
 * Seconds for `retry-after`, where known: the error's own `retryAfterSeconds` (an upstream's
 * header, when the service passes it on), else 1 for the gateway's own capacity refusal and
 * {@link UNAVAILABLE_RETRY_AFTER_SECONDS} while a dependency is down.
 */
export function retryAfterOf(err: AppError): number | undefined {
  const own = err.extensions.retryAfterSeconds;
  if (typeof own === 'number' && own >= 0) return Math.ceil(own);
  if (err.code === 'RATE_LIMITED') return 1;
  return err.code === 'UNAVAILABLE' ? UNAVAILABLE_RETRY_AFTER_SECONDS : undefined;
}
