import type { Server } from 'node:http';
import { GraphQLError, getOperationAST, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { CloseCode, type FormattedExecutionResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { AppError } from '../errors/app-error';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import type { QueryLimitsConfig } from '../config/config';
import type { Principal } from '../auth/principal';
import { createContext, type GraphQLContext } from './context';
import { DocumentCache, type DocumentLru } from './document-cache';
import { documentLimitRules, documentParseOptions } from './document-rules';
import { formatError } from './format-error';
import { failedBeforeExecution, unwrapRequestErrors } from './ws-request-errors';
import { passThroughSubscribe, type EventSink } from './pass-through-subscribe';
import { batchSends, socketSink } from './ws-writes';
import { PRE_AUTH_MESSAGE_BYTES, quietProtocolErrors, setMessageLimit } from './ws-limits';
import { checkQueryLimits } from './query-limits';
import type { Services } from '../composition/services';
import { WsAdmission, type AdmissionState } from './ws-admission';

/** Close code for a connection whose token we refused (graphql-ws reserves 4401 for this). */
export const UNAUTHORIZED_CLOSE = CloseCode.Unauthorized;

/**
 * Close code for a connection whose token cannot be checked now (Postgres down and the token not
 * seen within OUTAGE_STALE_MAX): RFC 6455's 1013 "Try Again Later", with a reason naming the
 * dependency; a client may reconnect (graphql-ws' retrying clients do for any non-4xxx code).
 */
export const TRY_AGAIN_LATER_CLOSE = 1013;

/** Per-connection state graphql-ws keeps on `ctx.extra`. */
interface ConnectionState extends Record<PropertyKey, unknown>, AdmissionState {}

export interface WsHandle {
  /** Closes every socket with 1001 (going away) and stops accepting. */
  close(): Promise<void>;
  clientCount(): number;
}

/**
 * graphql-ws on the HTTP server's /graphql path. The token in connectionParams.authorization is
 * checked once at connection_init; a bad one closes the socket with 4401 and the reason, before
 * any subscription starts (1013 when it cannot be checked while Postgres is down).
 *
 * Message size: until connection_init is accepted a socket takes messages of at most
 * PRE_AUTH_MESSAGE_BYTES, afterwards up to `maxRequestBytes` (images in chat messages). A larger
 * message closes the socket with 1009 (Message Too Big, RFC 6455 §7.4.1) as soon as its frame
 * header announces the length, before the payload is buffered.
 */
export function attachWsServer(deps: {
  httpServer: Server;
  schema: GraphQLSchema;
  services: Services;
  logger: Logger;
  metrics: Metrics;
  limits: QueryLimitsConfig;
  maxRequestBytes: number;
  /** Where parsed documents are kept (shared with Apollo's documentStore: one budget). */
  documents: DocumentLru;
}): WsHandle {
  const { schema, services, logger, metrics, limits } = deps;
  const documents = new DocumentCache(schema, {
    lru: deps.documents,
    parseOptions: documentParseOptions(limits),
    rules: documentLimitRules(limits),
  });
  const wss = new WebSocketServer({ server: deps.httpServer, path: '/graphql', maxPayload: deps.maxRequestBytes });
  wss.on('connection', (ws) => {
    setMessageLimit(ws, PRE_AUTH_MESSAGE_BYTES);
    quietProtocolErrors(ws, logger);
    batchSends(ws);
  });
  /** Each subscription's sink, by its context (graphql-ws hands `subscribe` only the execution args). */
  const sinks = new WeakMap<object, EventSink>();
  const admission = new WsAdmission({
    authenticate: (authorization) => services.apiTokens.authenticate(authorization),
    revocations: services.tokenRevocations,
    limits: services.config.subscriptionsPer,
    recheckEveryMs: services.config.authCacheTtlMs,
  });
  const dispose = useServer<Record<string, unknown>, ConnectionState>(
    {
      schema,
      subscribe: (args) => {
        const sink = sinks.get(args.contextValue as object);
        if (!sink) throw new Error('a subscription without a sink: its context was not made by attachWsServer');
        return passThroughSubscribe(args, sink);
      },
      onConnect: async (ctx) => {
        let principal: Principal;
        try {
          principal = await admission.connect(ctx.extra, ctx.extra.socket, ctx.connectionParams?.authorization, () => Object.keys(ctx.subscriptions).length);
        } catch (err) {
          if (!(err instanceof AppError) || err.code !== 'UNAVAILABLE') throw err;
          ctx.extra.socket.close(TRY_AGAIN_LATER_CLOSE, `Try again later: ${err.message}`.slice(0, 120));
          return false;
        }
        if (principal.kind !== 'user') {
          const reason = principal.kind === 'admin' ? 'The platform admin token cannot subscribe' : principal.reason;
          ctx.extra.socket.close(UNAUTHORIZED_CLOSE, `Unauthorized: ${reason}`.slice(0, 120));
          return false;
        }
        setMessageLimit(ctx.extra.socket, deps.maxRequestBytes);
        return true;
      },
      onClose: (ctx) => admission.disconnect(ctx.extra),
      context: (ctx, id): GraphQLContext => {
        const principal = ctx.extra.principal ?? { kind: 'anonymous', reason: 'not connected' };
        const context = createContext(principal, services, logger);
        sinks.set(context, socketSink(ctx.extra.socket, id));
        return context;
      },
      // Errors returned here go out as an `error` message, through onError.
      onSubscribe: async (ctx, _id, payload) => {
        // The token is checked on every operation, not only at connection_init.
        const refused = await admission.admit(ctx.extra);
        if (refused) return [...refused];
        try {
          const { document, errors } = documents.get(payload.query);
          if (errors) return errors;
          const operation = getOperationAST(document, payload.operationName);
          if (!operation) return [new GraphQLError(payload.operationName ? `Unknown operation named "${payload.operationName}"` : 'Unable to identify operation: the document holds several, name one in operationName')];
          checkQueryLimits(schema, document, payload.operationName, payload.variables, limits);
          metrics.graphqlOperations.inc({ operation: metrics.operationLabel(payload.operationName), type: operation.operation, outcome: 'started' });
          return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
        } catch (err) {
          if (err instanceof AppError) return [new GraphQLError(err.message, { originalError: err })];
          throw err;
        }
      },
      onOperation: (_ctx, _id, _payload, _args, result) => failedBeforeExecution(result),
      onError: (_ctx, _id, _payload, errors) => formatWsErrors(unwrapRequestErrors(errors), logger),
      onNext: (_ctx, _id, _payload, _args, result) => formatResult(result, logger),
    },
    wss,
  );

  return {
    close: async () => {
      admission.dispose();
      await dispose.dispose();
    },
    clientCount: () => wss.clients.size,
  };
}

/**
 * An `error` message's errors: those made here with a contract code already (the admission's
 * UNAUTHENTICATED / RATE_LIMITED, the document limits' BAD_USER_INPUT) go out as they are;
 * everything else goes through the one formatter (graphql-js's own, variable errors, AppErrors).
 */
function formatWsErrors(errors: readonly GraphQLError[], logger: Logger): GraphQLFormattedError[] {
  return errors.map((e) => (typeof e.extensions.code === 'string' && !e.originalError ? e.toJSON() : formatError(e.toJSON(), e, logger)));
}

/** Results' errors go through the same formatter as HTTP ones (code, locations, path kept). */
function formatResult(result: ExecutionResult, logger: Logger): FormattedExecutionResult | undefined {
  if (!result.errors?.length) return undefined;
  return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e, logger)) };
}
