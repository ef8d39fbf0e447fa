import type { Principal, UserPrincipal } from './principal';

/** What a token hash resolved to: a user, or why it was refused (unknown, revoked). */
export type TokenLookup = UserPrincipal | Extract<Principal, { kind: 'anonymous' }>;

interface Entry {
  lookup: TokenLookup;
  /** When the database said so. */
  readAt: number;
}

/**
 * Token hash → principal, in memory, for `ttlMs`, so checking the principal on every operation
 * (every WebSocket subscribe, every HTTP request) costs no SQL. Refusals are cached too: a client
 * retrying a bad token in a loop would otherwise cost a query each time. Bounded by `maxEntries`
 * (oldest first out), since anyone can present random tokens. Revocation removes a token's entry
 * at once (`forgetToken`); the TTL only bounds how long a lost revocation message goes unheard.
 *
 * An expired entry is not used by `get`, but is kept (within the same bound) as the token's last
 * known lookup for `staleMaxMs` after its read: while Postgres cannot be reached the
 * authenticator serves it (`lastKnown`) instead of failing (issue 16). That is safe for the
 * same reason as routing's last known keys: no token can be created or revoked while writes
 * fail, and a revocation heard before (Redis pub/sub, which does not need Postgres) removed it.
 *
 * Users' lookups and refusals are bounded apart (`maxEntries` each): anyone can present random
 * tokens, and in one shared bound a burst of them pushed the users' last known lookups out just
 * when an outage would need them.
 */
export class TokenCache {
  /** Users' lookups. */
  private readonly entries = new Map<string, Entry>();
  /** Refused tokens (unknown, revoked). */
  private readonly refusals = new Map<string, Entry>();
  /** tokenId → hash of the cached user entry, for revocation by id. */
  private readonly hashByTokenId = new Map<string, string>();
  /** Bumped by every revocation: a lookup that started before one must not cache what it read. */
  private revocations = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
    private readonly staleMaxMs = 0,
  ) {}

  get(hash: string): TokenLookup | undefined {
    const e = this.entry(hash);
    if (!e) return undefined;
    const age = this.now() - e.readAt;
    if (age < this.ttlMs) return e.lookup;
    if (age >= this.staleMaxMs) this.delete(hash, e);
    return undefined;
  }

  /** The lookup last read for `hash`, expired or not, when it is younger than `staleMaxMs`. */
  lastKnown(hash: string): TokenLookup | undefined {
    const e = this.entry(hash);
    if (!e) return undefined;
    if (this.now() - e.readAt < Math.max(this.staleMaxMs, this.ttlMs)) return e.lookup;
    this.delete(hash, e);
    return undefined;
  }

  /** Take before reading the database; pass to `set`. */
  get epoch(): number {
    return this.revocations;
  }

  /** Caches a lookup unless a revocation happened since `epoch` (the row read may be stale). */
  set(hash: string, lookup: TokenLookup, epoch: number): void {
    if (epoch !== this.revocations) return;
    const old = this.entry(hash);
    if (old) this.delete(hash, old);
    const map = this.mapOf(lookup);
    while (map.size >= this.maxEntries) {
      const [oldestHash, oldest] = map.entries().next().value as [string, Entry];
      this.delete(oldestHash, oldest);
    }
    map.set(hash, { lookup, readAt: this.now() });
    if (lookup.kind === 'user') this.hashByTokenId.set(lookup.tokenId, hash);
  }

  /** Drops a token's entry, last known state included (it was revoked): the next use reads the database. */
  forgetToken(tokenId: string): void {
    this.revocations++;
    const hash = this.hashByTokenId.get(tokenId);
    const e = hash === undefined ? undefined : this.entries.get(hash);
    if (hash !== undefined && e) this.delete(hash, e);
    this.hashByTokenId.delete(tokenId);
  }

  get size(): number {
    return this.entries.size + this.refusals.size;
  }

  private entry(hash: string): Entry | undefined {
    return this.entries.get(hash) ?? this.refusals.get(hash);
  }

  private mapOf(lookup: TokenLookup): Map<string, Entry> {
    return lookup.kind === 'user' ? this.entries : this.refusals;
  }

  private delete(hash: string, e: Entry): void {
    this.mapOf(e.lookup).delete(hash);
    if (e.lookup.kind === 'user' && this.hashByTokenId.get(e.lookup.tokenId) === hash) this.hashByTokenId.delete(e.lookup.tokenId);
  }
}
