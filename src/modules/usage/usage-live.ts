import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../../auth/principal';
import { perEvent } from '../../infra/per-event';
import { memberRoleLoader } from '../organizations/member-roles';
import { MANAGER_ROLES } from '../organizations/org-role';
import type { UsageScope } from './usage-dimensions';
import { recordByRequestStatement } from './usage-query';
import type { UsageRecordedEvent } from './usage-record';
import { toRecord, type RawRecord, type UsageRecordRow } from './usage-rows';
import { eventMayBeInScope } from './usage.service';

/**
 * The `usageRecorded` fan-out: which subscribers receive an event is decided in memory, with
 * the subscriber's role as it is now (a member removed meanwhile receives nothing). Per event and
 * process: one query for the roles of the organization's subscribers, one for the record, however
 * many subscribers there are (it was three queries per subscriber).
 */
export class UsageLive {
  constructor(private readonly db: DataSource) {}

  /** What the subscriber (`organizationId` null: their personal usage) receives of `e`, if anything. */
  async deliver(p: UserPrincipal, organizationId: string | null, e: UsageRecordedEvent): Promise<UsageRecordRow | undefined> {
    let scope: UsageScope;
    if (!organizationId) {
      scope = { kind: 'personal', userId: p.userId };
      if (!eventMayBeInScope(scope, e)) return undefined;
    } else {
      if (e.organizationId !== organizationId) return undefined;
      // Loaded in the same tick by every subscriber of the organization: one batched query.
      const role = await perEvent(e, 'member-roles', () => memberRoleLoader(this.db, organizationId)).load(p.userId);
      if (!role) return undefined;
      scope = MANAGER_ROLES.includes(role) ? { kind: 'organization', organizationId } : { kind: 'member', organizationId, userId: p.userId };
      if (!eventMayBeInScope(scope, e)) return undefined;
    }
    const row = await perEvent(e, 'usage-record', () => this.read(e));
    // The stored row decides, not the event's copy of its ids.
    return row && eventMayBeInScope(scope, row) ? row : undefined;
  }

  /** The record, read within the scope its own event names. */
  private async read(e: UsageRecordedEvent): Promise<UsageRecordRow | null> {
    const scope: UsageScope = e.organizationId
      ? { kind: 'organization', organizationId: e.organizationId }
      : { kind: 'personal', userId: e.userId };
    const { sql, values } = recordByRequestStatement(scope, e.requestId);
    const [row] = (await this.db.query(sql, values)) as RawRecord[];
    return row ? toRecord(row) : null;
  }
}
