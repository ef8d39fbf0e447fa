import type { ValidationTrigger } from '../modules/validation/validation-outcome';

/** Queue names (BullMQ prefixes them with QUEUE_PREFIX). */
export const VALIDATION_QUEUE = 'byok-validation';
export const MAINTENANCE_QUEUE = 'byok-maintenance';
/** Usage records that could not be written at once (Postgres down): retried until they land. */
export const USAGE_QUEUE = 'byok-usage';

/** A validation job's payload: ids only, never a secret. */
export interface ValidationJobData {
  keyId: string;
  secretVersion: number;
  trigger: ValidationTrigger;
  /** Lets the rate limiter decide before any database read. */
  provider: string;
  /**
   * The user who added the key: the rate limiter interleaves these fairly. Not the key's owner:
   * any user may create organizations, so one user's hundred organizations share one line.
   * Absent on jobs queued by older versions.
   */
  addedBy?: string;
}

export type MaintenanceJobName = 'reconcile' | 'revalidate' | 'sweep-inflight';

/** Collapses duplicate validations of the same secret while one is waiting or running. */
export function validationDedupId(keyId: string, secretVersion: number): string {
  return `${keyId}.v${secretVersion}`;
}
