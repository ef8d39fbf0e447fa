import { TimeBucket, UsageDimension, type UsageCriteria, type UsageScope } from './usage-dimensions';

/**
 * Where a summary reads each part of its range. The rollups (see the UsageRollups migration)
 * hold exact hour and day totals for a subset of the columns; whatever a read needs beyond a
 * rollup's columns is read from the raw records.
 */
export interface RollupFamily {
  table: string;
  /** The column holding the user for the personal scope. */
  personalUserColumn: string;
  /** How a segment sums the FAILED requests of its rows. */
  failedSql: string;
  dimensions: readonly UsageDimension[];
  filters: ReadonlyArray<keyof Pick<UsageCriteria, 'providers' | 'models' | 'keyIds' | 'userIds'>>;
  scopes: ReadonlyArray<UsageScope['kind']>;
}

/** Per organization (or personal user), key, provider, model and status: no user dimension. */
export const MODEL_ROLLUP: RollupFamily = {
  table: 'usage_rollups_by_model',
  personalUserColumn: 'personal_user_id',
  failedSql: `sum(requests) FILTER (WHERE status = 'FAILED')`,
  dimensions: [UsageDimension.PROVIDER, UsageDimension.MODEL, UsageDimension.KEY, UsageDimension.ORGANIZATION, UsageDimension.STATUS],
  filters: ['providers', 'models', 'keyIds'],
  scopes: ['personal', 'organization', 'managedOrgs'],
};

/** Per organization and user, FAILED counted apart (no STATUS dimension). */
export const USER_ROLLUP: RollupFamily = {
  table: 'usage_rollups_by_user',
  personalUserColumn: 'user_id',
  failedSql: 'sum(failed_requests)',
  dimensions: [UsageDimension.USER, UsageDimension.ORGANIZATION],
  filters: ['userIds'],
  scopes: ['personal', 'organization', 'member', 'managedOrgs', 'memberOrgsOwn'],
};

/** The model rollup first: it is the smaller one for the same organization and range. */
const FAMILIES = [MODEL_ROLLUP, USER_ROLLUP] as const;

/** The rollup that has every column the read needs, or undefined (raw records only). */
export function rollupFor(c: UsageCriteria, groupBy: readonly UsageDimension[]): RollupFamily | undefined {
  return FAMILIES.find(
    (f) =>
      f.scopes.includes(c.scope.kind) &&
      groupBy.every((d) => f.dimensions.includes(d)) &&
      (['providers', 'models', 'keyIds', 'userIds'] as const).every((k) => !c[k]?.length || f.filters.includes(k)),
  );
}

/** A slice of [from, to) read from the raw records or from one grain of a rollup. */
export interface Segment {
  source: 'raw' | 'hour' | 'day';
  from: Date;
  to: Date;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;
const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

/**
 * Splits [from, to) so whole UTC days come from the day grain, the whole hours around them from
 * the hour grain, and only the ragged ends (under an hour each) from the raw records: exact for
 * any range, and cheap whatever its length. An HOUR bucket cannot use the day grain.
 */
export function planSegments(from: Date, to: Date, rollup: boolean, bucket: TimeBucket | null): Segment[] {
  const a = from.getTime();
  const z = to.getTime();
  const h1 = ceilTo(a, HOUR_MS);
  const h2 = floorTo(z, HOUR_MS);
  if (!rollup || h1 >= h2) return keep([{ source: 'raw', from, to }]);
  const d1 = ceilTo(h1, DAY_MS);
  const d2 = floorTo(h2, DAY_MS);
  const at = (t: number) => new Date(t);
  const middle: Segment[] =
    bucket === TimeBucket.HOUR || d1 >= d2
      ? [{ source: 'hour', from: at(h1), to: at(h2) }]
      : [
          { source: 'hour', from: at(h1), to: at(d1) },
          { source: 'day', from: at(d1), to: at(d2) },
          { source: 'hour', from: at(d2), to: at(h2) },
        ];
  return keep([{ source: 'raw', from, to: at(h1) }, ...middle, { source: 'raw', from: at(h2), to }]);
}

function keep(segments: Segment[]): Segment[] {
  return segments.filter((s) => s.from.getTime() < s.to.getTime());
}
