import type { DataSource } from 'typeorm';
import { ByokKeyEntity } from '../byok-keys/byok-key.entity';
import { ownerRef, type KeyChanges, type OwnerRef } from '../byok-keys/key-changes';

/** Even with every notification delivered, an entry is reloaded after this long. */
const MAX_AGE_MS = 60_000;
const MAX_OWNERS = 50_000;

interface Entry {
  keys: readonly ByokKeyEntity[];
  loadedAt: number;
}

/**
 * An owner's BYOK keys (all providers, encrypted secret columns included), for routing. A
 * completion's route is decided from memory; the database round trip it replaces was most of
 * the time a gateway adds before the first token.
 *
 * Correctness over hit rate: entries are dropped on every change of the owner's keys (this
 * process's services right after commit, other processes through Postgres NOTIFY, see
 * key-changes.ts), everything is dropped whenever notifications may have been missed, and
 * nothing is cached while `trusted()` is false (the LISTEN connection is down). A load that
 * raced with a change is used for its own request but not kept. Rows are shared: read-only.
 */
export class OwnerKeys {
  private readonly entries = new Map<OwnerRef, Entry>();
  private readonly loading = new Map<OwnerRef, Promise<readonly ByokKeyEntity[]>>();
  /** Bumped per owner on a change, and for all owners (`epoch`) on a gap. */
  private readonly versions = new Map<OwnerRef, number>();
  private epoch = 0;

  constructor(
    private readonly db: DataSource,
    changes: KeyChanges,
    private readonly trusted: () => boolean,
  ) {
    changes.on((owner) => this.invalidate(owner));
  }

  /** The organization's keys when `organizationId` is set, else the user's personal keys. */
  keys(owner: { userId: string; organizationId: string | null }): Promise<readonly ByokKeyEntity[]> {
    const ref = ownerRef(owner);
    const hit = this.entries.get(ref);
    if (hit && Date.now() - hit.loadedAt < MAX_AGE_MS && this.trusted()) return Promise.resolve(hit.keys);
    let pending = this.loading.get(ref);
    if (!pending) {
      const started = this.load(ref, owner).finally(() => {
        if (this.loading.get(ref) === started) this.loading.delete(ref);
      });
      this.loading.set(ref, started);
      pending = started;
    }
    return pending;
  }

  private async load(ref: OwnerRef, owner: { userId: string; organizationId: string | null }): Promise<readonly ByokKeyEntity[]> {
    const version = this.versions.get(ref) ?? 0;
    const epoch = this.epoch;
    const repo = this.db.getRepository(ByokKeyEntity);
    const keys = owner.organizationId
      ? await repo.find({ where: { organizationId: owner.organizationId } })
      : await repo.createQueryBuilder('k').where('k.user_id = :uid AND k.organization_id IS NULL', { uid: owner.userId }).getMany();
    if (this.trusted() && epoch === this.epoch && version === (this.versions.get(ref) ?? 0)) {
      if (this.entries.size >= MAX_OWNERS) this.entries.delete(this.entries.keys().next().value as OwnerRef);
      this.entries.set(ref, { keys, loadedAt: Date.now() });
    }
    return keys;
  }

  private invalidate(owner: OwnerRef | null): void {
    if (owner === null || this.versions.size >= MAX_OWNERS) {
      this.epoch++;
      this.entries.clear();
      this.versions.clear();
      // A load in flight started before the gap: the next caller must not join it.
      this.loading.clear();
      return;
    }
    this.entries.delete(owner);
    this.loading.delete(owner);
    this.versions.set(owner, (this.versions.get(owner) ?? 0) + 1);
  }
}
