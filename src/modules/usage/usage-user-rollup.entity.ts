import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

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
export class UsageUserRollupEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** 'hour' or 'day': the bucket's length, truncated in UTC. */
  @Column({ type: 'varchar', length: 4 })
  grain!: 'hour' | 'day';

  @Column({ name: 'bucket_start', type: 'timestamptz' })
  bucketStart!: Date;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'bigint' })
  requests!: string;

  /** Requests with status FAILED. */
  @Column({ name: 'failed_requests', type: 'bigint' })
  failedRequests!: string;

  @Column({ name: 'input_tokens', type: 'bigint' })
  inputTokens!: string;

  @Column({ name: 'output_tokens', type: 'bigint' })
  outputTokens!: string;

  @Column({ name: 'cached_input_tokens', type: 'bigint' })
  cachedInputTokens!: string;

  @Column({ name: 'reasoning_tokens', type: 'bigint' })
  reasoningTokens!: string;

  /** Sum of the known costs. */
  @Column({ name: 'cost_micro_usd', type: 'bigint' })
  costMicroUsd!: string;

  @Column({ name: 'unknown_cost_requests', type: 'bigint' })
  unknownCostRequests!: string;
}
