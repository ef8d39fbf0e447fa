/** Fast validation settings for tests: few attempts, short backoff, quick crash detection. */
export const FAST_VALIDATION_ENV: Record<string, string> = {
  VALIDATION_ATTEMPTS: '3',
  VALIDATION_BACKOFF_MS: '50',
  VALIDATION_TIMEOUT_MS: '5000',
  VALIDATION_LOCK_MS: '2000',
  VALIDATION_STALLED_INTERVAL_MS: '1000',
  VALIDATION_RATE_PER_PROVIDER: '50',
  RECONCILE_EVERY: '500ms',
  RECONCILE_GRACE: '0',
};
