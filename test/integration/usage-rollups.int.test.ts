import { randomUUID } from 'node:crypto';
import type { UserPrincipal } from '../../src/auth/principal';
import { TimeBucket, UsageDimension, type UsageCriteria } from '../../src/modules/usage/usage-dimensions';
import { UsageStatus } from '../../src/modules/usage/usage-enums';
import type { UsageRecordInput } from '../../src/modules/usage/usage-record';
import { insertUsage } from '../../src/modules/usage/usage-recorder';
import { MODEL_ROLLUP, USER_ROLLUP, rollupFor } from '../../src/modules/usage/usage-sources';
import type { UsageService } from '../../src/modules/usage/usage.service';
import { startTestApp, type TestApp } from '../support/app';
import { orgWithRoles } from '../support/keys';
import { mulberry32, randomInt } from '../support/mock-upstream/prng';
import { insertAll, usage } from '../support/usage';

const DAY = 86_400_000;
const START = Date.parse('2025-05-01T00:00:00.000Z');

/** Both rollups recomputed from usage_records, compared with what the triggers maintained. */
const ROLLUP_DRIFT = `
WITH m_expected AS (
  SELECT g.grain, date_trunc(g.grain, created_at, 'UTC') AS b, organization_id, CASE WHEN organization_id IS NULL THEN user_id END AS pu,
    key_id, provider, model, status, count(*)::bigint AS n, sum(input_tokens)::bigint AS i, sum(output_tokens)::bigint AS o,
    sum(cached_input_tokens)::bigint AS c, sum(cache_write_tokens)::bigint AS w, sum(reasoning_tokens)::bigint AS r,
    coalesce(sum(cost_micro_usd), 0)::bigint AS cost, count(*) FILTER (WHERE cost_micro_usd IS NULL)::bigint AS unk
  FROM usage_records CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8),
m_actual AS (SELECT grain, bucket_start, organization_id, personal_user_id, key_id, provider, model, status, requests, input_tokens,
    output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micro_usd, unknown_cost_requests FROM usage_rollups_by_model),
u_expected AS (
  SELECT g.grain, date_trunc(g.grain, created_at, 'UTC') AS b, organization_id, user_id, count(*)::bigint AS n,
    count(*) FILTER (WHERE status = 'FAILED')::bigint AS f, sum(input_tokens)::bigint AS i, sum(output_tokens)::bigint AS o,
    sum(cached_input_tokens)::bigint AS c, sum(cache_write_tokens)::bigint AS w, sum(reasoning_tokens)::bigint AS r,
    coalesce(sum(cost_micro_usd), 0)::bigint AS cost, count(*) FILTER (WHERE cost_micro_usd IS NULL)::bigint AS unk
  FROM usage_records CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain) GROUP BY 1, 2, 3, 4),
u_actual AS (SELECT grain, bucket_start, organization_id, user_id, requests, failed_requests, input_tokens, output_tokens,
    cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micro_usd, unknown_cost_requests FROM usage_rollups_by_user)
SELECT
  (SELECT count(*) FROM (SELECT * FROM m_expected EXCEPT ALL SELECT * FROM m_actual) x)::int AS model_missing,
  (SELECT count(*) FROM (SELECT * FROM m_actual EXCEPT ALL SELECT * FROM m_expected) x)::int AS model_extra,
  (SELECT count(*) FROM (SELECT * FROM u_expected EXCEPT ALL SELECT * FROM u_actual) x)::int AS user_missing,
  (SELECT count(*) FROM (SELECT * FROM u_actual EXCEPT ALL SELECT * FROM u_expected) x)::int AS user_extra,
  (SELECT count(*) FROM usage_rollups_by_model)::int AS model_rows`;

