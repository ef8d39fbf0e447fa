import { MANAGER_ROLES, OrgRole } from '../organizations/org-role';
import { TimeBucket, UsageDimension, type UsageCriteria, type UsageScope } from './usage-dimensions';
import { planSegments, rollupFor, type Segment } from './usage-sources';

/** One statement's SQL and its positional parameters. */
export interface Statement {
  sql: string;
  values: unknown[];
}

/** Positional parameters, added as the SQL is written. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
}

/**
 * How each segment selects a dimension. Text groups under the "C" collation: the same groups,
 * but sorted by byte comparison instead of the (much slower) locale rules.
 */
const DIMENSION_COLUMN = {
  [UsageDimension.PROVIDER]: 'provider COLLATE "C" AS provider',
  [UsageDimension.MODEL]: 'model COLLATE "C" AS model',
  [UsageDimension.KEY]: 'key_id',
  [UsageDimension.USER]: 'user_id',
  [UsageDimension.ORGANIZATION]: 'organization_id',
  [UsageDimension.STATUS]: 'status',
} as const satisfies Record<UsageDimension, string>;

/** Each dimension's column in the result (text sorts byte-wise, see above: the same order everywhere). */
const DIMENSION_NAME = {
  [UsageDimension.PROVIDER]: 'provider',
  [UsageDimension.MODEL]: 'model',
  [UsageDimension.KEY]: 'key_id',
  [UsageDimension.USER]: 'user_id',
  [UsageDimension.ORGANIZATION]: 'organization_id',
  [UsageDimension.STATUS]: 'status',
} as const satisfies Record<UsageDimension, string>;

const BUCKET_UNIT = {
  [TimeBucket.HOUR]: 'hour',
  [TimeBucket.DAY]: 'day',
  [TimeBucket.WEEK]: 'week',
  [TimeBucket.MONTH]: 'month',
} as const satisfies Record<TimeBucket, string>;

/**
 * The scope as a WHERE condition. Records, rollups and memberships share the column names,
 * except the user of a personal row in the model rollup (`personalUserColumn`).
 */
export function scopeSql(scope: UsageScope, p: SqlParams, personalUserColumn = 'user_id'): string {
  switch (scope.kind) {
    case 'personal':
      return `organization_id IS NULL AND ${personalUserColumn} = ${p.add(scope.userId, 'uuid')}`;
    case 'organization':
      return `organization_id = ${p.add(scope.organizationId, 'uuid')}`;
    case 'member':
      return `organization_id = ${p.add(scope.organizationId, 'uuid')} AND user_id = ${p.add(scope.userId, 'uuid')}`;
    case 'managedOrgs':
      return `organization_id IN (${orgsWithRoles(scope.userId, MANAGER_ROLES, p)})`;
    case 'memberOrgsOwn': {
      const plain = Object.values(OrgRole).filter((r) => !MANAGER_ROLES.includes(r));
      return `organization_id IN (${orgsWithRoles(scope.userId, plain, p)}) AND user_id = ${p.add(scope.userId, 'uuid')}`;
    }
  }
}

function orgsWithRoles(userId: string, roles: readonly OrgRole[], p: SqlParams): string {
  return `SELECT m.organization_id FROM memberships m WHERE m.user_id = ${p.add(userId, 'uuid')} AND m.role = ANY(${p.add(roles, 'org_role[]')})`;
}

/** The optional restrictions; an absent or empty list restricts nothing. */
function filterSql(c: UsageCriteria, p: SqlParams): string[] {
  const out: string[] = [];
  if (c.providers?.length) out.push(`provider = ANY(${p.add(c.providers, 'text[]')})`);
  if (c.models?.length) out.push(`model = ANY(${p.add(c.models, 'text[]')})`);
  if (c.keyIds?.length) out.push(`key_id = ANY(${p.add(c.keyIds, 'uuid[]')})`);
  if (c.userIds?.length) out.push(`user_id = ANY(${p.add(c.userIds, 'uuid[]')})`);
  return out;
}

const RAW_SUMS = `count(*) AS requests, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
  sum(cached_input_tokens) AS cached_input_tokens, sum(cache_write_tokens) AS cache_write_tokens, sum(reasoning_tokens) AS reasoning_tokens,
  sum(cost_micro_usd) AS cost_micro_usd, count(*) FILTER (WHERE cost_micro_usd IS NULL) AS unknown_cost_requests,
  count(*) FILTER (WHERE status = 'FAILED') AS failed_requests`;

const rollupSums = (failedSql: string) => `sum(requests) AS requests, sum(input_tokens) AS input_tokens,
  sum(output_tokens) AS output_tokens, sum(cached_input_tokens) AS cached_input_tokens,
  sum(cache_write_tokens) AS cache_write_tokens, sum(reasoning_tokens) AS reasoning_tokens, sum(cost_micro_usd) AS cost_micro_usd,
  sum(unknown_cost_requests) AS unknown_cost_requests, ${failedSql} AS failed_requests`;

/**
 * `usageSummary` as one statement: each criteria's range split into segments (raw records or a
 * rollup grain, see usage-sources.ts), each aggregated where it lies, then summed per bucket and
 * group. Several criteria (disjoint scopes) add up. Only groups with requests exist. Ordered by
 * bucket, then the dimensions in the order asked, nulls last.
 */
