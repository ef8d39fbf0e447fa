import type { DataSource } from 'typeorm';
import type { RedisPubSub } from '../../infra/pubsub';
import type { Logger } from '../../infra/logger';
import { getProvider } from '../../providers/registry';
import type { AuditService } from '../audit/audit.service';
import { ByokKeyEntity } from '../byok-keys/byok-key.entity';
import { KeyStatus } from '../byok-keys/key-status';
import { ownerRef, type KeyChanges } from '../byok-keys/key-changes';

export const KEY_STATUS_TOPIC = 'key-status';

/** What `byokKeyStatusChanged` subscribers receive over Redis: ids only. */
export interface KeyStatusEvent {
  keyId: string;
  userId: string | null;
  organizationId: string | null;
  status: KeyStatus;
}

const AUDIT_ACTION: Record<KeyStatus, string> = {
  [KeyStatus.VALID]: 'byok_key.validated',
  [KeyStatus.INVALID]: 'byok_key.invalidated',
  [KeyStatus.UNREACHABLE]: 'byok_key.unreachable',
  [KeyStatus.PENDING]: 'byok_key.pending',
};

/**
 * The one place a key's status changes after validation or use. The secret version is part of
 * the UPDATE's WHERE clause, so a result computed for a replaced secret is never applied.
 */
export class KeyStatusService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly pubsub: RedisPubSub,
    private readonly logger: Logger,
    private readonly keyChanges: KeyChanges,
  ) {}

  /**
   * Applies a status to (key, secret version). Returns false when the key was replaced or
   * deleted meanwhile. A change of status writes an audit event and is published.
   */
  async apply(
    keyId: string,
    secretVersion: number,
    status: KeyStatus,
    lastError: string | null,
    reason: string,
  ): Promise<boolean> {
    const result = await this.db.transaction(async (tx) => {
      const before = await tx
        .getRepository(ByokKeyEntity)
        .findOne({ where: { id: keyId, secretVersion }, lock: { mode: 'pessimistic_write' } });
      if (!before) return undefined;
      await tx
        .getRepository(ByokKeyEntity)
        .update({ id: keyId, secretVersion }, { status, lastError, lastValidatedAt: new Date() });
      if (before.status !== status) {
        await this.audit.record(tx, {
          action: AUDIT_ACTION[status],
          actorId: null,
          organizationId: before.organizationId,
          ownerUserId: before.userId,
          targetId: keyId,
          provider: before.provider,
          detail: `${getProvider(before.provider).name} key ${before.hint}: ${before.status} → ${status} (${reason})`,
        });
      }
      return { changed: before.status !== status, key: before };
    });
    if (!result) return false;
    this.keyChanges.changed(ownerRef(result.key));
    if (result.changed) await this.publish({ keyId, userId: result.key.userId, organizationId: result.key.organizationId, status });
    return true;
  }

  private async publish(event: KeyStatusEvent): Promise<void> {
    await this.pubsub.publish(KEY_STATUS_TOPIC, event).catch((err: Error) => {
      // The status is committed; a lost notification only delays a dashboard refresh.
      this.logger.warn({ err: err.message, keyId: event.keyId }, 'could not publish key status change');
    });
  }
}
