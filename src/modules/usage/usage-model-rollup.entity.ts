import { Check, Column, Entity, Index } from 'typeorm';
import { UsageRollupBase } from './usage-rollup-base';
import { UsageStatus } from './usage-enums';
import { MAX_MODEL_ID_LENGTH } from '../../catalog/types';

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
export class UsageModelRollupEntity extends UsageRollupBase {
  /** The user of a personal row; null for organization rows. */
  @Column({ name: 'personal_user_id', type: 'uuid', nullable: true })
  personalUserId!: string | null;

  @Column({ name: 'key_id', type: 'uuid', nullable: true })
  keyId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  @Column({ type: 'varchar', length: MAX_MODEL_ID_LENGTH })
  model!: string;

  @Column({ type: 'enum', enum: UsageStatus, enumName: 'usage_status' })
  status!: UsageStatus;
}
