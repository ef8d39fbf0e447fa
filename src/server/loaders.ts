import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { unauthenticated } from '../errors/app-error';
import { ByokKeyEntity } from '../modules/byok-keys/byok-key.entity';
import type { ByokKeysService } from '../modules/byok-keys/byok-keys.service';
import { OrganizationEntity } from '../modules/organizations/organization.entity';
import { UserEntity } from '../modules/users/user.entity';
import type { ValidationJobEntity } from '../modules/validation/validation-job.entity';
import { validationJobPages } from '../modules/validation/validation-pages';
import type { Connection } from './pagination';

/** Per-request batch loaders: a list of N items costs one query per related type, not N. */
export interface Loaders {
  user: DataLoader<string, UserEntity | null>;
  organization: DataLoader<string, OrganizationEntity | null>;
  /** Keys by id for rows already scoped to the caller (usage); null once deleted. */
  byokKey: DataLoader<string, ByokKeyEntity | null>;
  /** Keys by id that the caller may see now (ValidationJob.key); null otherwise. */
  visibleKey: DataLoader<string, ByokKeyEntity | null>;
  /** A page of a key's validation jobs (ByokKey.validationJobs), by `jobPageKey`. */
  validationJobs: DataLoader<JobPageKey, Connection<ValidationJobEntity>, string>;
}

export interface JobPageKey {
  keyId: string;
  first: number | null;
  after: string | null;
}

function byId<T extends { id: string }>(rows: T[], ids: readonly string[]): Array<T | null> {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id.toLowerCase()) ?? map.get(id) ?? null);
}

export function createLoaders(deps: { db: DataSource; byokKeys: ByokKeysService }, principal: Principal): Loaders {
  const { db } = deps;
  const user = () => {
    if (principal.kind !== 'user') throw unauthenticated();
    return principal;
  };
  return {
    user: new DataLoader(async (ids) => byId(await db.getRepository(UserEntity).findBy({ id: In([...ids]) }), ids)),
    organization: new DataLoader(async (ids) =>
      byId(await db.getRepository(OrganizationEntity).findBy({ id: In([...ids]) }), ids),
    ),
    byokKey: new DataLoader(async (ids) => byId(await db.getRepository(ByokKeyEntity).findBy({ id: In([...ids]) }), ids)),
    visibleKey: new DataLoader(async (ids) => byId(await deps.byokKeys.findVisible(user(), ids), ids)),
    validationJobs: new DataLoader(
      async (keys) => {
        // Keys asked with the same page arguments share one query (normally all of a list's keys).
        const groups = new Map<string, JobPageKey[]>();
        for (const k of keys) {
          const g = JSON.stringify([k.first, k.after]);
          groups.set(g, [...(groups.get(g) ?? []), k]);
        }
        const pages = new Map<string, Connection<ValidationJobEntity> | Error>();
        await Promise.all(
          [...groups.values()].map(async (group) => {
            const { first, after } = group[0]!;
            try {
              const byKey = await validationJobPages(db, user(), group.map((k) => k.keyId), first, after);
              for (const k of group) pages.set(jobPageKey(k), byKey.get(k.keyId)!);
            } catch (err) {
              for (const k of group) pages.set(jobPageKey(k), err as Error);
            }
          }),
        );
        return keys.map((k) => pages.get(jobPageKey(k))!);
      },
      { cacheKeyFn: jobPageKey },
    ),
  };
}

function jobPageKey(k: JobPageKey): string {
  return JSON.stringify([k.keyId, k.first, k.after]);
}
