/** Most (user, organization) pairs remembered; the oldest goes first. */
const MAX_ENTRIES = 50_000;

/**
 * The organizations each user was last seen to be a member of, for routing through a Postgres
 * outage (issue 16): a completion in an organization's context checks the membership with a
 * query, which fails while Postgres is away. The last successful check serves for `staleMaxMs`
 * (no membership can change while writes fail); a removal made by this process forgets it at
 * once. Bounded: anyone can name organizations, but only a successful check is remembered.
 *
 * A check that read the membership before a removal committed must not remember it after the
 * removal forgot it (an active member's request racing its removal): `seen` takes the `epoch`
 * read before the query, and any removal since voids it, as TokenCache does for revocations.
 */
export class LastKnownMemberships {
  private readonly seenAt = new Map<string, number>();
  /** Bumped by every removal. */
  private removals = 0;

  constructor(
    private readonly staleMaxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Take before reading the membership; pass to `seen`. */
  get epoch(): number {
    return this.removals;
  }

  /** The membership was just read from the database, by a query started at `epoch`. */
  seen(userId: string, organizationId: string, epoch: number): void {
    if (epoch !== this.removals) return;
    const k = key(userId, organizationId);
    this.seenAt.delete(k);
    if (this.seenAt.size >= MAX_ENTRIES) this.seenAt.delete(this.seenAt.keys().next().value as string);
    this.seenAt.set(k, this.now());
  }

  /** Whether the user was a member of the organization less than `staleMaxMs` ago. */
  known(userId: string, organizationId: string): boolean {
    const k = key(userId, organizationId);
    const at = this.seenAt.get(k);
    if (at === undefined) return false;
    if (this.now() - at < this.staleMaxMs) return true;
    this.seenAt.delete(k);
    return false;
  }

  /** A check found no membership: nothing to serve in an outage. */
  forget(userId: string, organizationId: string): void {
    this.seenAt.delete(key(userId, organizationId));
  }

  /** The membership was removed (call once the removal committed): forgotten, and checks in flight void. */
  removed(userId: string, organizationId: string): void {
    this.removals++;
    this.forget(userId, organizationId);
  }
}

function key(userId: string, organizationId: string): string {
  return `${userId}:${organizationId}`;
}
