import type { AuthChecker } from 'type-graphql';
import { forbidden, unauthenticated } from '../errors/app-error';
import type { GraphQLContext } from '../server/context';

/** Role name for operations only the platform admin token may call. */
export const ADMIN = 'ADMIN';

/**
 * The one AuthChecker. `@Authorized()` needs a user token; `@Authorized(ADMIN)` needs the
 * platform admin token, which may do nothing else. Throws coded errors instead of returning
 * false so the client learns why.
 */
export const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  const p = context.principal;
  if (p.kind === 'anonymous') throw unauthenticated(p.reason);
  if (roles.includes(ADMIN)) {
    if (p.kind !== 'admin') throw forbidden('Only the platform admin token can do this');
    return true;
  }
  if (p.kind === 'admin') throw forbidden('The platform admin token can only call createUser');
  return true;
};
