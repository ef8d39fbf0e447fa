import type { DataSource } from 'typeorm';
import type { Catalog } from '../catalog/catalog';
import type { AppConfig } from '../config/config';
import { Keyring } from '../crypto/envelope';
import { parseMasterKeys } from '../crypto/master-keys';
import type { Logger } from '../infra/logger';
import { ApiTokensService } from '../modules/api-tokens/api-tokens.service';
import { AuditService } from '../modules/audit/audit.service';
import { ByokKeysService } from '../modules/byok-keys/byok-keys.service';
import { OrganizationsService } from '../modules/organizations/organizations.service';
import { UsersService } from '../modules/users/users.service';

/** The service layer, built once per process and handed to resolvers through the context. */
export interface Services {
  db: DataSource;
  catalog: Catalog;
  keyring: Keyring;
  users: UsersService;
  apiTokens: ApiTokensService;
  organizations: OrganizationsService;
  audit: AuditService;
  byokKeys: ByokKeysService;
}

export function createServices(config: AppConfig, db: DataSource, logger: Logger, catalog: Catalog): Services {
  const keyring = new Keyring(parseMasterKeys(config.encryptionKeys));
  const organizations = new OrganizationsService(db);
  const audit = new AuditService(db, organizations);
  return {
    db,
    catalog,
    keyring,
    users: new UsersService(db),
    apiTokens: new ApiTokensService(db, logger, config.adminToken),
    organizations,
    audit,
    byokKeys: new ByokKeysService(db, keyring, organizations, audit, logger),
  };
}
