import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../../auth/principal';
import { perEvent } from '../../infra/per-event';
import { ByokKeyEntity } from '../byok-keys/byok-key.entity';
import { memberRoleLoader } from '../organizations/member-roles';
import type { KeyStatusEvent } from './key-status.service';

/**
 * The `byokKeyStatusChanged` fan-out: the owner check in memory against the key as stored and
 * the subscriber's membership as it is now. Per event and process: one read of the key, and for
 * an organization's key one batched read of its subscribers' memberships (it was two queries per
 * subscriber).
 */
export class KeyStatusLive {
  constructor(private readonly db: DataSource) {}

  async deliver(p: UserPrincipal, organizationId: string | null, e: KeyStatusEvent): Promise<ByokKeyEntity | undefined> {
    if (organizationId) {
      if (e.organizationId !== organizationId) return undefined;
      const role = await perEvent(e, 'member-roles', () => memberRoleLoader(this.db, organizationId)).load(p.userId);
      if (!role) return undefined;
    } else if (e.organizationId !== null || e.userId !== p.userId) return undefined;
    const key = await perEvent(e, 'key', () => this.db.getRepository(ByokKeyEntity).findOneBy({ id: e.keyId }));
    if (!key) return undefined;
    const owned = organizationId ? key.organizationId === organizationId : key.organizationId === null && key.userId === p.userId;
    return owned ? key : undefined;
  }
}
