import { Check, Column, Entity, Index } from 'typeorm';
import { UsageRollupBase } from './usage-rollup-base';

/**
 * Hour and day totals of usage_records per organization (null: personal) and user, with the
 * FAILED ones counted apart (status is not a key: it would double the rows the per-user reads
 * scan; STATUS groupings come from the model rollup). Kept exact by statement triggers on
 * usage_records (migration UsageRollups): never written by the application. Serves the
 * summaries that group or filter by user, and a MEMBER's view of an organization.
 */
@Entity('usage_rollups_by_user')
@Check('usage_rollups_by_user_grain_check', `"grain" IN ('hour', 'day')`)
// UNIQUE NULLS NOT DISTINCT (organization_id, grain, bucket_start, user_id): created by
// hand in the migration (TypeORM cannot declare NULLS NOT DISTINCT).
@Index('usage_rollups_by_user_dims_key', { synchronize: false })
@Index('usage_rollups_by_user_user_idx', ['userId', 'organizationId', 'grain', 'bucketStart'])
export class UsageUserRollupEntity extends UsageRollupBase {
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** Requests with status FAILED. */
  @Column({ name: 'failed_requests', type: 'bigint' })
  failedRequests!: string;
}
