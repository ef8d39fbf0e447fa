import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../../auth/principal';
import { badInput } from '../../errors/app-error';
import { decodeCursor, pageSize, toConnection, type Connection } from '../../server/pagination';
import { ValidationJobEntity } from './validation-job.entity';

/**
 * One page of validation jobs for each of many keys, in one query (`ByokKey.validationJobs` on a
 * list of keys was one query per key): a LATERAL page per key on (key_id, queued_at), scoped to
 * the caller as `ValidationService.list` is. Keys the caller cannot see get an empty page.
 */
export async function validationJobPages(
  db: DataSource,
  p: UserPrincipal,
  keyIds: readonly string[],
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Map<string, Connection<ValidationJobEntity>>> {
  const n = pageSize(first, 20);
  const cursor = decodeCursor(after, 2);
  const params: Record<string, unknown> = { keyIds: [...new Set(keyIds.map((k) => k.toLowerCase()))], uid: p.userId, limit: n + 1 };
  let keyset = '';
  if (cursor) {
    const [at, id] = cursor;
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw badInput('after is not a valid cursor', 'after');
    keyset = 'AND (v.queued_at, v.id) < (:at, :id)';
    Object.assign(params, { at, id: String(id) });
  }
  const rows = await db
    .getRepository(ValidationJobEntity)
    .createQueryBuilder('j')
    .where(
      `j.id IN (SELECT l.id FROM unnest(CAST(:keyIds AS uuid[])) AS k(id) CROSS JOIN LATERAL (
        SELECT v.id FROM validation_jobs v
        WHERE v.key_id = k.id
          AND ((v.organization_id IS NULL AND v.user_id = :uid)
            OR v.organization_id IN (SELECT m.organization_id FROM memberships m WHERE m.user_id = :uid))
          ${keyset}
        ORDER BY v.queued_at DESC, v.id DESC LIMIT :limit) l)`,
      params,
    )
    .orderBy('j.queued_at', 'DESC')
    .addOrderBy('j.id', 'DESC')
    .getMany();
  const byKey = new Map<string, ValidationJobEntity[]>();
  for (const r of rows) {
    const list = byKey.get(r.keyId) ?? [];
    list.push(r);
    byKey.set(r.keyId, list);
  }
  return new Map(
    keyIds.map((k) => [k, toConnection(byKey.get(k.toLowerCase()) ?? [], n, (r) => [r.queuedAt.toISOString(), r.id], (r) => r)]),
  );
}
