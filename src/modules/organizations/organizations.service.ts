import type { DataSource, EntityManager } from 'typeorm';
import type { UserPrincipal } from '../../auth/principal';
import { badInput, conflict, forbidden, notFound } from '../../errors/app-error';
import { DataPathGate } from '../../infra/data-path-gate';
import { isPostgresUnreachable } from '../../infra/pg-errors';
import { isUuid, requireEmail, requireId, requireName } from '../../errors/validate';
import { recordAuditEvent } from '../audit/audit-record';
import { UserEntity } from '../users/user.entity';
import { MembershipEntity } from './membership.entity';
import { OrganizationEntity } from './organization.entity';
import { LastKnownMemberships } from './last-known-memberships';
import { MEMBERSHIP_ADMIN_ROLES, OrgRole } from './org-role';

/**
 * Organizations and their members. Every read is scoped by the caller's membership in the
 * query itself; a non-member gets NOT_FOUND (existence is not leaked).
 */
export class OrganizationsService {
  private readonly lastKnown: LastKnownMemberships;

  /**
   * `outageStaleMaxMs`: how long a membership checked for routing serves while Postgres is away.
   * `dataPathDb`: where routing's membership checks read (bounded, infra/database.ts), through
   * `gate` (fails fast right after Postgres was found unreachable).
   */
  constructor(
    private readonly db: DataSource,
    outageStaleMaxMs = 0,
    private readonly dataPathDb: DataSource = db,
    private readonly gate = new DataPathGate(),
  ) {
    this.lastKnown = new LastKnownMemberships(outageStaleMaxMs);
  }

  async create(p: UserPrincipal, rawName: string): Promise<OrganizationEntity> {
    const name = requireName(rawName, 'name', 200);
    return this.db.transaction(async (tx) => {
      const org = await tx.getRepository(OrganizationEntity).save(tx.getRepository(OrganizationEntity).create({ name }));
      await tx.getRepository(MembershipEntity).insert({ organizationId: org.id, userId: p.userId, role: OrgRole.OWNER });
      await recordAuditEvent(tx, {
        action: 'organization.created',
        actorId: p.userId,
        organizationId: org.id,
        ownerUserId: null,
        targetId: org.id,
        detail: `Created organization ${JSON.stringify(name)}`,
      });
      return org;
    });
  }

  /** The caller's membership in the organization, or NOT_FOUND when not a member. */
  async membership(p: UserPrincipal, rawOrgId: string, em: EntityManager = this.db.manager): Promise<MembershipEntity> {
    const organizationId = requireId(rawOrgId, 'organizationId');
    const m = await em.getRepository(MembershipEntity).findOne({
      where: { organizationId, userId: p.userId },
      relations: { organization: true },
    });
    if (!m) throw notFound('Organization');
    return m;
  }

  /**
   * The organization a completion (or a model list) is routed for: the caller's membership, as
   * `membership` checks it, or, while Postgres cannot be reached, the last successful check of
   * it up to OUTAGE_STALE_MAX old (issue 16); a membership not seen in that time is UNAVAILABLE.
   */
  async routingOrganization(p: UserPrincipal, rawOrgId: string): Promise<string> {
    const organizationId = requireId(rawOrgId, 'organizationId');
    const epoch = this.lastKnown.epoch;
    return this.gate.readOrLastKnown(
      async () => {
        try {
          await this.membership(p, organizationId, this.dataPathDb.manager);
        } catch (err) {
          if (!isPostgresUnreachable(err)) this.lastKnown.forget(p.userId, organizationId);
          throw err;
        }
        this.lastKnown.seen(p.userId, organizationId, epoch);
        return organizationId;
      },
      () => (this.lastKnown.known(p.userId, organizationId) ? organizationId : undefined),
      'Checking your organization membership',
    );
  }

  /** The caller's membership, and FORBIDDEN unless it has one of `roles`. */
  async requireRole(p: UserPrincipal, orgId: string, roles: readonly OrgRole[]): Promise<MembershipEntity> {
    const m = await this.membership(p, orgId);
    if (!roles.includes(m.role)) {
      throw forbidden(`This needs one of the roles ${roles.join(', ')} in the organization`);
    }
    return m;
  }

  /** The organization if the caller is a member, else null (the contract's nullable `organization`). */
  async find(p: UserPrincipal, rawOrgId: string): Promise<OrganizationEntity | null> {
    if (!isUuid(rawOrgId)) return null;
    const m = await this.db.getRepository(MembershipEntity).findOne({
      where: { organizationId: rawOrgId.toLowerCase(), userId: p.userId },
      relations: { organization: true },
    });
    return m?.organization ?? null;
  }

  members(organizationId: string): Promise<MembershipEntity[]> {
    return this.db.getRepository(MembershipEntity).find({
      where: { organizationId },
      relations: { user: true, organization: true },
      order: { createdAt: 'ASC' },
    });
  }

  /** Memberships of `userId` in organizations the viewer also belongs to (no leaking of other orgs). */
  visibleMemberships(viewerId: string, userId: string): Promise<MembershipEntity[]> {
    return this.db
      .getRepository(MembershipEntity)
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.organization', 'o')
      .innerJoinAndSelect('m.user', 'u')
      .innerJoin(MembershipEntity, 'viewer', 'viewer.organization_id = m.organization_id AND viewer.user_id = :viewerId', {
        viewerId,
      })
      .where('m.user_id = :userId', { userId })
      .orderBy('m.created_at', 'ASC')
      .getMany();
  }

