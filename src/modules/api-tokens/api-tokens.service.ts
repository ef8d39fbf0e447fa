import { timingSafeEqual } from 'node:crypto';
import { IsNull, type DataSource, type Repository } from 'typeorm';
import { bearerToken, generateToken, hashToken } from '../../auth/tokens';
import type { Principal, UserPrincipal } from '../../auth/principal';
import { notFound } from '../../errors/app-error';
import type { Logger } from '../../infra/logger';
import { ApiTokenEntity } from './api-token.entity';
import { requireName } from '../../errors/validate';
import { recordAuditEvent } from '../audit/audit-record';

/** Refresh lastUsedAt at most this often per token: one write per minute, not per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class ApiTokensService {
  private readonly repo: Repository<ApiTokenEntity>;

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly adminToken: string | undefined,
  ) {
    this.repo = db.getRepository(ApiTokenEntity);
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

  /** Revokes one of the caller's own tokens; someone else's is NOT_FOUND. Idempotent. */
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
      if (!token.revokedAt) return this.repo.findOneOrFail({ where: { id, userId } });
    }
    return token;
  }

  /** Resolves the Authorization header (or graphql-ws connectionParams value) to a principal. */
  async authenticate(header: unknown): Promise<Principal> {
    if (header === undefined || header === null || header === '') {
      return { kind: 'anonymous', reason: 'A valid API token is required (Authorization: Bearer <token>)' };
    }
    const token = bearerToken(header);
    if (!token) return { kind: 'anonymous', reason: 'Malformed Authorization header: expected "Bearer <token>"' };
    if (this.adminToken && safeEqual(token, this.adminToken)) return { kind: 'admin' };
    const row = await this.repo.findOne({ where: { tokenHash: hashToken(token) } });
    if (!row) return { kind: 'anonymous', reason: 'Unknown API token' };
    if (row.revokedAt) return { kind: 'anonymous', reason: 'This API token was revoked' };
    this.touch(row);
    return { kind: 'user', userId: row.userId, tokenId: row.id } satisfies UserPrincipal;
  }

  private touch(row: ApiTokenEntity): void {
    const now = Date.now();
    if (row.lastUsedAt && now - row.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    this.repo.update({ id: row.id }, { lastUsedAt: new Date(now) }).catch((err: unknown) => {
      this.logger.warn({ err, tokenId: row.id }, 'could not record token use');
    });
  }
}

/** Token events belong to the user's personal trail; the actor is the user themselves. */
function tokenEvent(action: string, userId: string, token: ApiTokenEntity, detail: string) {
  return { action, actorId: userId, organizationId: null, ownerUserId: userId, targetId: token.id, detail };
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
