import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { KeySource, UsageStatus } from './usage-enums';
import { MAX_MODEL_ID_LENGTH } from '../../catalog/types';

/**
 * Exactly one row per routed request, whatever the outcome. `request_id` is unique, so a record
 * retried from the durable queue lands once. No foreign keys: usage outlives keys and users,
 * and inserts stay cheap at tens of millions of rows.
 */
@Entity('usage_records')
@Index('usage_records_request_id_key', ['requestId'], { unique: true })
// Shaped for the usage reads (see usage-query.ts): an organization's records newest first on
// (created_at, id), and a user's personal (organization_id IS NULL) or in-organization records.
@Index('usage_records_org_page_idx', ['organizationId', 'createdAt', 'id'])
@Index('usage_records_user_page_idx', ['userId', 'organizationId', 'createdAt', 'id'])
@Index('usage_records_key_time_idx', ['keyId', 'createdAt'])
export class UsageRecordEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** The context it was billed to; null for personal. */
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  @Column({ name: 'key_source', type: 'enum', enum: KeySource, enumName: 'key_source' })
  keySource!: KeySource;

  /** The BYOK key that served it (null for PLATFORM). */
  @Column({ name: 'key_id', type: 'uuid', nullable: true })
  keyId!: string | null;

  /** Gateway model id requested. */
  @Column({ type: 'varchar', length: MAX_MODEL_ID_LENGTH })
  model!: string;

  /** The id sent to the provider. */
  @Column({ name: 'upstream_model', type: 'varchar', length: MAX_MODEL_ID_LENGTH })
  upstreamModel!: string;

  /** Including cached input (reads and writes). */
  @Column({ name: 'input_tokens', type: 'int' })
  inputTokens!: number;

  /** Including reasoning. */
  @Column({ name: 'output_tokens', type: 'int' })
  outputTokens!: number;

  @Column({ name: 'cached_input_tokens', type: 'int' })
  cachedInputTokens!: number;

  /** Input tokens written to the provider's prompt cache. Rows from before it was counted hold 0. */
  @Column({ name: 'cache_write_tokens', type: 'int', default: 0 })
  cacheWriteTokens!: number;

  @Column({ name: 'reasoning_tokens', type: 'int' })
  reasoningTokens!: number;

  /** True when the provider reported no usage and tokens were estimated. */
  @Column({ name: 'usage_estimated', type: 'boolean' })
  usageEstimated!: boolean;

  /** Integer micro-USD from the catalog price; null when the price is unknown (passthrough). */
  @Column({ name: 'cost_micro_usd', type: 'bigint', nullable: true })
  costMicroUsd!: string | null;

  @Column({ type: 'enum', enum: UsageStatus, enumName: 'usage_status' })
  status!: UsageStatus;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ name: 'time_to_first_token_ms', type: 'int', nullable: true })
  timeToFirstTokenMs!: number | null;

  @Column({ name: 'duration_ms', type: 'int' })
  durationMs!: number;

  /** When the request started (set by the gateway, not the insert: retried rows keep it). */
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
