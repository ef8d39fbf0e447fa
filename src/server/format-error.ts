import { randomUUID } from 'node:crypto';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import { AppError, unavailable } from '../errors/app-error';
import { internalError, unexpectedError } from '../errors/unexpected-error';
import { isPostgresUnreachable } from '../infra/pg-errors';
import { isVariableError, withoutVariableValue } from '../errors/variable-errors';
import type { Logger } from '../infra/logger';
import type { GraphQLContext } from './context';

const CALLER_MISTAKES = new Set<unknown>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.BAD_REQUEST,
]);

/**
 * Resolver errors that are not AppErrors are bugs or outages: log them with their stack and
 * the request id, and hand the client only the id. Runs around every resolver (global
 * middleware), so resolvers need no try/catch.
 */
export const maskUnexpectedErrors: MiddlewareFn<GraphQLContext> = async ({ context, info }, next) => {
  try {
    return await next();
  } catch (err) {
    throw unexpectedError(err, context.logger, { requestId: context.requestId, path: info.path }, 'This operation', 'unexpected error');
  }
};

/**
 * The one place errors become GraphQL errors: AppErrors keep their code and message; GraphQL's
 * own parse/validation/variable errors become BAD_USER_INPUT; Postgres unreachable becomes
 * UNAVAILABLE; anything else is masked.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, logger: Logger): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const app = findAppError(error);
  if (app) {
    return {
      message: app.message,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { ...app.extensions, code: app.code },
    };
  }
  const isGraphQLOwn = original instanceof GraphQLError && !original.originalError;
  // Variable coercion errors carry the coercion failure as originalError, so they do not look
  // like graphql-js's own; their message holds the submitted value (maybe a secret): never
  // logged, always the caller's mistake.
  if (CALLER_MISTAKES.has(formatted.extensions?.code) || (isGraphQLOwn && !formatted.path) || isVariableError(original)) {
    return {
      message: withoutVariableValue(formatted.message, original),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'BAD_USER_INPUT' },
    };
  }
  const cause = innermost(original);
  if (isPostgresUnreachable(cause)) {
    // Outside a resolver (a plugin, the context): the same answer as maskUnexpectedErrors gives inside.
    logger.warn({ err: (cause as Error).message, path: formatted.path }, 'Postgres unreachable outside a resolver');
    const app = unavailable('postgres', 'This operation');
    return { message: app.message, ...(formatted.path ? { path: formatted.path } : {}), extensions: { ...app.extensions, code: app.code } };
  }
  const requestId = randomUUID();
  logger.error({ err: original, requestId, path: formatted.path }, 'unexpected error outside a resolver');
  return { message: internalError(requestId).message, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } };
}

/** `error` and the errors Apollo and graphql-js wrapped inside it (`originalError`), outermost first. */
function wrapped(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e && chain.length < 6; e = (e as { originalError?: unknown }).originalError) chain.push(e);
  return chain;
}

/** The error at the bottom of the wrapping. */
function innermost(error: unknown): unknown {
  return wrapped(error).at(-1) ?? error;
}

/** Ours, wherever Apollo and graphql-js wrapped it. */
function findAppError(error: unknown): AppError | undefined {
  return wrapped(error).find((e): e is AppError => e instanceof AppError);
}
