import type { DataSource } from 'typeorm';
import type { Keyring } from '../../crypto/envelope';
import { ByokKeyEntity } from './byok-key.entity';
import { rewrapRow } from './key-secrets';

export interface RewrapReport {
  rewrapped: number;
  /** Rows whose master key is not in the keyring, or whose ciphertext fails to authenticate. */
  failed: Array<{ id: string; masterKeyId: string; reason: string }>;
  alreadyCurrent: number;
}

/**
 * Moves every key's data key to the active master key, in batches, each batch its own
 * transaction. Resumable: a re-run picks up exactly the rows still wrapped by an older key.
 * The secret itself is never re-encrypted, only its data key re-wrapped.
 */
export async function rewrapAllKeys(
  db: DataSource,
  keyring: Keyring,
  opts: { batchSize?: number; onBatch?: (done: number) => void } = {},
): Promise<RewrapReport> {
  const batchSize = opts.batchSize ?? 100;
  const active = keyring.activeKeyId;
  const report: RewrapReport = { rewrapped: 0, failed: [], alreadyCurrent: 0 };
  report.alreadyCurrent = await db.getRepository(ByokKeyEntity).countBy({ masterKeyId: active });
  let lastId = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const rows = await tx
        .getRepository(ByokKeyEntity)
        .createQueryBuilder('k')
        .where('k.master_key_id <> :active AND k.id > :lastId', { active, lastId })
        .orderBy('k.id', 'ASC')
        .limit(batchSize)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const row of rows) {
        try {
          const sealed = rewrapRow(keyring, row);
          await tx.getRepository(ByokKeyEntity).update({ id: row.id }, sealed);
          report.rewrapped++;
        } catch (err) {
          report.failed.push({ id: row.id, masterKeyId: row.masterKeyId, reason: (err as Error).message });
        }
      }
      return rows;
    });
    if (batch.length === 0) break;
    lastId = batch[batch.length - 1]!.id;
    opts.onBatch?.(report.rewrapped);
  }
  return report;
}
