import type { UsageRecordInput } from './usage-record';
import type { KeySource, UsageStatus } from './usage-enums';

/** Sums over a set of usage records. */
export interface UsageTotalsRow {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Sum of the known costs; unknown costs count as 0. */
  costMicroUsd: number;
  /** Status FAILED only: ABORTED means the client went away, not that the request failed. */
  failedRequests: number;
  unknownCostRequests: number;
}

/** One `usageSummary` group: the grouped dimensions are set, the others null. */
export interface UsageGroupRow {
  bucketStart: Date | null;
  provider: string | null;
  model: string | null;
  keyId: string | null;
  userId: string | null;
  organizationId: string | null;
  status: UsageStatus | null;
  totals: UsageTotalsRow;
}

/** One usage record as the API reads it: what the recorder wrote, plus its id and cursor time. */
export interface UsageRecordRow extends Omit<UsageRecordInput, 'createdAt'> {
  id: string;
  createdAt: Date;
  /** created_at with microseconds (a JS Date keeps only milliseconds), for the cursor. */
  cursorAt: string;
}

/** A row of summaryStatement as pg returns it. */
export interface RawGroup {
  b: Date | null;
  provider?: string;
  model?: string;
  key_id?: string | null;
  user_id?: string;
  organization_id?: string | null;
  status?: UsageStatus;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_micro_usd: number;
  failed_requests: number;
  unknown_cost_requests: number;
}

/** A row of RECORD_COLUMNS as pg returns it. */
export interface RawRecord {
  id: string;
  request_id: string;
  user_id: string;
  organization_id: string | null;
  provider: string;
  key_source: KeySource;
  key_id: string | null;
  model: string;
  upstream_model: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  usage_estimated: boolean;
  cost_micro_usd: number | null;
  status: UsageStatus;
  error_code: string | null;
  time_to_first_token_ms: number | null;
  duration_ms: number;
  created_at: Date;
  cursor_at: string;
}

export function toTotals(r: RawGroup): UsageTotalsRow {
  return {
    requests: r.requests,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cachedInputTokens: r.cached_input_tokens,
    cacheWriteTokens: r.cache_write_tokens,
    reasoningTokens: r.reasoning_tokens,
    costMicroUsd: r.cost_micro_usd,
    failedRequests: r.failed_requests,
    unknownCostRequests: r.unknown_cost_requests,
  };
}

export function toGroup(r: RawGroup): UsageGroupRow {
  return {
    bucketStart: r.b,
    provider: r.provider ?? null,
    model: r.model ?? null,
    keyId: r.key_id ?? null,
    userId: r.user_id ?? null,
    organizationId: r.organization_id ?? null,
    status: r.status ?? null,
    totals: toTotals(r),
  };
}

export function toRecord(r: RawRecord): UsageRecordRow {
  return {
    id: r.id,
    requestId: r.request_id,
    userId: r.user_id,
    organizationId: r.organization_id,
    provider: r.provider,
    keySource: r.key_source,
    keyId: r.key_id,
    model: r.model,
    upstreamModel: r.upstream_model,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cachedInputTokens: r.cached_input_tokens,
    cacheWriteTokens: r.cache_write_tokens,
    reasoningTokens: r.reasoning_tokens,
    usageEstimated: r.usage_estimated,
    costMicroUsd: r.cost_micro_usd,
    status: r.status,
    errorCode: r.error_code,
    timeToFirstTokenMs: r.time_to_first_token_ms,
    durationMs: r.duration_ms,
    createdAt: r.created_at,
    cursorAt: r.cursor_at,
  };
}

/** Totals of nothing: a key without usage in the range. */
export const ZERO_TOTALS: Readonly<UsageTotalsRow> = Object.freeze({
  requests: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costMicroUsd: 0,
  failedRequests: 0,
  unknownCostRequests: 0,
});
