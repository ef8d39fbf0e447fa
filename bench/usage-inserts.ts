import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { KeySource, UsageStatus } from '../src/modules/usage/usage-enums';
import type { UsageRecordInput } from '../src/modules/usage/usage-record';
import { insertUsage } from '../src/modules/usage/usage-recorder';
import { runPool } from './lib/pool';
import { summarize } from './lib/stats';
import { benchModels, type SeedActors } from './usage-seed';

export interface InsertResult {
  /** With the rollup triggers (as deployed), or without them (the baseline they cost against). */
  triggers: boolean;
  records: number;
  writers: number;
  poolSize: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
}

/**
 * `count` records written now by `writers` concurrent callers of the recorder's insertUsage
 * (INSERT … ON CONFLICT DO NOTHING, rollup triggers included), through the app's pool. 10% for
 * the big organization, as seeded. The records are deleted afterwards (the delete trigger keeps
 * the rollups exact) so the seeded data set stays the same between runs. Measured with the
 * rollup triggers on (as deployed) and off (the baseline they cost against).
 */
export async function measureInserts(db: DataSource, a: SeedActors, count: number, writers: number): Promise<InsertResult[]> {
  const records = await makeRecords(db, a, count);
  // Alternated, twice: on a shared machine a burst of load then hits both modes, not one.
  const results: InsertResult[] = [];
  for (let round = 0; round < 2; round++) {
    results.push(await timeInserts(db, records, writers, true));
    results.push(await withoutTriggers(db, () => timeInserts(db, records, writers, false)));
  }
  return results;
}

/** Disables the rollup triggers around `fn`, which must leave usage_records as it found it. */
async function withoutTriggers<T>(db: DataSource, fn: () => Promise<T>): Promise<T> {
  await db.query('ALTER TABLE usage_records DISABLE TRIGGER USER');
  try {
    return await fn();
  } finally {
    await db.query('ALTER TABLE usage_records ENABLE TRIGGER USER');
  }
}

async function makeRecords(db: DataSource, a: SeedActors, count: number): Promise<UsageRecordInput[]> {
  const big = (await db.query('SELECT user_id FROM memberships WHERE organization_id = $1', [a.bigOrgId])) as Array<{ user_id: string }>;
  const others = (await db.query('SELECT organization_id, user_id FROM memberships WHERE organization_id <> $1 LIMIT 2000', [a.bigOrgId])) as Array<{ organization_id: string; user_id: string }>;
  const keys = (await db.query('SELECT id, coalesce(organization_id, user_id) AS owner, provider FROM byok_keys WHERE organization_id = ANY($1::uuid[]) OR user_id = ANY($2::uuid[])', [
    [a.bigOrgId, ...others.map((o) => o.organization_id)],
    others.map((o) => o.user_id),
  ])) as Array<{ id: string; owner: string; provider: string }>;
  const keyOf = new Map(keys.map((k) => [`${k.owner}/${k.provider}`, k.id]));
  const models = benchModels();
  const now = Date.now();
  return Array.from({ length: count }, (_, i): UsageRecordInput => {
    const ctx = Math.random();
    const m = models[Math.floor(Math.random() ** 3 * models.length)]!;
    const o = others[i % others.length]!;
    const [userId, organizationId] = ctx < 0.1 ? [big[i % big.length]!.user_id, a.bigOrgId] : ctx < 0.7 ? [o.user_id, o.organization_id] : [o.user_id, null];
    const keyId = Math.random() < 0.1 ? null : (keyOf.get(`${organizationId ?? userId}/${m.provider}`) ?? null);
    const input = 100 + Math.floor(Math.random() ** 3 * 30000);
    const output = 20 + Math.floor(Math.random() ** 2 * 3000);
    return {
      requestId: randomUUID(),
      userId,
      organizationId,
      provider: m.provider,
      keySource: keyId ? KeySource.BYOK : KeySource.PLATFORM,
      keyId,
      model: m.id,
      upstreamModel: m.upstream,
      inputTokens: input,
      outputTokens: output,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      usageEstimated: false,
      costMicroUsd: m.price ? Math.round(input * m.price.inputPerMTok + output * m.price.outputPerMTok) : null,
      status: Math.random() < 0.95 ? UsageStatus.SUCCEEDED : UsageStatus.FAILED,
      errorCode: null,
      timeToFirstTokenMs: 300,
      durationMs: 2000,
      createdAt: new Date(now - Math.floor(Math.random() * 60_000)).toISOString(),
    };
  });
}

/** Inserts every record (fresh request ids each time), then deletes them again. */
async function timeInserts(db: DataSource, template: UsageRecordInput[], writers: number, triggers: boolean): Promise<InsertResult> {
  const records = template.map((r) => ({ ...r, requestId: randomUUID() }));
  const count = records.length;
  const latencies: number[] = [];
  const started = performance.now();
  await runPool(count, writers, async (i) => {
    const t0 = performance.now();
    await insertUsage(db, records[i]!);
    latencies.push(performance.now() - t0);
  });
  const seconds = (performance.now() - started) / 1000;
  for (let i = 0; i < records.length; i += 5000) {
    await db.query('DELETE FROM usage_records WHERE request_id = ANY($1::uuid[])', [records.slice(i, i + 5000).map((r) => r.requestId)]);
  }
  // Dead rows around "now" would slow the next run's reads of the current hour.
  await db.query('VACUUM usage_records, usage_rollups_by_model, usage_rollups_by_user');
  const s = summarize(latencies)!;
  const extra = (db.options as { extra?: { max?: number } }).extra;
  return { triggers, records: count, writers, poolSize: extra?.max ?? 10, seconds, perSecond: count / seconds, p50: s.p50, p95: s.p95 };
}
