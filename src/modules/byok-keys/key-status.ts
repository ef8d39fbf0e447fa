/** Key validation status (contract's KeyStatus). */
export enum KeyStatus {
  /** Stored; validation queued or running. */
  PENDING = 'PENDING',
  /** The provider accepted it. */
  VALID = 'VALID',
  /** The provider rejected it; requests with it fail. */
  INVALID = 'INVALID',
  /** Validation could not reach the provider after its retries; requests may still try it. */
  UNREACHABLE = 'UNREACHABLE',
}
