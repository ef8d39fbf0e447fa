import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { UserPrincipal } from '../../auth/principal';
import type { Keyring } from '../../crypto/envelope';
import { credentialHint } from '../../crypto/hint';
import { conflict, forbidden, notFound } from '../../errors/app-error';
import { isUuid, requireId } from '../../errors/validate';
import { isUniqueViolation } from '../../infra/pg-errors';
import type { Logger } from '../../infra/logger';
import { getProvider } from '../../providers/registry';
import type { ProviderId } from '../../providers/types';
import type { AuditService } from '../audit/audit.service';
import { MANAGER_ROLES } from '../organizations/org-role';
import type { OrganizationsService } from '../organizations/organizations.service';
import { ByokKeyEntity } from './byok-key.entity';
import { parseCredential, type RawCredentialInput } from './credential-input';
import { KeyStatus } from './key-status';
import { sealCredential } from './key-secrets';
import { ownerRef, type KeyChanges } from './key-changes';

/** Told after a commit that a key's secret is new and needs validating (the validation queue). */
export interface SecretChangeListener {
  secretChanged(key: ByokKeyEntity, trigger: 'created' | 'updated'): Promise<void>;
}

export interface AddKeyInput extends RawCredentialInput {
  organizationId?: string | null;
  provider: ProviderId;
}

export interface UpdateKeyInput extends RawCredentialInput {
  id: string;
}

/**
 * Stores, lists, replaces, enables/disables and deletes BYOK keys. Reads are scoped by owner in
 * the query; managing an organization's keys takes OWNER, ADMIN or BILLING_MANAGER, and a MEMBER
 * may only list. Every change writes its audit event in the same transaction.
 */
export class ByokKeysService {
  private listener: SecretChangeListener | undefined;

  constructor(
    private readonly db: DataSource,
    private readonly keyring: Keyring,
    private readonly organizations: OrganizationsService,
    private readonly audit: AuditService,
    private readonly logger: Logger,
    private readonly keyChanges: KeyChanges,
  ) {}

  /** Wired at boot by the validation module (keys do not depend on queues). */
  onSecretChanged(listener: SecretChangeListener): void {
    this.listener = listener;
  }

