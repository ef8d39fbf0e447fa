import type { EntityManager } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';

/** One audit event, before it is written. `detail` is human readable and never holds a secret. */
export interface AuditInput {
  action: string;
  actorId: string | null;
  organizationId: string | null;
  ownerUserId: string | null;
  targetId?: string | null;
  provider?: string | null;
  detail?: string | null;
}

/**
 * Writes an event inside the caller's transaction, so it exists exactly when the change does.
 * A free function rather than a method of AuditService: the services that manage memberships
 * and tokens write events too, and AuditService itself depends on OrganizationsService.
 */
export async function recordAuditEvent(em: EntityManager, e: AuditInput): Promise<void> {
  await em.getRepository(AuditEventEntity).insert({
    action: e.action,
    actorId: e.actorId,
    organizationId: e.organizationId,
    ownerUserId: e.organizationId ? null : e.ownerUserId,
    targetId: e.targetId ?? null,
    provider: e.provider ?? null,
    detail: e.detail?.slice(0, 1000) ?? null,
  });
}
