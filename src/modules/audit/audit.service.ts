import type { DataSource, EntityManager } from 'typeorm';
import type { UserPrincipal } from '../../auth/principal';
import { badInput } from '../../errors/app-error';
import { decodeCursor, pageSize, toConnection, type Connection } from '../../server/pagination';
import type { OrganizationsService } from '../organizations/organizations.service';
import { MANAGER_ROLES } from '../organizations/org-role';
import { AuditEventEntity } from './audit-event.entity';
import { recordAuditEvent, type AuditInput } from './audit-record';

export type { AuditInput } from './audit-record';

/** Writes and reads the append-only audit trail. */
export class AuditService {
  constructor(
    private readonly db: DataSource,
    private readonly organizations: OrganizationsService,
  ) {}

  /** Records an event inside the caller's transaction, so it exists exactly when the change does. */
  record(em: EntityManager, e: AuditInput): Promise<void> {
    return recordAuditEvent(em, e);
  }

  /**
   * Organization events for OWNER/ADMIN/BILLING_MANAGER; personal events for their owner.
   * Newest first, cursor on the monotonic id.
   */
  async list(
    p: UserPrincipal,
    organizationId: string | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<AuditEventEntity>> {
    const n = pageSize(first, 50);
    const cursor = decodeCursor(after, 1);
    const qb = this.db.getRepository(AuditEventEntity).createQueryBuilder('e');
    if (organizationId) {
      const m = await this.organizations.requireRole(p, organizationId, MANAGER_ROLES);
      qb.where('e.organization_id = :org', { org: m.organizationId });
    } else {
      qb.where('e.owner_user_id = :uid AND e.organization_id IS NULL', { uid: p.userId });
    }
    if (cursor) {
      if (!/^\d{1,19}$/.test(String(cursor[0]))) throw badInput('after is not a valid cursor', 'after');
      qb.andWhere('e.id < :after', { after: String(cursor[0]) });
    }
    const rows = await qb.orderBy('e.id', 'DESC').limit(n + 1).getMany();
    return toConnection(rows, n, (r) => [r.id], (r) => r);
  }
}