export function summaryStatement(
  criteria: readonly UsageCriteria[],
  groupBy: readonly UsageDimension[],
  bucket: TimeBucket | null,
  opts: { useRollups: boolean },
): Statement | null {
  const p = new SqlParams();
  const dims = groupBy.map((d) => DIMENSION_COLUMN[d]);
  const names = ['b', ...groupBy.map((d) => DIMENSION_NAME[d])];
  const positions = names.map((_, i) => i + 1).join(', ');
  // A rollup row of the bucket's own grain is already its bucket: no per-row date_trunc.
  const bucketOf = (timeColumn: string, grain: string | null) =>
    !bucket ? 'NULL::timestamptz' : BUCKET_UNIT[bucket] === grain ? timeColumn : `date_trunc('${BUCKET_UNIT[bucket]}', ${timeColumn}, 'UTC')`;
  const select = (timeColumn: string, grain: string | null) => [`${bucketOf(timeColumn, grain)} AS b`, ...dims].join(', ');
  const branches: string[] = [];
  for (const c of criteria) {
    const rollup = opts.useRollups ? rollupFor(c, groupBy) : undefined;
    const filters = filterSql(c, p);
    // One branch per source: the two ragged ends (raw, or hour grain) are read together.
    const bySource = new Map<Segment['source'], Segment[]>();
    for (const s of planSegments(c.from, c.to, rollup !== undefined, bucket)) bySource.set(s.source, [...(bySource.get(s.source) ?? []), s]);
    const within = (column: string, segments: Segment[]) =>
      `(${segments.map((s) => `(${column} >= ${p.add(s.from, 'timestamptz')} AND ${column} < ${p.add(s.to, 'timestamptz')})`).join(' OR ')})`;
    for (const [source, segments] of bySource) {
      if (source === 'raw') {
        const where = [scopeSql(c.scope, p), ...filters, within('created_at', segments)];
        branches.push(`SELECT ${select('created_at', null)}, ${RAW_SUMS} FROM usage_records WHERE ${where.join(' AND ')} GROUP BY ${positions}`);
      } else if (rollup) {
        const where = [scopeSql(c.scope, p, rollup.personalUserColumn), ...filters, `grain = '${source}'`, within('bucket_start', segments)];
        branches.push(`SELECT ${select('bucket_start', source)}, ${rollupSums(rollup.failedSql)} FROM ${rollup.table} WHERE ${where.join(' AND ')} GROUP BY ${positions}`);
      }
    }
  }
  if (branches.length === 0) return null; // only empty ranges
  const order = names.map((n, i) => (i === 0 ? n : `${n} NULLS LAST`)).join(', ');
  const sql = `SELECT ${names.join(', ')},
      sum(requests)::int AS requests, sum(input_tokens)::float8 AS input_tokens,
      sum(output_tokens)::float8 AS output_tokens, sum(cached_input_tokens)::float8 AS cached_input_tokens,
      sum(cache_write_tokens)::float8 AS cache_write_tokens, sum(reasoning_tokens)::float8 AS reasoning_tokens, coalesce(sum(cost_micro_usd), 0)::float8 AS cost_micro_usd,
      coalesce(sum(failed_requests), 0)::int AS failed_requests, sum(unknown_cost_requests)::int AS unknown_cost_requests
    FROM (${branches.join('\n UNION ALL ')}) s
    GROUP BY ${positions} HAVING sum(requests) > 0 ORDER BY ${order}`;
  return { sql, values: p.values };
}

/** Columns of a usage record as the API reads them, with a full-precision cursor time. */
// Selected from `usage_records r`: ORDER BY names the table's columns (r.id is a bigint; the
// output column `id` is its text form and would sort 10 before 9).
const RECORD_COLUMNS = `r.id::text AS id, r.request_id, r.user_id, r.organization_id, r.provider, r.key_source, r.key_id,
  r.model, r.upstream_model, r.input_tokens, r.output_tokens, r.cached_input_tokens, r.cache_write_tokens, r.reasoning_tokens, r.usage_estimated,
  r.cost_micro_usd::float8 AS cost_micro_usd, r.status, r.error_code, r.time_to_first_token_ms, r.duration_ms, r.created_at,
  to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

/**
 * One page of `usageRecords`, newest first on (created_at, id): a keyset after the cursor, so
 * rows inserted meanwhile never shift a page (no OFFSET). Fetches `limit` rows.
 */
export function recordsStatement(c: UsageCriteria, limit: number, after: { at: string; id: string } | undefined): Statement {
  if (c.scope.kind === 'managedOrgs' || c.scope.kind === 'memberOrgsOwn') throw new Error('records are read in one scope: personal or one organization');
  const p = new SqlParams();
  const where = [
    scopeSql(c.scope, p),
    ...filterSql(c, p),
    `created_at >= ${p.add(c.from, 'timestamptz')}`,
    `created_at < ${p.add(c.to, 'timestamptz')}`,
  ];
  if (after) where.push(`(r.created_at, r.id) < (${p.add(after.at, 'timestamptz')}, ${p.add(after.id, 'bigint')})`);
  // Every records scope fixes organization_id (NULL for personal), so leading the order with it
  // changes nothing, but lets the planner walk the (user, organization, created_at, id) index
  // backwards for personal pages: it does not treat IS NULL as an equality it may sort under.
  return {
    sql: `SELECT ${RECORD_COLUMNS} FROM usage_records r WHERE ${where.join(' AND ')}
          ORDER BY r.organization_id DESC NULLS FIRST, r.created_at DESC, r.id DESC LIMIT ${p.add(limit, 'int')}`,
    values: p.values,
  };
}

/** One record by request id, within the scope (the subscription's re-read). */
export function recordByRequestStatement(scope: UsageScope, requestId: string): Statement {
  const p = new SqlParams();
  return {
    sql: `SELECT ${RECORD_COLUMNS} FROM usage_records r WHERE ${scopeSql(scope, p)} AND r.request_id = ${p.add(requestId, 'uuid')}`,
    values: p.values,
  };
}
