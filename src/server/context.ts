import type { Principal, UserPrincipal } from '../auth/principal';
import { unauthenticated } from '../errors/app-error';
import type { Logger } from '../infra/logger';
import type { Services } from './services';

/** What every resolver sees: who calls, the services, a request id for logs and errors. */
export interface GraphQLContext {
  requestId: string;
  principal: Principal;
  services: Services;
  logger: Logger;
}

/** The calling user; the AuthChecker has already refused anyone else on guarded operations. */
export function currentUser(ctx: GraphQLContext): UserPrincipal {
  if (ctx.principal.kind !== 'user') throw unauthenticated();
  return ctx.principal;
}
