import type { DataSource } from 'typeorm';
import { DataPathGate } from '../../infra/data-path-gate';
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
 *
 * Through a Postgres outage (issue 16) the last known keys of an owner still route for
 * `staleMaxMs`: no key can change while the database is down (writes fail), and a change heard
 * before the outage already dropped them. A gap in notifications empties the trusted cache but
 * keeps this last known state, which is used only when a load cannot reach Postgres.
 */
export class OwnerKeys {
  private readonly entries = new Map<OwnerRef, Entry>();
  /** The last load of each owner, kept across notification gaps, for a database outage. */
  private readonly lastKnown = new Map<OwnerRef, Entry>();
  private readonly loading = new Map<OwnerRef, Promise<readonly ByokKeyEntity[]>>();
  /** Bumped per owner on a change, and for all owners (`epoch`) on a gap. */
  private readonly versions = new Map<OwnerRef, number>();
  private epoch = 0;

  constructor(
    private readonly db: DataSource,
    changes: KeyChanges,
    private readonly trusted: () => boolean,
    private readonly staleMaxMs: number,
    /** Owners tracked at most (entries, last known state, versions); past it a change drops all. */
    private readonly maxOwners = MAX_OWNERS,
    private readonly gate = new DataPathGate(),
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
    return this.gate.readOrLastKnown(
      async () => {
        const keys = owner.organizationId
          ? await repo.find({ where: { organizationId: owner.organizationId } })
          : await repo.createQueryBuilder('k').where('k.user_id = :uid AND k.organization_id IS NULL', { uid: owner.userId }).getMany();
        if (version === (this.versions.get(ref) ?? 0)) remember(this.lastKnown, ref, keys, this.maxOwners);
        if (this.trusted() && epoch === this.epoch && version === (this.versions.get(ref) ?? 0)) remember(this.entries, ref, keys, this.maxOwners);
        return keys;
      },
      () => {
        const known = this.lastKnown.get(ref);
        return known && Date.now() - known.loadedAt < this.staleMaxMs ? known.keys : undefined;
      },
      'Routing for this key owner',
    );
  }

  private invalidate(owner: OwnerRef | null): void {
    if (owner === null || this.versions.size >= this.maxOwners) {
      // The changed owner's last known keys go too: served through an outage, they would bring
      // back a key disabled or deleted just now.
      if (owner !== null) this.lastKnown.delete(owner);
      this.epoch++;
      this.entries.clear();
      this.versions.clear();
      // A load in flight started before the gap: the next caller must not join it.
      this.loading.clear();
      return;
    }
    this.entries.delete(owner);
    this.lastKnown.delete(owner);
    this.loading.delete(owner);
    this.versions.set(owner, (this.versions.get(owner) ?? 0) + 1);
  }
}

function remember(map: Map<OwnerRef, Entry>, ref: OwnerRef, keys: readonly ByokKeyEntity[], maxOwners: number): void {
  if (map.size >= maxOwners && !map.has(ref)) map.delete(map.keys().next().value as OwnerRef);
  map.set(ref, { keys, loadedAt: Date.now() });
}
