/** What `usageSummary` can group by (contract's UsageDimension). */
export enum UsageDimension {
  PROVIDER = 'PROVIDER',
  MODEL = 'MODEL',
  KEY = 'KEY',
  USER = 'USER',
  ORGANIZATION = 'ORGANIZATION',
  STATUS = 'STATUS',
}

/** Time buckets of `usageSummary`, truncated in UTC; weeks start on Monday (contract's TimeBucket). */
export enum TimeBucket {
  HOUR = 'HOUR',
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}

/**
 * Whose usage a read may see. It is always part of the SQL WHERE, never filtered afterwards.
 * `member`: a MEMBER of the organization sees only their own requests there. `managedOrgs` and
 * `memberOrgsOwn` (with `personal`) make up ByokKey.usage: every request of the organizations
 * the user manages, and the user's own requests in the organizations where they are a MEMBER.
 */
export type UsageScope =
  | { kind: 'personal'; userId: string }
  | { kind: 'organization'; organizationId: string }
  | { kind: 'member'; organizationId: string; userId: string }
  | { kind: 'managedOrgs'; userId: string }
  | { kind: 'memberOrgsOwn'; userId: string };

/** A validated read: scope, [from, to) and optional restrictions (undefined: none). */
export interface UsageCriteria {
  scope: UsageScope;
  from: Date;
  to: Date;
  providers?: readonly string[];
  models?: readonly string[];
  keyIds?: readonly string[];
  userIds?: readonly string[];
}
