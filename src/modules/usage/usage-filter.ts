import { badInput } from '../../errors/app-error';
import { requireId } from '../../errors/validate';
import { PROVIDER_IDS } from '../../providers/types';
import { UsageDimension, type UsageCriteria } from './usage-dimensions';

/** The longest range one read may cover (a leap year). */
export const MAX_RANGE_DAYS = 366;
/** At most this many values per filter list: a filter is a choice, not a dump of every id. */
export const MAX_FILTER_VALUES = 100;
const DAY_MS = 86_400_000;

/** The filter as the API takes it (UsageFilter). */
export interface UsageFilterValues {
  organizationId?: string | null;
  from: Date;
  to: Date;
  providers?: readonly string[] | null;
  models?: readonly string[] | null;
  keyIds?: readonly string[] | null;
  userIds?: readonly string[] | null;
}

/** [from, to) must be well-ordered and at most MAX_RANGE_DAYS long; from = to is an empty range. */
export function requireRange(from: Date, to: Date): void {
  if (!(from instanceof Date) || Number.isNaN(from.getTime())) throw badInput('from is not a valid time', 'from');
  if (!(to instanceof Date) || Number.isNaN(to.getTime())) throw badInput('to is not a valid time', 'to');
  if (from.getTime() > to.getTime()) throw badInput('from must not be after to', 'from');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw badInput(`the range from..to must not exceed ${MAX_RANGE_DAYS} days`, 'to');
  }
}

function list<T>(values: readonly T[] | null | undefined, field: string, check: (v: T) => T): T[] | undefined {
  if (!values?.length) return undefined;
  if (values.length > MAX_FILTER_VALUES) throw badInput(`${field} takes at most ${MAX_FILTER_VALUES} values`, field);
  return [...new Set(values.map(check))];
}

/** Checks the filter (everything but the organization, which needs the database) into criteria. */
export function requireFilter(f: UsageFilterValues): Omit<UsageCriteria, 'scope'> {
  requireRange(f.from, f.to);
  return {
    from: f.from,
    to: f.to,
    providers: list(f.providers, 'filter.providers', (p) => {
      if (!(PROVIDER_IDS as readonly string[]).includes(p)) throw badInput(`${p} is not a provider`, 'filter.providers');
      return p;
    }),
    models: list(f.models, 'filter.models', (m) => {
      if (m.length === 0 || m.length > 200) throw badInput('a model id has 1 to 200 characters', 'filter.models');
      return m;
    }),
    keyIds: list(f.keyIds, 'filter.keyIds', (id) => requireId(id, 'filter.keyIds')),
    userIds: list(f.userIds, 'filter.userIds', (id) => requireId(id, 'filter.userIds')),
  };
}

/** Each dimension at most once. */
export function requireGroupBy(groupBy: readonly UsageDimension[]): UsageDimension[] {
  const known = Object.values(UsageDimension) as string[];
  for (const d of groupBy) if (!known.includes(d)) throw badInput(`${String(d)} is not a usage dimension`, 'groupBy');
  if (new Set(groupBy).size !== groupBy.length) throw badInput('groupBy lists a dimension more than once', 'groupBy');
  return [...groupBy];
}
