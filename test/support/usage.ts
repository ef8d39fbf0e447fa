import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { KeySource, UsageStatus } from '../../src/modules/usage/usage-enums';
import type { UsageRecordInput } from '../../src/modules/usage/usage-record';
import { insertUsage } from '../../src/modules/usage/usage-recorder';

export const SUMMARY = `query($filter: UsageFilter!, $groupBy: [UsageDimension!]!, $bucket: TimeBucket) {
  usageSummary(filter: $filter, groupBy: $groupBy, bucket: $bucket) {
    bucketStart provider model keyId status key { id } user { id } organization { id }
    totals { requests inputTokens outputTokens cachedInputTokens cacheWriteTokens reasoningTokens costMicroUsd failedRequests unknownCostRequests }
  }
}`;

export const RECORDS = `query($filter: UsageFilter!, $first: Int, $after: String) {
  usageRecords(filter: $filter, first: $first, after: $after) {
    edges { cursor node {
      id requestId user { id email } organization { id } provider keySource key { id } keyId model upstreamModel
      inputTokens outputTokens cachedInputTokens cacheWriteTokens reasoningTokens usageEstimated costMicroUsd costKnown status errorCode
      timeToFirstTokenMs durationMs createdAt
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface Totals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costMicroUsd: number;
  failedRequests: number;
  unknownCostRequests: number;
}

export interface Group {
  bucketStart: string | null;
  provider: string | null;
  model: string | null;
  keyId: string | null;
  status: string | null;
  key: { id: string } | null;
  user: { id: string } | null;
  organization: { id: string } | null;
  totals: Totals;
}

/** A usage record with sensible defaults; `at` is the ISO creation time. */
export function usage(at: string, o: Partial<UsageRecordInput> & Pick<UsageRecordInput, 'userId'>): UsageRecordInput {
  return {
    requestId: randomUUID(),
    organizationId: null,
    provider: 'OPENAI',
    keySource: o.keyId ? KeySource.BYOK : KeySource.PLATFORM,
    keyId: null,
    model: 'openai/gpt-5.5',
    upstreamModel: 'gpt-5.5',
    inputTokens: 100,
    outputTokens: 10,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    usageEstimated: false,
    costMicroUsd: 50,
    status: UsageStatus.SUCCEEDED,
    errorCode: null,
    timeToFirstTokenMs: 120,
    durationMs: 900,
    createdAt: at,
    ...o,
  };
}

/** Inserts through the real writer (INSERT … ON CONFLICT DO NOTHING), one by one. */
export async function insertAll(db: DataSource, records: readonly UsageRecordInput[]): Promise<void> {
  for (const r of records) await insertUsage(db, r);
}

/**
 * A key row written directly (no validation job, no secret to decrypt): enough for usage to
 * resolve it. Exactly one of `organizationId` / `userId`.
 */
export async function insertKey(db: DataSource, owner: { organizationId?: string; userId?: string }, provider: string, createdBy: string): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO byok_keys (id, user_id, organization_id, provider, status, hint, master_key_id, wrapped_key, secret_iv, secret_ciphertext, secret_tag, created_by)
     VALUES ($1, $2, $3, $4, 'VALID', 'sk-…test', 'test', $5, $5, $5, $5, $6)`,
    [id, owner.userId ?? null, owner.organizationId ?? null, provider, randomBytes(4), createdBy],
  );
  return id;
}

/** Sums records the way UsageTotals does, for expected values computed by hand in tests. */
export function totalsOf(records: readonly UsageRecordInput[]): Totals {
  return {
    requests: records.length,
    inputTokens: records.reduce((s, r) => s + r.inputTokens, 0),
    outputTokens: records.reduce((s, r) => s + r.outputTokens, 0),
    cachedInputTokens: records.reduce((s, r) => s + r.cachedInputTokens, 0),
    cacheWriteTokens: records.reduce((s, r) => s + r.cacheWriteTokens, 0),
    reasoningTokens: records.reduce((s, r) => s + r.reasoningTokens, 0),
    costMicroUsd: records.reduce((s, r) => s + (r.costMicroUsd ?? 0), 0),
    failedRequests: records.filter((r) => r.status === UsageStatus.FAILED).length,
    unknownCostRequests: records.filter((r) => r.costMicroUsd === null).length,
  };
}
