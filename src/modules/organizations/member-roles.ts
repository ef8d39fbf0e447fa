import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { OrgRole } from './org-role';

/**
 * Roles in one organization by user id, as they are now; null for a non-member. Loads made in
 * the same tick share one query (one per event for every live subscriber of the organization).
 */
export function memberRoleLoader(db: DataSource, organizationId: string): DataLoader<string, OrgRole | null> {
  return new DataLoader(async (userIds) => {
    const rows = (await db.query('SELECT user_id, role FROM memberships WHERE organization_id = $1 AND user_id = ANY($2::uuid[])', [
      organizationId,
      [...userIds],
    ])) as Array<{ user_id: string; role: OrgRole }>;
    const roles = new Map(rows.map((r) => [r.user_id, r.role]));
    return userIds.map((id) => roles.get(id) ?? null);
  });
}
