import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ProviderId } from '../../providers/types';
import '../providers/provider.type';
import { connectionTypes } from '../../server/pagination';
import { KeySource, UsageStatus } from './usage-enums.type';
import { TimeBucket, UsageDimension } from './usage-dimensions';
import type { UsageGroupRow, UsageRecordRow, UsageTotalsRow } from './usage-rows';

registerEnumType(UsageDimension, { name: 'UsageDimension' });
registerEnumType(TimeBucket, { name: 'TimeBucket' });

@InputType('UsageFilter')
export class UsageFilterInput {
  /** Omit: the caller's personal usage; set: that organization's (members see their own requests only). */
  @Field(() => ID, { nullable: true })
  organizationId?: string | null;

  /** Inclusive start. */
  @Field(() => Date)
  from!: Date;

  /** Exclusive end; at most 366 days after `from`. */
  @Field(() => Date)
  to!: Date;

  /** An empty list is the same as omitting the field (no restriction); likewise below. */
  @Field(() => [ProviderId], { nullable: true })
  providers?: ProviderId[] | null;

  @Field(() => [String], { nullable: true })
  models?: string[] | null;

  @Field(() => [ID], { nullable: true })
  keyIds?: string[] | null;

  @Field(() => [ID], { nullable: true })
  userIds?: string[] | null;
}

@ObjectType('UsageTotals', { simpleResolvers: true })
export class UsageTotalsType {
  @Field(() => Int)
  requests!: number;

  /** Including cached input. */
  @Field(() => Float)
  inputTokens!: number;

  /** Including reasoning. */
  @Field(() => Float)
  outputTokens!: number;

  @Field(() => Float)
  cachedInputTokens!: number;

  /** Input tokens written to the provider's prompt cache. */
  @Field(() => Float)
  cacheWriteTokens!: number;

  @Field(() => Float)
  reasoningTokens!: number;

  /** Sum of the known costs in micro-USD; requests of unknown cost count as 0 (see unknownCostRequests). */
  @Field(() => Float)
  costMicroUsd!: number;

  /** Requests with status FAILED (ABORTED, a client that went away, is not a failure). */
  @Field(() => Int)
  failedRequests!: number;

  /** Requests whose cost is unknown (a passthrough model without a catalog price). */
  @Field(() => Int)
  unknownCostRequests!: number;

  static from(t: UsageTotalsRow): UsageTotalsType {
    return Object.assign(new UsageTotalsType(), t);
  }
}

@ObjectType('UsageGroup', { simpleResolvers: true })
export class UsageGroupType {
  /** Set when a bucket was asked for: the bucket's start, a UTC instant. */
  @Field(() => Date, { nullable: true })
  bucketStart!: Date | null;

  @Field(() => ProviderId, { nullable: true })
  provider!: ProviderId | null;

  @Field(() => String, { nullable: true })
  model!: string | null;

  /** With KEY: the key's id, also once the key was deleted (`key` is then null); null for the platform's keys. */
  @Field(() => ID, { nullable: true })
  keyId!: string | null;

  userId!: string | null;
  organizationId!: string | null;

  @Field(() => UsageStatus, { nullable: true })
  status!: UsageStatus | null;

  @Field(() => UsageTotalsType)
  totals!: UsageTotalsType;

  static from(g: UsageGroupRow): UsageGroupType {
    return Object.assign(new UsageGroupType(), {
      bucketStart: g.bucketStart,
      provider: g.provider as ProviderId | null,
      model: g.model,
      keyId: g.keyId,
      userId: g.userId,
      organizationId: g.organizationId,
      status: g.status,
      totals: UsageTotalsType.from(g.totals),
    });
  }
}

@ObjectType('UsageRecord', { simpleResolvers: true })
export class UsageRecordType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  requestId!: string;

  userId!: string;
  organizationId!: string | null;

  @Field(() => ProviderId)
  provider!: ProviderId;

  @Field(() => KeySource)
  keySource!: KeySource;

  /** The BYOK key's id (kept after the key was deleted, when `key` is null); null for PLATFORM. */
  @Field(() => ID, { nullable: true })
  keyId!: string | null;

  /** Gateway model id requested. */
  @Field()
  model!: string;

  /** The id sent to the provider. */
  @Field()
  upstreamModel!: string;

  @Field(() => Int)
  inputTokens!: number;

  @Field(() => Int)
  outputTokens!: number;

  @Field(() => Int)
  cachedInputTokens!: number;

  /** Input tokens written to the provider's prompt cache (billed at its write price). */
  @Field(() => Int)
  cacheWriteTokens!: number;

  @Field(() => Int)
  reasoningTokens!: number;

  @Field()
  usageEstimated!: boolean;

  /** Estimated cost in micro-USD; 0 when unknown (see costKnown). */
  @Field(() => Float)
  costMicroUsd!: number;

  /** False when the model had no catalog price (passthrough): costMicroUsd is then 0. */
  @Field()
  costKnown!: boolean;

  @Field(() => UsageStatus)
  status!: UsageStatus;

  @Field(() => String, { nullable: true })
  errorCode!: string | null;

  @Field(() => Int, { nullable: true })
  timeToFirstTokenMs!: number | null;

  @Field(() => Int)
  durationMs!: number;

  @Field()
  createdAt!: Date;

  static from(r: UsageRecordRow): UsageRecordType {
    return Object.assign(new UsageRecordType(), {
      id: r.id,
      requestId: r.requestId,
      userId: r.userId,
      organizationId: r.organizationId,
      provider: r.provider as ProviderId,
      keySource: r.keySource,
      keyId: r.keyId,
      model: r.model,
      upstreamModel: r.upstreamModel,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      cachedInputTokens: r.cachedInputTokens,
      cacheWriteTokens: r.cacheWriteTokens,
      reasoningTokens: r.reasoningTokens,
      usageEstimated: r.usageEstimated,
      costMicroUsd: r.costMicroUsd ?? 0,
      costKnown: r.costMicroUsd !== null,
      status: r.status,
      errorCode: r.errorCode,
      timeToFirstTokenMs: r.timeToFirstTokenMs,
      durationMs: r.durationMs,
      createdAt: r.createdAt,
    });
  }
}

export const { ConnectionType: UsageRecordConnection } = connectionTypes('UsageRecord', UsageRecordType);
