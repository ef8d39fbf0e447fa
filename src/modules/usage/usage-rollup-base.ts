import { Column, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What both usage rollups hold: an hour or day bucket of one organization (null: personal)
 * and the summed totals. Each rollup entity adds the dimensions it is keyed by.
 */
export abstract class UsageRollupBase {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** 'hour' or 'day': the bucket's length, truncated in UTC. */
  @Column({ type: 'varchar', length: 4 })
  grain!: 'hour' | 'day';

  @Column({ name: 'bucket_start', type: 'timestamptz' })
  bucketStart!: Date;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ type: 'bigint' })
  requests!: string;

  @Column({ name: 'input_tokens', type: 'bigint' })
  inputTokens!: string;

  @Column({ name: 'output_tokens', type: 'bigint' })
  outputTokens!: string;

  @Column({ name: 'cached_input_tokens', type: 'bigint' })
  cachedInputTokens!: string;

  @Column({ name: 'cache_write_tokens', type: 'bigint', default: 0 })
  cacheWriteTokens!: string;

  @Column({ name: 'reasoning_tokens', type: 'bigint' })
  reasoningTokens!: string;

  /** Sum of the known costs. */
  @Column({ name: 'cost_micro_usd', type: 'bigint' })
  costMicroUsd!: string;

  @Column({ name: 'unknown_cost_requests', type: 'bigint' })
  unknownCostRequests!: string;
}
