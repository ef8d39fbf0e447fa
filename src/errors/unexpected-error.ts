import type { Logger } from '../infra/logger';
import { isPostgresUnreachable } from '../infra/pg-errors';
import { AppError, unavailable } from './app-error';

/**
 * What an error that is not an AppError becomes, on every transport (GraphQL resolvers, the REST
 * doors, a completion stream): Postgres unreachable is UNAVAILABLE naming `what` (retryable,
 * logged at warn, issue 16); anything else is a bug, logged with its stack as `logMessage`, and
 * answered INTERNAL_SERVER_ERROR carrying only the request id, never its message.
 */
export function unexpectedError(
  err: unknown,
  logger: Logger,
  context: { requestId: string } & Record<string, unknown>,
  what: string,
  logMessage: string,
): AppError {
  if (err instanceof AppError) return err;
  if (isPostgresUnreachable(err)) {
    logger.warn({ ...context, err: (err as Error).message }, 'Postgres unreachable');
    return unavailable('postgres', what);
  }
  logger.error({ ...context, err }, logMessage);
  return internalError(context.requestId);
}

export function internalError(requestId: string): AppError {
  return new AppError('INTERNAL_SERVER_ERROR', `Internal server error (request id ${requestId})`, { requestId });
}