  async add(p: UserPrincipal, input: AddKeyInput): Promise<ByokKeyEntity> {
    const provider = getProvider(input.provider);
    const organizationId = input.organizationId
      ? (await this.organizations.requireRole(p, input.organizationId, MANAGER_ROLES)).organizationId
      : null;
    const credential = parseCredential(provider, input);
    const row = new ByokKeyEntity();
    Object.assign(row, {
      id: randomUUID(),
      userId: organizationId ? null : p.userId,
      organizationId,
      provider: provider.id,
      status: KeyStatus.PENDING,
      enabled: true,
      hint: credentialHint(credential),
      secretVersion: 1,
      lastValidatedAt: null,
      lastError: null,
      lastUsedAt: null,
      createdBy: p.userId,
    });
    Object.assign(row, sealCredential(this.keyring, row, credential));
    let saved: ByokKeyEntity;
    try {
      saved = await this.db.transaction(async (tx) => {
        const inserted = await tx.getRepository(ByokKeyEntity).save(row);
        await this.recordAudit(tx, p, inserted, 'byok_key.created', `Added ${provider.name} key ${inserted.hint}`);
        return inserted;
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw conflict(
          `${organizationId ? 'This organization' : 'You'} already ${organizationId ? 'has' : 'have'} a ${provider.name} key; update it instead`,
        );
      }
      throw err;
    }
    this.keyChanges.changed(ownerRef(saved));
    await this.notify(saved, 'created');
    return saved;
  }

  /** Replaces the secret: new version, status PENDING, validation queued. */
  async update(p: UserPrincipal, input: UpdateKeyInput): Promise<ByokKeyEntity> {
    const existing = await this.forManage(p, input.id);
    const provider = getProvider(existing.provider);
    const credential = parseCredential(provider, input);
    const saved = await this.db.transaction(async (tx) => {
      const repo = tx.getRepository(ByokKeyEntity);
      // Lock the row so concurrent updates get distinct secret versions.
      const row = await repo.findOne({ where: { id: existing.id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw notFound('BYOK key');
      Object.assign(row, sealCredential(this.keyring, row, credential), {
        hint: credentialHint(credential),
        secretVersion: row.secretVersion + 1,
        status: KeyStatus.PENDING,
        lastError: null,
      });
      const updated = await repo.save(row);
      await this.recordAudit(tx, p, updated, 'byok_key.updated', `Replaced ${provider.name} key secret, now ${updated.hint}`);
      return updated;
    });
    this.keyChanges.changed(ownerRef(saved));
    await this.notify(saved, 'updated');
    return saved;
  }

  async setEnabled(p: UserPrincipal, id: string, enabled: boolean): Promise<ByokKeyEntity> {
    const row = await this.forManage(p, id);
    if (row.enabled === enabled) return row; // nothing changes, nothing is recorded
    const saved = await this.db.transaction(async (tx) => {
      await tx.getRepository(ByokKeyEntity).update({ id: row.id }, { enabled });
      const updated = await tx.getRepository(ByokKeyEntity).findOneByOrFail({ id: row.id });
      const name = getProvider(row.provider).name;
      await this.recordAudit(
        tx,
        p,
        updated,
        enabled ? 'byok_key.enabled' : 'byok_key.disabled',
        `${enabled ? 'Enabled' : 'Disabled'} ${name} key ${row.hint}`,
      );
      return updated;
    });
    this.keyChanges.changed(ownerRef(saved));
    return saved;
  }

  async delete(p: UserPrincipal, id: string): Promise<string> {
    const row = await this.forManage(p, id);
    await this.db.transaction(async (tx) => {
      await tx.getRepository(ByokKeyEntity).delete({ id: row.id });
      await this.recordAudit(tx, p, row, 'byok_key.deleted', `Deleted ${getProvider(row.provider).name} key ${row.hint}`);
    });
    this.keyChanges.changed(ownerRef(row));
    return row.id;
  }

  /** Personal keys (no organizationId) or the organization's (any member may list). */
  async list(p: UserPrincipal, organizationId?: string | null): Promise<ByokKeyEntity[]> {
    const repo = this.db.getRepository(ByokKeyEntity);
    if (organizationId) {
      const m = await this.organizations.membership(p, organizationId);
      return repo.find({ where: { organizationId: m.organizationId }, order: { createdAt: 'ASC' } });
    }
    return repo
      .createQueryBuilder('k')
      .where('k.user_id = :uid AND k.organization_id IS NULL', { uid: p.userId })
      .orderBy('k.created_at', 'ASC')
      .getMany();
  }

  /** A key the caller may see (owner, or member of its organization), else null. */
  async find(p: UserPrincipal, id: string): Promise<ByokKeyEntity | null> {
    if (!isUuid(id)) return null;
    return this.visibleQuery(p).andWhere('k.id = :id', { id: id.toLowerCase() }).getOne();
  }

  /** Of `ids`, the keys the caller may see, in one query (batched field resolvers). */
  async findVisible(p: UserPrincipal, ids: readonly string[]): Promise<ByokKeyEntity[]> {
    const valid = ids.filter((id) => isUuid(id)).map((id) => id.toLowerCase());
    if (valid.length === 0) return [];
    return this.visibleQuery(p).andWhere('k.id IN (:...ids)', { ids: valid }).getMany();
  }

  /** The key for a management operation: NOT_FOUND if invisible, FORBIDDEN for a MEMBER. */
  async forManage(p: UserPrincipal, rawId: string): Promise<ByokKeyEntity> {
    const id = requireId(rawId, 'id');
    const row = await this.visibleQuery(p).andWhere('k.id = :id', { id }).getOne();
    if (!row) throw notFound('BYOK key');
    if (row.organizationId) {
      const m = await this.organizations.membership(p, row.organizationId);
      if (!MANAGER_ROLES.includes(m.role)) {
        throw forbidden('Managing organization keys takes OWNER, ADMIN or BILLING_MANAGER');
      }
    }
    return row;
  }

  /** Keys the caller owns personally, or that belong to an organization the caller is in. */
  private visibleQuery(p: UserPrincipal) {
    return this.db
      .getRepository(ByokKeyEntity)
      .createQueryBuilder('k')
      .where(
        '((k.organization_id IS NULL AND k.user_id = :uid) OR k.organization_id IN ' +
          '(SELECT m.organization_id FROM memberships m WHERE m.user_id = :uid))',
        { uid: p.userId },
      );
  }

  private recordAudit(tx: EntityManager, p: UserPrincipal, key: ByokKeyEntity, action: string, detail: string) {
    return this.audit.record(tx, {
      action,
      actorId: p.userId,
      organizationId: key.organizationId,
      ownerUserId: key.userId,
      targetId: key.id,
      provider: key.provider,
      detail,
    });
  }

  /** Never fails the mutation: the key is stored; the reconciler queues what was not queued. */
  private async notify(key: ByokKeyEntity, trigger: 'created' | 'updated'): Promise<void> {
    if (!this.listener) return;
    try {
      await this.listener.secretChanged(key, trigger);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, keyId: key.id }, 'could not queue validation; the reconciler will');
    }
  }
}
