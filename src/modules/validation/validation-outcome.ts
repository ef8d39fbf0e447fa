/** Where a validation job stands (contract's ValidationOutcome, plus DISCARDED). */
export enum ValidationOutcome {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  VALID = 'VALID',
  INVALID = 'INVALID',
  RETRYING = 'RETRYING',
  UNREACHABLE = 'UNREACHABLE',
  /** The result was not applied: the key was replaced or deleted while the job ran. */
  DISCARDED = 'DISCARDED',
}

export type ValidationTrigger = 'created' | 'updated' | 'manual' | 'scheduled' | 'reconcile' | 'rejected-in-use';
