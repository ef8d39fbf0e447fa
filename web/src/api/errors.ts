import type { CombinedError } from '@urql/core';

/** What the console says for each of the API's error codes (contract.graphql's header). */
const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: 'This API token was not accepted. Sign in again with a valid token.',
  FORBIDDEN: 'Your role in this account does not allow this.',
  NOT_FOUND: 'Not found: it may have been deleted, or it belongs to another account.',
  BAD_USER_INPUT: 'Some input was not accepted.',
  CONFLICT: 'This account already has a key for that provider: replace it instead.',
  MODEL_NOT_FOUND: 'That model is not in the catalog.',
  NO_KEY_FOR_MODEL: 'No key of this account can serve that model, and no platform key is configured.',
  BYOK_KEY_INVALID: 'The provider rejected your key. Replace it on the Keys page.',
  BYOK_KEY_DISABLED: 'Your key for this model is disabled. Enable it on the Keys page.',
  UPSTREAM_ERROR: 'The provider returned an error.',
  UPSTREAM_RATE_LIMITED: 'The provider is rate-limiting this key. Try again shortly.',
  UPSTREAM_INSUFFICIENT_FUNDS: 'The provider says this key’s account has no credit left.',
  RATE_LIMITED: 'Too many requests right now. Try again shortly.',
  INTERNAL_SERVER_ERROR: 'The service failed unexpectedly. Try again.',
  NETWORK: 'Cannot reach the service. Check your connection and try again.',
};

/** An API failure with its code and the server's own message (which never carries a secret). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  /** One line for the user: what the code means, then what the server said when it adds something. */
  get userMessage(): string {
    const base = MESSAGES[this.code] ?? MESSAGES.INTERNAL_SERVER_ERROR!;
    return this.detail && this.detail !== base ? `${base} (${this.detail})` : base;
  }
}

export function toApiError(error: CombinedError | unknown): ApiError {
  if (error instanceof ApiError) return error;
  const combined = error as Partial<CombinedError>;
  const gqlError = combined.graphQLErrors?.[0];
  if (gqlError) {
    const code = typeof gqlError.extensions?.code === 'string' ? gqlError.extensions.code : 'INTERNAL_SERVER_ERROR';
    return new ApiError(code, gqlError.message);
  }
  const closed = closeCodeOf(combined.networkError);
  // The server closes the socket with 4401/4403 when a token is revoked or not accepted.
  if (closed?.code === 4401) return new ApiError('UNAUTHENTICATED', closed.reason);
  if (closed?.code === 4403) return new ApiError('FORBIDDEN', closed.reason);
  if (closed) return new ApiError('NETWORK', closed.reason || `connection closed (${closed.code})`);
  if (combined.networkError) return new ApiError('NETWORK', combined.networkError.message);
  return new ApiError('INTERNAL_SERVER_ERROR', error instanceof Error ? error.message : String(error));
}

/** graphql-ws reports a closed socket as the CloseEvent itself (urql passes it on as networkError). */
function closeCodeOf(err: unknown): { code: number; reason: string } | null {
  if (!err || typeof err !== 'object' || !('code' in err) || typeof err.code !== 'number') return null;
  return { code: err.code, reason: 'reason' in err && typeof err.reason === 'string' ? err.reason : '' };
}

export function errorMessage(err: unknown): string {
  return toApiError(err).userMessage;
}