describe('usage rollups: exact, and the same answers as the raw records', () => {
  let t: TestApp;
  let service: UsageService;
  let orgId: string;
  let ownerP: UserPrincipal;
  let memberP: UserPrincipal;
  let records: UsageRecordInput[];

  beforeAll(async () => {
    t = await startTestApp('usagerollups', { ROLE: 'api' });
    service = t.app.services!.usage;
    const o = await orgWithRoles(t);
    orgId = o.orgId;
    ownerP = { kind: 'user', userId: o.owner.id, tokenId: 'test' };
    memberP = { kind: 'user', userId: o.member.id, tokenId: 'test' };
    const rng = mulberry32(20250501);
    const users = [o.owner.id, o.admin.id, o.member.id, randomUUID()];
    const keys = [randomUUID(), randomUUID(), randomUUID(), null];
    const models = ['a/one', 'a/two', 'b/three', 'b/four', 'c/five'];
    const otherOrg = randomUUID();
    records = Array.from({ length: 1600 }, () => {
      const m = randomInt(rng, 0, models.length - 1);
      const ctx = rng();
      const status = [UsageStatus.SUCCEEDED, UsageStatus.SUCCEEDED, UsageStatus.SUCCEEDED, UsageStatus.FAILED, UsageStatus.ABORTED][randomInt(rng, 0, 4)]!;
      return usage(new Date(START + Math.floor(rng() * 20 * DAY)).toISOString(), {
        userId: users[randomInt(rng, 0, users.length - 1)]!,
        organizationId: ctx < 0.6 ? orgId : ctx < 0.8 ? otherOrg : null,
        keyId: keys[randomInt(rng, 0, keys.length - 1)]!,
        provider: ['OPENAI', 'ANTHROPIC', 'GOOGLE'][m % 3]!,
        model: models[m]!,
        inputTokens: randomInt(rng, 0, 5000),
        outputTokens: randomInt(rng, 0, 2000),
        cachedInputTokens: randomInt(rng, 0, 100),
        cacheWriteTokens: randomInt(rng, 0, 300),
        reasoningTokens: randomInt(rng, 0, 50),
        costMicroUsd: rng() < 0.1 ? null : randomInt(rng, 0, 90_000),
        status,
      });
    });
    // Half one by one through the real writer, half as one multi-row statement (one trigger run).
    await insertAll(t.app.db, records.slice(0, 800));
    await insertBatch(records.slice(800));
  }, 60_000);
  afterAll(async () => {
    await t.stop();
  });

  async function insertBatch(rows: UsageRecordInput[], suffix = ''): Promise<void> {
    const cols = ['request_id', 'user_id', 'organization_id', 'provider', 'key_source', 'key_id', 'model', 'upstream_model', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_tokens', 'reasoning_tokens', 'usage_estimated', 'cost_micro_usd', 'status', 'duration_ms', 'created_at'];
    const values: unknown[] = [];
    const tuples = rows.map((r) => {
      const v = [r.requestId, r.userId, r.organizationId, r.provider, r.keySource, r.keyId, r.model, r.upstreamModel, r.inputTokens, r.outputTokens, r.cachedInputTokens, r.cacheWriteTokens, r.reasoningTokens, r.usageEstimated, r.costMicroUsd, r.status, r.durationMs, r.createdAt];
      values.push(...v);
      return `(${v.map((_, i) => `$${values.length - v.length + i + 1}`).join(', ')})`;
    });
    await t.app.db.query(`INSERT INTO usage_records (${cols.join(', ')}) VALUES ${tuples.join(', ')} ${suffix}`, values);
  }

  async function drift(): Promise<Record<string, number>> {
    const [row] = (await t.app.db.query(ROLLUP_DRIFT)) as Array<Record<string, number>>;
    return row!;
  }

  it('the triggers keep both rollups equal to a recomputation from the records', async () => {
    const d = await drift();
    expect(d).toMatchObject({ model_missing: 0, model_extra: 0, user_missing: 0, user_extra: 0 });
    expect(d.model_rows).toBeGreaterThan(500);
  });

  it('cache writes: summed by the triggers, the rebuild and both summary paths, equal to the records', async () => {
    const inOrg = records.filter((r) => r.organizationId === orgId);
    const expected = inOrg.reduce((s, r) => s + r.cacheWriteTokens, 0);
    expect(expected).toBeGreaterThan(0);
    const filter = { organizationId: orgId, from: new Date(START), to: new Date(START + 20 * DAY) };
    const [viaRollups] = await service.summary(ownerP, filter, [], TimeBucket.MONTH);
    const [viaRaw] = await service.summary(ownerP, filter, [], TimeBucket.MONTH, { source: 'raw' });
    expect([viaRollups!.totals.cacheWriteTokens, viaRaw!.totals.cacheWriteTokens]).toEqual([expected, expected]);
    const [rollupRows] = (await t.app.db.query(
      `SELECT (SELECT sum(cache_write_tokens) FROM usage_rollups_by_model WHERE organization_id = $1 AND grain = 'day')::float8 AS by_model,
              (SELECT sum(cache_write_tokens) FROM usage_rollups_by_user WHERE organization_id = $1 AND grain = 'hour')::float8 AS by_user`,
      [orgId],
    )) as Array<{ by_model: number; by_user: number }>;
    expect(rollupRows).toEqual({ by_model: expected, by_user: expected });
    // The repair function recomputes the same rollups, the new column included.
    await t.app.db.query('SELECT usage_rollups_rebuild()');
    expect(await drift()).toMatchObject({ model_missing: 0, model_extra: 0, user_missing: 0, user_extra: 0 });
  });

  it('a record written twice (a retried write) counts once, alone or in a batch', async () => {
    const range = { organizationId: orgId, from: new Date(START), to: new Date(START + 30 * DAY) };
    const [before] = await service.summary(ownerP, range, [], null);
    for (const r of records.slice(0, 50)) await insertUsage(t.app.db, r);
    const fresh = Array.from({ length: 5 }, (_, i) => usage(new Date(START + i * DAY).toISOString(), { organizationId: orgId, userId: ownerP.userId, inputTokens: 7 }));
    await insertBatch([...records.slice(700, 900), ...fresh], 'ON CONFLICT (request_id) DO NOTHING');
    const [after] = await service.summary(ownerP, range, [], null);
    expect(after!.totals.requests).toBe(before!.totals.requests + 5);
    expect(after!.totals.inputTokens).toBe(before!.totals.inputTokens + 35);
    expect(await drift()).toMatchObject({ model_missing: 0, model_extra: 0, user_missing: 0, user_extra: 0 });
  });

  it('every dimension, pair, bucket and range shape answers the same from the rollups as from the raw records', async () => {
    const dims = Object.values(UsageDimension);
    const shapes: UsageDimension[][] = [[], ...dims.map((d) => [d]), [UsageDimension.MODEL, UsageDimension.STATUS], [UsageDimension.PROVIDER, UsageDimension.KEY], [UsageDimension.USER, UsageDimension.STATUS], [UsageDimension.USER, UsageDimension.MODEL]];
    const ranges: Array<[string, number, number]> = [
      ['whole days', START, START + 20 * DAY],
      ['ragged ends', START + 3 * DAY + 5_432_109, START + 17 * DAY + 7_777_777],
      ['within one day', START + 4 * DAY + 3_600_000 * 2.5, START + 4 * DAY + 3_600_000 * 20.25],
      ['under an hour', START + 6 * DAY + 600_000, START + 6 * DAY + 3_000_000],
      ['hour-aligned', START + 2 * DAY + 3_600_000 * 5, START + 9 * DAY + 3_600_000 * 7],
    ];
    const buckets = [null, ...Object.values(TimeBucket)];
    const mismatches: string[] = [];
    let compared = 0;
    for (const [scopeName, p, organizationId] of [['manager', ownerP, orgId], ['member', memberP, orgId], ['personal', ownerP, null]] as const) {
      for (const groupBy of shapes) {
        for (const [rangeName, from, to] of ranges) {
          for (const bucket of buckets) {
            const filter = { organizationId, from: new Date(from), to: new Date(to) };
            const auto = await service.summary(p, filter, groupBy, bucket);
            const raw = await service.summary(p, filter, groupBy, bucket, { source: 'raw' });
            compared++;
            if (JSON.stringify(auto) !== JSON.stringify(raw)) mismatches.push(`${scopeName} [${groupBy.join(',')}] ${rangeName} ${bucket ?? '-'}`);
            if (raw.length === 0 && rangeName === 'whole days') mismatches.push(`${scopeName} ${rangeName}: no data to compare`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBe(3 * shapes.length * ranges.length * buckets.length);
  }, 120_000);

  it('filtered reads match too, and the comparisons above did go through the rollups', async () => {
    const keyIds = [records.find((r) => r.keyId && r.organizationId === orgId)!.keyId!];
    const filters = [{ providers: ['OPENAI'] }, { models: ['a/two', 'c/five'] }, { keyIds }, { userIds: [memberP.userId] }];
    for (const f of filters) {
      for (const groupBy of [[], [UsageDimension.MODEL], [UsageDimension.USER]]) {
        const filter = { organizationId: orgId, from: new Date(START + 3_333_333), to: new Date(START + 15 * DAY + 1234), ...f };
        expect(await service.summary(ownerP, filter, groupBy, TimeBucket.DAY)).toEqual(await service.summary(ownerP, filter, groupBy, TimeBucket.DAY, { source: 'raw' }));
      }
    }
    const c = (scope: UsageCriteria['scope'], extra: Partial<UsageCriteria> = {}): UsageCriteria => ({ scope, from: new Date(), to: new Date(), ...extra });
    const org = c({ kind: 'organization', organizationId: orgId });
    expect(rollupFor(org, [UsageDimension.MODEL, UsageDimension.KEY])).toBe(MODEL_ROLLUP);
    expect(rollupFor(org, [UsageDimension.USER])).toBe(USER_ROLLUP);
    expect(rollupFor(c({ kind: 'member', organizationId: orgId, userId: memberP.userId }), [UsageDimension.USER])).toBe(USER_ROLLUP);
    expect(rollupFor(c({ kind: 'member', organizationId: orgId, userId: memberP.userId }), [UsageDimension.STATUS])).toBeUndefined();
    expect(rollupFor(org, [UsageDimension.STATUS])).toBe(MODEL_ROLLUP);
    expect(rollupFor(c({ kind: 'personal', userId: ownerP.userId }), [UsageDimension.MODEL])).toBe(MODEL_ROLLUP);
    expect(rollupFor(org, [UsageDimension.USER, UsageDimension.MODEL])).toBeUndefined();
    expect(rollupFor({ ...org, userIds: [memberP.userId] }, [UsageDimension.MODEL])).toBeUndefined();
  });

  it('deletes, updates and truncation keep the rollups exact', async () => {
    await t.app.db.query(`DELETE FROM usage_records WHERE request_id = ANY($1::uuid[])`, [records.slice(100, 400).map((r) => r.requestId)]);
    await t.app.db.query(`UPDATE usage_records SET status = 'FAILED', cost_micro_usd = NULL WHERE request_id = ANY($1::uuid[])`, [records.slice(500, 600).map((r) => r.requestId)]);
    expect(await drift()).toMatchObject({ model_missing: 0, model_extra: 0, user_missing: 0, user_extra: 0 });
    const zero = (await t.app.db.query('SELECT count(*)::int AS n FROM usage_rollups_by_model WHERE requests <= 0')) as Array<{ n: number }>;
    expect(zero[0]!.n).toBe(0);
    await t.app.db.query('TRUNCATE usage_records');
    expect(await drift()).toMatchObject({ model_missing: 0, model_extra: 0, model_rows: 0 });
  });

  it('concurrent writers on the same rollup rows lose no update and do not deadlock', async () => {
    const hot = Array.from({ length: 200 }, (_, i) =>
      usage('2025-06-01T12:00:00.000Z', { organizationId: orgId, userId: ownerP.userId, inputTokens: i, costMicroUsd: 3 }),
    );
    await Promise.all(hot.map((r) => insertUsage(t.app.db, r)));
    const [g] = await service.summary(ownerP, { organizationId: orgId, from: new Date('2025-06-01T00:00:00Z'), to: new Date('2025-06-02T00:00:00Z') }, [], null);
    expect(g!.totals).toMatchObject({ requests: 200, inputTokens: (199 * 200) / 2, costMicroUsd: 600 });
    expect(await drift()).toMatchObject({ model_missing: 0, model_extra: 0, user_missing: 0, user_extra: 0 });
  });
});