  /** OWNER or ADMIN adds an existing user by email. Only an OWNER may grant OWNER. */
  async addMember(p: UserPrincipal, orgId: string, rawEmail: string, role: OrgRole): Promise<MembershipEntity> {
    const email = requireEmail(rawEmail);
    if (!Object.values(OrgRole).includes(role)) throw badInput('role is not a known organization role', 'role');
    const caller = await this.requireRole(p, orgId, MEMBERSHIP_ADMIN_ROLES);
    if (role === OrgRole.OWNER && caller.role !== OrgRole.OWNER) throw forbidden('Only an OWNER can add an OWNER');
    const user = await this.db.getRepository(UserEntity).findOneBy({ email });
    if (!user) throw notFound('User');
    await this.db.transaction(async (tx) => {
      const result = await tx
        .getRepository(MembershipEntity)
        .createQueryBuilder()
        .insert()
        .values({ organizationId: caller.organizationId, userId: user.id, role })
        .orIgnore()
        .execute();
      if (result.identifiers.length === 0 || result.raw.length === 0) {
        throw conflict('This user is already a member of the organization');
      }
      await recordAuditEvent(tx, {
        action: 'organization.member_added',
        actorId: p.userId,
        organizationId: caller.organizationId,
        ownerUserId: null,
        targetId: user.id,
        detail: `Added ${user.email} as ${role}`,
      });
    });
    const created = await this.db.getRepository(MembershipEntity).findOneOrFail({
      where: { organizationId: caller.organizationId, userId: user.id },
      relations: { user: true, organization: true },
    });
    return created;
  }

  /**
   * OWNER or ADMIN removes a member; anyone may remove themselves. The last OWNER cannot be
   * removed (the check and the delete run in one transaction with the owners locked).
   */
  async removeMember(p: UserPrincipal, orgId: string, rawUserId: string): Promise<boolean> {
    const userId = requireId(rawUserId, 'userId');
    const caller = await this.membership(p, orgId);
    if (userId !== p.userId && !MEMBERSHIP_ADMIN_ROLES.includes(caller.role)) {
      throw forbidden('Only an OWNER or ADMIN can remove other members');
    }
    await this.db.transaction(async (tx) => {
      const repo = tx.getRepository(MembershipEntity);
      const { owners, target } = await lockOwnersAndFind(tx, caller.organizationId, userId);
      if (target.role === OrgRole.OWNER && caller.role !== OrgRole.OWNER && userId !== p.userId) {
        throw forbidden('Only an OWNER can remove an OWNER');
      }
      if (target.role === OrgRole.OWNER && owners.length <= 1) {
        throw conflict('The last OWNER cannot be removed; make someone else OWNER first');
      }
      await repo.delete({ organizationId: caller.organizationId, userId });
      await recordAuditEvent(tx, {
        action: 'organization.member_removed',
        actorId: p.userId,
        organizationId: caller.organizationId,
        ownerUserId: null,
        targetId: userId,
        detail: userId === p.userId ? `Left the organization (was ${target.role})` : `Removed a member (was ${target.role})`,
      });
    });
    // After the commit: a check reading the row until then is voided by the epoch, not remembered.
    this.lastKnown.removed(userId, caller.organizationId);
    return true;
  }

  /** Changes a member's role. Only an OWNER grants or takes OWNER; the last OWNER cannot be demoted. */
  async changeRole(p: UserPrincipal, orgId: string, rawUserId: string, role: OrgRole): Promise<MembershipEntity> {
    const userId = requireId(rawUserId, 'userId');
    if (!Object.values(OrgRole).includes(role)) throw badInput('role is not a known organization role', 'role');
    const caller = await this.requireRole(p, orgId, MEMBERSHIP_ADMIN_ROLES);
    await this.db.transaction(async (tx) => {
      const repo = tx.getRepository(MembershipEntity);
      const { owners, target } = await lockOwnersAndFind(tx, caller.organizationId, userId);
      if ((role === OrgRole.OWNER || target.role === OrgRole.OWNER) && caller.role !== OrgRole.OWNER) {
        throw forbidden('Only an OWNER can grant or take the OWNER role');
      }
      if (target.role === OrgRole.OWNER && role !== OrgRole.OWNER && owners.length <= 1) {
        throw conflict('The last OWNER cannot be demoted; make someone else OWNER first');
      }
      if (target.role === role) return;
      await repo.update({ organizationId: caller.organizationId, userId }, { role });
      await recordAuditEvent(tx, {
        action: 'organization.role_changed',
        actorId: p.userId,
        organizationId: caller.organizationId,
        ownerUserId: null,
        targetId: userId,
        detail: `Changed role from ${target.role} to ${role}`,
      });
    });
    return this.db.getRepository(MembershipEntity).findOneOrFail({
      where: { organizationId: caller.organizationId, userId },
      relations: { user: true, organization: true },
    });
  }
}

/**
 * Locks the organization's OWNER rows (so two concurrent demotions cannot both pass the
 * last-owner check) and finds the member to change, or NOT_FOUND.
 */
async function lockOwnersAndFind(
  tx: EntityManager,
  organizationId: string,
  userId: string,
): Promise<{ owners: MembershipEntity[]; target: MembershipEntity }> {
  const repo = tx.getRepository(MembershipEntity);
  const owners = await repo
    .createQueryBuilder('m')
    .setLock('pessimistic_write')
    .where('m.organization_id = :orgId AND m.role = :owner', { orgId: organizationId, owner: OrgRole.OWNER })
    .getMany();
  const target = await repo.findOneBy({ organizationId, userId });
  if (!target) throw notFound('Member');
  return { owners, target };
}
