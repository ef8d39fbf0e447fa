import { randomUUID } from 'node:crypto';
import type { Principal, UserPrincipal } from '../auth/principal';
import { unauthenticated } from '../errors/app-error';
import type { Logger } from '../infra/logger';
import { createLoaders, type Loaders } from './loaders';
import type { Services } from '../composition/services';

/** What every resolver sees: who calls, the services, per-request loaders, a request id. */
export interface GraphQLContext {
  requestId: string;
  principal: Principal;
  services: Services;
  loaders: Loaders;
  logger: Logger;
}

/**
 * One context per HTTP request or subscription, the same for both transports. The loaders and
 * the request's child logger are made on first use: a completion needs neither, and a pino child
 * (its bindings run through redaction) was the largest part of a subscription's setup.
 */
export function createContext(
  principal: Principal,
  services: Services,
  logger: Logger,
  requestId: string = randomUUID(),
): GraphQLContext {
  return new RequestContext(requestId, principal, services, logger);
}

class RequestContext implements GraphQLContext {
  private ownLoaders: Loaders | undefined;
  private ownLogger: Logger | undefined;

  constructor(
    readonly requestId: string,
    readonly principal: Principal,
    readonly services: Services,
    private readonly parentLogger: Logger,
  ) {}

  get loaders(): Loaders {
    return (this.ownLoaders ??= createLoaders(this.services, this.principal));
  }

  get logger(): Logger {
    return (this.ownLogger ??= this.parentLogger.child({ requestId: this.requestId }));
  }
}

/** The calling user; the AuthChecker has already refused anyone else on guarded operations. */
export function currentUser(ctx: GraphQLContext): UserPrincipal {
  if (ctx.principal.kind !== 'user') throw unauthenticated();
  return ctx.principal;
}
