/** How a routed request ended (contract's UsageStatus). */
export enum UsageStatus {
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  ABORTED = 'ABORTED',
}

/** Whose key served it (contract's KeySource). */
export enum KeySource {
  BYOK = 'BYOK',
  PLATFORM = 'PLATFORM',
}
