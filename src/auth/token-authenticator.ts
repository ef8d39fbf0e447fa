import { timingSafeEqual } from 'node:crypto';
import { DataPathGate } from '../infra/data-path-gate';
import type { Principal } from './principal';
import type { TokenCache, TokenLookup } from './token-cache';
import { bearerToken, hashToken } from './tokens';

/** The stored side of a token, as the authenticator needs it. */
export interface StoredToken {
  id: string;
  userId: string;
  revokedAt: Date | null;
}

export interface TokenStore {
  findByHash(hash: string): Promise<StoredToken | null>;
  /** The token was used (lastUsedAt; the store decides how often to write). */
  used(tokenId: string): void;
}

/**
 * THE way a bearer token becomes a principal, for every transport (GraphQL over HTTP and
 * WebSocket, REST doors): parse, the admin token, then the cached lookup. Runs on every
 * operation, so a revoked token stops working on sockets that were opened before.
 *
 * When the lookup cannot reach Postgres, the token's last known lookup serves (TokenCache keeps
 * it for OUTAGE_STALE_MAX); a token not seen in that time is refused with UNAVAILABLE (retryable,
 * dependency postgres), which each transport maps once: graphql-ws closes with 1013, HTTP
 * GraphQL and the REST doors answer 503 with `retry-after`.
 */
export class TokenAuthenticator {
  constructor(
    private readonly store: TokenStore,
    private readonly cache: TokenCache,
    private readonly adminToken: string | undefined,
    /** Fails the lookup fast right after Postgres was found unreachable (then the last known lookup serves). */
    private readonly gate = new DataPathGate(),
  ) {}

  async authenticate(header: unknown): Promise<Principal> {
    if (header === undefined || header === null || header === '') {
      return { kind: 'anonymous', reason: 'A valid API token is required (Authorization: Bearer <token>)' };
    }
    const token = bearerToken(header);
    if (!token) return { kind: 'anonymous', reason: 'Malformed Authorization header: expected "Bearer <token>"' };
    if (this.adminToken && safeEqual(token, this.adminToken)) return { kind: 'admin' };
    const hash = hashToken(token);
    let lookup = this.cache.get(hash);
    if (!lookup) {
      const epoch = this.cache.epoch;
      lookup = await this.read(hash, epoch);
    }
    if (lookup.kind === 'user') this.store.used(lookup.tokenId);
    return lookup;
  }

  private read(hash: string, epoch: number): Promise<TokenLookup> {
    return this.gate.readOrLastKnown(
      async () => {
        const lookup = toLookup(await this.store.findByHash(hash));
        this.cache.set(hash, lookup, epoch);
        return lookup;
      },
      () => this.cache.lastKnown(hash),
      'Checking this API token',
    );
  }
}

function toLookup(row: StoredToken | null): TokenLookup {
  if (!row) return { kind: 'anonymous', reason: 'Unknown API token' };
  if (row.revokedAt) return { kind: 'anonymous', reason: 'This API token was revoked' };
  return { kind: 'user', userId: row.userId, tokenId: row.id };
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
