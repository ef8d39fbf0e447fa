/** The contract's error codes (contract.graphql header). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'MODEL_NOT_FOUND'
  | 'NO_KEY_FOR_MODEL'
  | 'BYOK_KEY_INVALID'
  | 'BYOK_KEY_DISABLED'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_RATE_LIMITED'
  | 'UPSTREAM_INSUFFICIENT_FUNDS'
  | 'RATE_LIMITED'
  /** A dependency (Postgres) cannot be reached and nothing known serves the request: retry. */
  | 'UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

/**
 * An expected failure with a code the client can act on. Services throw these; the one
 * formatter in server/format-error.ts turns them into `extensions.code`. The message is shown
 * to the client as is, so it must never contain a secret.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string): AppError => new AppError('NOT_FOUND', `${what} not found`);

export const badInput = (message: string, field?: string): AppError =>
  new AppError('BAD_USER_INPUT', message, field ? { field } : {});

export const conflict = (message: string): AppError => new AppError('CONFLICT', message);

export const forbidden = (message = 'You are not allowed to do this'): AppError =>
  new AppError('FORBIDDEN', message);

export const unauthenticated = (message = 'A valid API token is required'): AppError =>
  new AppError('UNAUTHENTICATED', message);

/** Retryable: the named dependency does not answer and no last known state can serve instead. */
export const unavailable = (dependency: 'postgres', what: string): AppError =>
  new AppError('UNAVAILABLE', `${what} is unavailable while ${dependency} cannot be reached; retry shortly`, { dependency, retryable: true });
