import type { DataSource } from 'typeorm';
import type { Logger } from '../infra/logger';
import { ByokKeyEntity } from '../modules/byok-keys/byok-key.entity';
import { KeyStatus } from '../modules/byok-keys/key-status';
import type { ValidationService } from '../modules/validation/validation.service';

const BATCH = 500;
const ORPHAN_MIN_AGE_MS = 5000;

/**
 * Re-queues keys left PENDING (for instance added while Redis was down). Queueing a key that
 * already has a live job collapses into it (deduplication), so this is safe to run anywhere,
 * any time. Keys younger than `graceMs` are left to their own job.
 */
export async function reconcilePending(
  db: DataSource,
  validation: ValidationService,
  logger: Logger,
  graceMs: number,
): Promise<number> {
  const keys = await db
    .getRepository(ByokKeyEntity)
    .createQueryBuilder('k')
    .select(['k.id', 'k.secretVersion', 'k.provider', 'k.userId', 'k.organizationId', 'k.createdBy'])
    .where('k.status = :pending AND k.updated_at < :before', {
      pending: KeyStatus.PENDING,
      before: new Date(Date.now() - graceMs),
    })
    .orderBy('k.updated_at', 'ASC')
    .limit(BATCH)
    .getMany();
  // Long enough that a row being queued right now is never mistaken for an orphan.
  const swept = await validation.sweepOrphans(Math.max(graceMs, ORPHAN_MIN_AGE_MS));
  if (swept > 0) logger.warn({ swept }, 'marked validation rows whose job never reached the queue as DISCARDED');
  let queued = 0;
  for (const key of keys) {
    const row = await validation.enqueue(key, 'reconcile');
    if (row.trigger === 'reconcile') queued++;
  }
  if (queued > 0) logger.info({ queued, pending: keys.length }, 'reconciler queued pending keys');
  return queued;
}

/** Revalidates enabled keys whose last validation is older than `revalidateAfterMs`. */
export async function revalidateStale(
  db: DataSource,
  validation: ValidationService,
  logger: Logger,
  revalidateAfterMs: number,
): Promise<number> {
  const keys = await db
    .getRepository(ByokKeyEntity)
    .createQueryBuilder('k')
    .select(['k.id', 'k.secretVersion', 'k.provider', 'k.userId', 'k.organizationId', 'k.createdBy'])
    .where('k.enabled AND k.status <> :pending AND k.last_validated_at < :before', {
      pending: KeyStatus.PENDING,
      before: new Date(Date.now() - revalidateAfterMs),
    })
    .orderBy('k.last_validated_at', 'ASC')
    .limit(BATCH)
    .getMany();
  for (const key of keys) await validation.enqueue(key, 'scheduled');
  if (keys.length > 0) logger.info({ queued: keys.length }, 'scheduled revalidation of stale keys');
  return keys.length;
}
