import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { ByokKeyEntity } from '../modules/byok-keys/byok-key.entity';
import { OrganizationEntity } from '../modules/organizations/organization.entity';
import { UserEntity } from '../modules/users/user.entity';

/** Per-request batch loaders: a list of N items costs one query per related type, not N. */
export interface Loaders {
  user: DataLoader<string, UserEntity | null>;
  organization: DataLoader<string, OrganizationEntity | null>;
  /** Keys by id for rows already scoped to the caller (usage); null once deleted. */
  byokKey: DataLoader<string, ByokKeyEntity | null>;
}

function byId<T extends { id: string }>(rows: T[], ids: readonly string[]): Array<T | null> {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}

export function createLoaders(db: DataSource): Loaders {
  return {
    user: new DataLoader(async (ids) => byId(await db.getRepository(UserEntity).findBy({ id: In([...ids]) }), ids)),
    organization: new DataLoader(async (ids) =>
      byId(await db.getRepository(OrganizationEntity).findBy({ id: In([...ids]) }), ids),
    ),
    byokKey: new DataLoader(async (ids) => byId(await db.getRepository(ByokKeyEntity).findBy({ id: In([...ids]) }), ids)),
  };
}
