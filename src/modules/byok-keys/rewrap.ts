import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import type { Keyring } from '../../crypto/envelope';
import { isLockNotAvailable } from '../../infra/pg-errors';
import { ByokKeyEntity } from './byok-key.entity';
import { rewrapRow } from './key-secrets';

export interface RewrapReport {
  rewrapped: number;
  /**
   * Every row still not under the active master key when the run ended, and why: its master key
   * is not in the keyring, its ciphertext fails to authenticate, another transaction held it
   * locked past every retry, or it changed under the run. Empty means the old keys can go.
   */
  failed: Array<{ id: string; masterKeyId: string; reason: string }>;
  alreadyCurrent: number;
}

export interface RewrapOptions {
  batchSize?: number;
  onBatch?: (done: number) => void;
  /** How long one attempt waits for a row lock (Postgres `lock_timeout`). Default 5 s. */
  lockTimeoutMs?: number;
  /** Attempts per batch (then per row) before a locked row is reported. Default 5. */
  lockAttempts?: number;
  /** Pause between attempts. Default 1 s. */
  retryDelayMs?: number;
}

/**
 * Moves every key's data key to the active master key, in batches, each batch its own
 * transaction. Resumable: a re-run picks up exactly the rows still wrapped by an older key.
 * The secret itself is never re-encrypted, only its data key re-wrapped.
 *
 * Rows locked by another transaction (a key being updated right now) are waited for and retried,
 * never skipped: the README's next step is removing the old master key, which would make a
 * skipped row undecryptable. Whatever still is not under the active key at the end is reported.
 */
export async function rewrapAllKeys(db: DataSource, keyring: Keyring, opts: RewrapOptions = {}): Promise<RewrapReport> {
  const batchSize = opts.batchSize ?? 100;
  const active = keyring.activeKeyId;
  const report: RewrapReport = { rewrapped: 0, failed: [], alreadyCurrent: 0 };
  report.alreadyCurrent = await db.getRepository(ByokKeyEntity).countBy({ masterKeyId: active });
  const lock = { timeoutMs: opts.lockTimeoutMs ?? 5000, attempts: opts.lockAttempts ?? 5, delayMs: opts.retryDelayMs ?? 1000 };
  const lockedIds = new Set<string>();
  let lastId = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const ids = await pendingIds(db, active, lastId, batchSize);
    if (ids.length === 0) break;
    if (!(await withLockRetries(lock, () => rewrapIds(db, keyring, ids, lock.timeoutMs, report)))) {
      // The batch as a whole kept meeting a lock: row by row, so one busy row holds up only itself.
      for (const id of ids) {
        if (!(await withLockRetries(lock, () => rewrapIds(db, keyring, [id], lock.timeoutMs, report)))) lockedIds.add(id);
      }
    }
    lastId = ids[ids.length - 1]!;
    opts.onBatch?.(report.rewrapped);
  }
  // Whatever is still under an older key (locked throughout, or changed under the run) is listed.
  const reported = new Set(report.failed.map((f) => f.id));
  const left = await db
    .getRepository(ByokKeyEntity)
    .createQueryBuilder('k')
    .select(['k.id', 'k.masterKeyId'])
    .where('k.master_key_id <> :active', { active })
    .orderBy('k.id', 'ASC')
    .getMany();
  for (const row of left) {
    if (reported.has(row.id)) continue;
    const reason = lockedIds.has(row.id)
      ? `locked by another transaction through ${lock.attempts} attempts of ${lock.timeoutMs} ms`
      : 'still under an older master key after the run';
    report.failed.push({ id: row.id, masterKeyId: row.masterKeyId, reason });
  }
  return report;
}

async function pendingIds(db: DataSource, active: string, lastId: string, limit: number): Promise<string[]> {
  const rows = await db
    .getRepository(ByokKeyEntity)
    .createQueryBuilder('k')
    .select('k.id')
    .where('k.master_key_id <> :active AND k.id > :lastId', { active, lastId })
    .orderBy('k.id', 'ASC')
    .limit(limit)
    .getMany();
  return rows.map((r) => r.id);
}

/** Runs `attempt` until it gets its locks: true once it did, false after the last attempt. */
async function withLockRetries(lock: { attempts: number; delayMs: number }, attempt: () => Promise<void>): Promise<boolean> {
  for (let i = 1; ; i++) {
    try {
      await attempt();
      return true;
    } catch (err) {
      if (!isLockNotAvailable(err)) throw err;
      if (i >= lock.attempts) return false;
      await sleep(lock.delayMs);
    }
  }
}

/** One transaction: lock the rows (waiting at most `lockTimeoutMs`), re-wrap each. */
async function rewrapIds(db: DataSource, keyring: Keyring, ids: string[], lockTimeoutMs: number, report: RewrapReport): Promise<void> {
  const outcomes: Array<{ ok: true } | { ok: false; id: string; masterKeyId: string; reason: string }> = [];
  await db.transaction(async (tx: EntityManager) => {
    outcomes.length = 0;
    await tx.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    const rows = await tx
      .getRepository(ByokKeyEntity)
      .createQueryBuilder('k')
      .where('k.id IN (:...ids) AND k.master_key_id <> :active', { ids, active: keyring.activeKeyId })
      .orderBy('k.id', 'ASC')
      .setLock('pessimistic_write')
      .getMany();
    for (const row of rows) {
      try {
        await tx.getRepository(ByokKeyEntity).update({ id: row.id }, rewrapRow(keyring, row));
        outcomes.push({ ok: true });
      } catch (err) {
        outcomes.push({ ok: false, id: row.id, masterKeyId: row.masterKeyId, reason: (err as Error).message });
      }
    }
  });
  // Counted only once the transaction committed: a batch retried after a lock timeout counts once.
  for (const o of outcomes) {
    if (o.ok) report.rewrapped++;
    else report.failed.push({ id: o.id, masterKeyId: o.masterKeyId, reason: o.reason });
  }
}
