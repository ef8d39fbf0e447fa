import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../../auth/principal';
import { badInput, notFound } from '../../errors/app-error';
import { isUuid } from '../../errors/validate';
import { decodeCursor, pageSize, toConnection, type Connection } from '../../server/pagination';
import { validationDedupId, type ValidationJobData } from '../../jobs/queues';
import type { ByokKeyEntity } from '../byok-keys/byok-key.entity';
import type { ByokKeysService, SecretChangeListener } from '../byok-keys/byok-keys.service';
import { ValidationJobEntity } from './validation-job.entity';
import { ValidationOutcome, type ValidationTrigger } from './validation-outcome';

type KeyRef = Pick<ByokKeyEntity, 'id' | 'secretVersion' | 'provider' | 'userId' | 'organizationId' | 'createdBy'>;

/**
 * Queues validation jobs and reads their audit rows. A job's id is derived from the key id and
 * secret version; a duplicate for the same secret collapses into the job already waiting or
 * running (BullMQ deduplication), and the caller gets that job's row.
 */
export class ValidationService implements SecretChangeListener {
  constructor(
    private readonly db: DataSource,
    private readonly queue: Queue<ValidationJobData>,
    private readonly keys: ByokKeysService,
  ) {}

  secretChanged(key: ByokKeyEntity, trigger: 'created' | 'updated'): Promise<void> {
    return this.enqueue(key, trigger).then(() => undefined);
  }

  /**
   * Records the QUEUED row, then adds the job: the row exists before any worker can pick the job
   * up. If the add fails (Redis down) the row is removed again and the error propagates; if it
   * collapsed into a live job for the same secret, the caller gets that job's row instead.
   */
  async enqueue(key: KeyRef, trigger: ValidationTrigger): Promise<ValidationJobEntity> {
    const dedupId = validationDedupId(key.id, key.secretVersion);
    const candidate = `${dedupId}.${randomBytes(4).toString('hex')}`;
    const repo = this.db.getRepository(ValidationJobEntity);
    await repo.insert({
      id: candidate,
      keyId: key.id,
      userId: key.userId,
      organizationId: key.organizationId,
      provider: key.provider,
      secretVersion: key.secretVersion,
      trigger,
      // Set here with millisecond precision so cursors (ISO strings) compare exactly.
      queuedAt: new Date(),
    });
    let jobId: string;
    try {
      const job = await this.queue.add(
        'validate',
        { keyId: key.id, secretVersion: key.secretVersion, trigger, provider: key.provider, addedBy: key.createdBy },
        { jobId: candidate, deduplication: { id: dedupId } },
      );
      jobId = job.id ?? candidate;
    } catch (err) {
      await repo.delete({ id: candidate });
      throw err;
    }
    if (jobId === candidate) return repo.findOneByOrFail({ id: candidate });
    // Collapsed into a live job: give its row (recorded under its id if it predates rows).
    await repo.update({ id: candidate }, { id: jobId }).catch(async () => repo.delete({ id: candidate }));
    return repo.findOneByOrFail({ id: jobId });
  }

  /**
   * Rows left QUEUED whose job is not in the queue: the process stopped between recording the
   * row and queueing the job (or while removing a row that collapsed into a live job). Marked
   * DISCARDED so the audit never shows a job waiting forever. Returns how many.
   */
  async sweepOrphans(minAgeMs: number): Promise<number> {
    const repo = this.db.getRepository(ValidationJobEntity);
    const rows = await repo
      .createQueryBuilder('j')
      .select(['j.id'])
      .where('j.outcome = :queued AND j.queued_at < :before', {
        queued: ValidationOutcome.QUEUED,
        before: new Date(Date.now() - minAgeMs),
      })
      .limit(500)
      .getMany();
    let swept = 0;
    for (const { id } of rows) {
      if (await this.queue.getJob(id)) continue;
      const r = await repo.update(
        { id, outcome: ValidationOutcome.QUEUED },
        { outcome: ValidationOutcome.DISCARDED, error: 'the job never reached the queue', finishedAt: new Date() },
      );
      swept += r.affected ?? 0;
    }
    return swept;
  }

  /** `validateByokKey`: managers only, like every key change. */
  async validateNow(p: UserPrincipal, keyId: string): Promise<ValidationJobEntity> {
    const key = await this.keys.forManage(p, keyId);
    return this.enqueue(key, 'manual');
  }

  /**
   * A key's jobs, newest first. Visible to whoever can see the key, and after deletion to its
   * former owner (personal) or the organization's members.
   */
  async list(
    p: UserPrincipal,
    keyId: string,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<ValidationJobEntity>> {
    if (!isUuid(keyId)) throw badInput('keyId is not a valid id', 'keyId');
    const n = pageSize(first, 20);
    const cursor = decodeCursor(after, 2);
    const qb = this.db
      .getRepository(ValidationJobEntity)
      .createQueryBuilder('j')
      .where('j.key_id = :keyId', { keyId: keyId.toLowerCase() })
      .andWhere(
        '((j.organization_id IS NULL AND j.user_id = :uid) OR j.organization_id IN ' +
          '(SELECT m.organization_id FROM memberships m WHERE m.user_id = :uid))',
        { uid: p.userId },
      );
    if (cursor) {
      const [at, id] = cursor;
      if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw badInput('after is not a valid cursor', 'after');
      qb.andWhere('(j.queued_at, j.id) < (:at, :id)', { at, id: String(id) });
    }
    const rows = await qb.orderBy('j.queued_at', 'DESC').addOrderBy('j.id', 'DESC').limit(n + 1).getMany();
    if (rows.length === 0 && !cursor && !(await this.keys.find(p, keyId))) {
      // Neither a visible key nor any visible job: do not say whether the key exists.
      throw notFound('BYOK key');
    }
    return toConnection(rows, n, (r) => [r.queuedAt.toISOString(), r.id], (r) => r);
  }
}
