import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../../auth/principal';
import { badInput } from '../../errors/app-error';
import { decodeCursor, pageSize, toConnection, type Connection } from '../../server/pagination';
import { MANAGER_ROLES } from '../organizations/org-role';
import type { OrganizationsService } from '../organizations/organizations.service';
import { UsageDimension, type TimeBucket, type UsageCriteria, type UsageScope } from './usage-dimensions';
import { requireFilter, requireGroupBy, requireRange, type UsageFilterValues } from './usage-filter';
import { recordsStatement, summaryStatement, type Statement } from './usage-query';
import type { UsageRecordedEvent } from './usage-record';
import {
  ZERO_TOTALS,
  toGroup,
  toRecord,
  toTotals,
  type RawGroup,
  type RawRecord,
  type UsageGroupRow,
  type UsageRecordRow,
  type UsageTotalsRow,
} from './usage-rows';

/** ByokKey.usage without from/to: the last 30 days. */
export const DEFAULT_KEY_USAGE_DAYS = 30;
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * Reads usage: summaries, record pages and per-key totals (the live feed: usage-live.ts). Every read
 * carries the caller's scope in its SQL WHERE: personal usage is the caller's own; an
 * organization's is whole for OWNER/ADMIN/BILLING_MANAGER and the caller's own requests for a
 * MEMBER; a non-member gets NOT_FOUND.
 */
export class UsageService {
  constructor(
    private readonly db: DataSource,
    private readonly organizations: OrganizationsService,
  ) {}

  /** The caller's scope for `organizationId` (omitted: personal). NOT_FOUND for a non-member. */
  async scopeFor(p: UserPrincipal, organizationId?: string | null): Promise<UsageScope> {
    if (!organizationId) return { kind: 'personal', userId: p.userId };
    const m = await this.organizations.membership(p, organizationId);
    return MANAGER_ROLES.includes(m.role)
      ? { kind: 'organization', organizationId: m.organizationId }
      : { kind: 'member', organizationId: m.organizationId, userId: p.userId };
  }

  /**
   * Totals grouped by `groupBy` and an optional UTC bucket over [from, to). `source: 'raw'`
   * skips the rollup (tests and the benchmark compare both).
   */
  async summary(
    p: UserPrincipal,
    filter: UsageFilterValues,
    groupBy: readonly UsageDimension[],
    bucket: TimeBucket | null | undefined,
    opts: { source?: 'auto' | 'raw' } = {},
  ): Promise<UsageGroupRow[]> {
    const dims = requireGroupBy(groupBy);
    const criteria = { ...requireFilter(filter), scope: await this.scopeFor(p, filter.organizationId) };
    return this.summarize(criteria, dims, bucket ?? null, opts.source ?? 'auto');
  }

  /** Records newest first, `first` per page (1..100), a keyset cursor on (created_at, id). */
  async records(
    p: UserPrincipal,
    filter: UsageFilterValues,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<UsageRecordRow>> {
    const n = pageSize(first, 50);
    const cursor = decodeCursor(after, 2);
    let keyset: { at: string; id: string } | undefined;
    if (cursor) {
      const [at, id] = cursor;
      if (typeof at !== 'string' || !CURSOR_TIME.test(at) || !/^\d{1,19}$/.test(String(id))) {
        throw badInput('after is not a valid cursor', 'after');
      }
      keyset = { at, id: String(id) };
    }
    const criteria: UsageCriteria = { ...requireFilter(filter), scope: await this.scopeFor(p, filter.organizationId) };
    if (criteria.from.getTime() === criteria.to.getTime()) return toConnection([], n, () => [], (r) => r);
    const { sql, values } = recordsStatement(criteria, n + 1, keyset);
    const rows = ((await this.db.query(sql, values)) as RawRecord[]).map(toRecord);
    return toConnection(rows, n, (r) => [r.cursorAt, r.id], (r) => r);
  }

  /**
   * ByokKey.usage for many keys in one query: the caller's own requests with them, plus all
   * requests of organizations the caller manages (a MEMBER sees their own use of an org key).
   * The keys were already checked visible by whoever resolved them.
   */
  async totalsForKeys(p: UserPrincipal, keyIds: readonly string[], from: Date, to: Date): Promise<Map<string, UsageTotalsRow>> {
    requireRange(from, to);
    const totals = new Map<string, UsageTotalsRow>(keyIds.map((id) => [id, { ...ZERO_TOTALS }]));
    if (keyIds.length === 0) return totals;
    const scopes: UsageScope[] = [
      { kind: 'personal', userId: p.userId },
      { kind: 'managedOrgs', userId: p.userId },
      { kind: 'memberOrgsOwn', userId: p.userId },
    ];
    const statement = summaryStatement(
      scopes.map((scope) => ({ scope, from, to, keyIds })),
      [UsageDimension.KEY],
      null,
      { useRollups: true },
    );
    if (!statement) return totals;
    for (const row of await this.aggregate(statement)) {
      if (row.key_id) totals.set(row.key_id, toTotals(row));
    }
    return totals;
  }

  private async summarize(
    criteria: UsageCriteria,
    groupBy: UsageDimension[],
    bucket: TimeBucket | null,
    source: 'auto' | 'raw',
  ): Promise<UsageGroupRow[]> {
    const statement = summaryStatement([criteria], groupBy, bucket, { useRollups: source === 'auto' });
    if (!statement) return []; // an empty range
    return (await this.aggregate(statement)).map(toGroup);
  }

  /**
   * Runs a summary without JIT and parallel workers, and with room to hash its groups: the
   * planner overestimates the rollups' groups tenfold, so it would compile (30-100 ms), start
   * workers (5-15 ms) and sort where hashing a few thousand rows takes a few milliseconds.
   */
  private aggregate(statement: Statement): Promise<RawGroup[]> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true), set_config('work_mem', '32MB', true)`,
      );
      return (await tx.query(statement.sql, statement.values)) as RawGroup[];
    });
  }
}

/** Whether a live event can be in the scope at all (cheap, before the scoped re-read). */
export function eventMayBeInScope(scope: UsageScope, e: UsageRecordedEvent): boolean {
  switch (scope.kind) {
    case 'personal':
      return e.organizationId === null && e.userId === scope.userId;
    case 'organization':
      return e.organizationId === scope.organizationId;
    case 'member':
      return e.organizationId === scope.organizationId && e.userId === scope.userId;
    case 'managedOrgs':
    case 'memberOrgsOwn':
      return e.organizationId !== null;
  }
}
