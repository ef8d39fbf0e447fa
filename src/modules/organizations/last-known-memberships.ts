/** Most (user, organization) pairs remembered; the oldest goes first. */
const MAX_ENTRIES = 50_000;

/**
 * The organizations each user was last seen to be a member of, for routing through a Postgres
 * outage (issue 16): a completion in an organization's context checks the membership with a
 * query, which fails while Postgres is away. The last successful check serves for `staleMaxMs`
 * (no membership can change while writes fail); a removal made by this process forgets it at
 * once. Bounded: anyone can name organizations, but only a successful check is remembered.
 */
export class LastKnownMemberships {
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly staleMaxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The membership was just read from the database. */
  seen(userId: string, organizationId: string): void {
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

  forget(userId: string, organizationId: string): void {
    this.seenAt.delete(key(userId, organizationId));
  }
}

function key(userId: string, organizationId: string): string {
  return `${userId}:${organizationId}`;
}
