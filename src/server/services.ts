import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import type { Logger } from '../infra/logger';
import { ApiTokensService } from '../modules/api-tokens/api-tokens.service';
import { OrganizationsService } from '../modules/organizations/organizations.service';
import { UsersService } from '../modules/users/users.service';

/** The service layer, built once per process and handed to resolvers through the context. */
export interface Services {
  users: UsersService;
  apiTokens: ApiTokensService;
  organizations: OrganizationsService;
}

export function createServices(config: AppConfig, db: DataSource, logger: Logger): Services {
  return {
    users: new UsersService(db),
    apiTokens: new ApiTokensService(db, logger, config.adminToken),
    organizations: new OrganizationsService(db),
  };
}
