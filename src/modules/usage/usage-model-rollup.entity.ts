import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { UsageStatus } from './usage-enums';

/**
 * Hour and day totals of usage_records per organization, key, provider, model and status; a
 * personal row also keeps its user (`personal_user_id`), an organization row sums all its
 * users. Kept exact by statement triggers on usage_records (migration UsageRollups): never
 * written by the application. Serves the organization and personal summaries that do not
 * group or filter by user.
 */
@Entity('usage_rollups_by_model')
@Check('usage_rollups_by_model_grain_check', `"grain" IN ('hour', 'day')`)
// UNIQUE NULLS NOT DISTINCT (organization_id, grain, bucket_start, personal_user_id, key_id,
// provider, model, status): the triggers' ON CONFLICT target and the organization scans.
// TypeORM cannot declare NULLS NOT DISTINCT, so the migration creates it by hand.
@Index('usage_rollups_by_model_dims_key', { synchronize: false })
@Index('usage_rollups_by_model_personal_idx', ['personalUserId', 'grain', 'bucketStart'], { where: '"personal_user_id" IS NOT NULL' })
export class UsageModelRollupEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** 'hour' or 'day': the bucket's length, truncated in UTC. */
  @Column({ type: 'varchar', length: 4 })
  grain!: 'hour' | 'day';

  @Column({ name: 'bucket_start', type: 'timestamptz' })
  bucketStart!: Date;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  /** The user of a personal row; null for organization rows. */
  @Column({ name: 'personal_user_id', type: 'uuid', nullable: true })
  personalUserId!: string | null;

  @Column({ name: 'key_id', type: 'uuid', nullable: true })
  keyId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  @Column({ type: 'varchar', length: 200 })
  model!: string;

  @Column({ type: 'enum', enum: UsageStatus, enumName: 'usage_status' })
  status!: UsageStatus;

  @Column({ type: 'bigint' })
  requests!: string;

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
