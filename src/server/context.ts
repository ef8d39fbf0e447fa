import { randomUUID } from 'node:crypto';
import type { Principal, UserPrincipal } from '../auth/principal';
import { unauthenticated } from '../errors/app-error';
import type { Logger } from '../infra/logger';
import { createLoaders, type Loaders } from './loaders';
import type { Services } from './services';

/** What every resolver sees: who calls, the services, per-request loaders, a request id. */
export interface GraphQLContext {
  requestId: string;
  principal: Principal;
  services: Services;
  loaders: Loaders;
  logger: Logger;
}

/** One context per HTTP request or subscription, the same for both transports. */
export function createContext(
  principal: Principal,
  services: Services,
  logger: Logger,
  requestId: string = randomUUID(),
): GraphQLContext {
  return { requestId, principal, services, loaders: createLoaders(services.db), logger: logger.child({ requestId }) };
}

/** The calling user; the AuthChecker has already refused anyone else on guarded operations. */
export function currentUser(ctx: GraphQLContext): UserPrincipal {
  if (ctx.principal.kind !== 'user') throw unauthenticated();
  return ctx.principal;
}
