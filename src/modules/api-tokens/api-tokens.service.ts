import { DataPathGate } from '../../infra/data-path-gate';
import { IsNull, type DataSource, type Repository } from 'typeorm';
import { generateToken } from '../../auth/tokens';
import type { Principal } from '../../auth/principal';
import { TokenAuthenticator, type StoredToken, type TokenStore } from '../../auth/token-authenticator';
import type { TokenCache } from '../../auth/token-cache';
import type { TokenRevocations } from '../../auth/token-revocations';
import { notFound } from '../../errors/app-error';
import type { Logger } from '../../infra/logger';
import { ApiTokenEntity } from './api-token.entity';
import { requireName } from '../../errors/validate';
import { recordAuditEvent } from '../audit/audit-record';

/** Refresh lastUsedAt at most this often per token: one write per minute, not per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class ApiTokensService implements TokenStore {
  private readonly repo: Repository<ApiTokenEntity>;
  /** Token checks read here: the data path's pool, bounded (infra/database.ts). */
  private readonly lookups: Repository<ApiTokenEntity>;
  private readonly authenticator: TokenAuthenticator;
  /** tokenId → when this process last wrote its lastUsedAt. */
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    adminToken: string | undefined,
    private readonly auth: { cache: TokenCache; revocations: TokenRevocations },
    dataPathDb: DataSource = db,
    gate = new DataPathGate(),
  ) {
    this.repo = db.getRepository(ApiTokenEntity);
    this.lookups = dataPathDb.getRepository(ApiTokenEntity);
    this.authenticator = new TokenAuthenticator(this, auth.cache, adminToken, gate);
    auth.revocations.onRevoked((tokenId) => auth.cache.forgetToken(tokenId));
  }

  /** Creates a token for the user; the returned `token` is the only time it is visible. */
  async create(userId: string, rawName: string): Promise<{ token: string; apiToken: ApiTokenEntity }> {
    const name = requireName(rawName, 'name', 100);
    const t = generateToken();
    const apiToken = await this.db.transaction(async (tx) => {
      const repo = tx.getRepository(ApiTokenEntity);
      const row = await repo.save(repo.create({ userId, name, prefix: t.prefix, tokenHash: t.hash, lastUsedAt: null, revokedAt: null }));
      await recordAuditEvent(tx, tokenEvent('api_token.created', userId, row, `Created API token ${JSON.stringify(name)} (${row.prefix}…)`));
      return row;
    });
    return { token: t.token, apiToken };
  }

  list(userId: string): Promise<ApiTokenEntity[]> {
    return this.repo.find({ where: { userId }, order: { createdAt: 'DESC' } });
  }

  /**
   * Revokes one of the caller's own tokens; someone else's is NOT_FOUND. Idempotent. Every
   * instance drops the token from its cache and closes its open sockets (4403).
   */
  async revoke(userId: string, id: string): Promise<ApiTokenEntity> {
    const token = await this.repo.findOne({ where: { id, userId } });
    if (!token) throw notFound('API token');
    if (!token.revokedAt) {
      const revokedAt = new Date();
      await this.db.transaction(async (tx) => {
        // Only the call that actually revokes writes the event (two racing revokes: one event).
        const result = await tx.getRepository(ApiTokenEntity).update({ id, revokedAt: IsNull() }, { revokedAt });
        if (!result.affected) return;
        token.revokedAt = revokedAt;
        await recordAuditEvent(tx, tokenEvent('api_token.revoked', userId, token, `Revoked API token ${JSON.stringify(token.name)} (${token.prefix}…)`));
      });
    }
    // Announced again on a repeated revoke too: a first announcement may have been lost.
    await this.auth.revocations.revoked(token.id);
    // A racing revoke won: its time is the one stored.
    if (!token.revokedAt) return this.repo.findOneOrFail({ where: { id, userId } });
    return token;
  }

  /**
   * Resolves the Authorization header (or graphql-ws connectionParams value) to a principal,
   * through the in-memory cache: cheap enough to run on every operation.
   */
  authenticate(header: unknown): Promise<Principal> {
    return this.authenticator.authenticate(header);
  }

  findByHash(hash: string): Promise<StoredToken | null> {
    return this.lookups.findOne({ where: { tokenHash: hash }, select: { id: true, userId: true, revokedAt: true } });
  }

  /** Writes lastUsedAt at most once a minute per token, and never makes the caller wait. */
  used(tokenId: string): void {
    const now = Date.now();
    const last = this.lastTouched.get(tokenId);
    if (last !== undefined && now - last < LAST_USED_RESOLUTION_MS) return;
    // Forget old entries wholesale rather than track ages: the cost is one extra write per token.
    if (this.lastTouched.size >= 10_000) this.lastTouched.clear();
    this.lastTouched.set(tokenId, now);
    this.repo.update({ id: tokenId }, { lastUsedAt: new Date(now) }).catch((err: unknown) => {
      this.logger.warn({ err, tokenId }, 'could not record token use');
    });
  }
}

/** Token events belong to the user's personal trail; the actor is the user themselves. */
function tokenEvent(action: string, userId: string, token: ApiTokenEntity, detail: string) {
  return { action, actorId: userId, organizationId: null, ownerUserId: userId, targetId: token.id, detail };
}
