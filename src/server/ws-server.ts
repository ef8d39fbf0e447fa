import type { Server } from 'node:http';
import { GraphQLError, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { AppError } from '../errors/app-error';
import type { Logger } from '../infra/logger';
import { operationLabel, type Metrics } from '../infra/metrics';
import { createContext, type GraphQLContext } from './context';
import { formatError } from './format-error';
import { passThroughSubscribe, type EventSink } from './pass-through-subscribe';
import { batchSends, socketSink } from './ws-writes';
import { checkQueryLimits, type QueryLimits } from './query-limits';
import type { Services } from '../composition/services';
import { WsAdmission, type AdmissionState } from './ws-admission';

/** Close code for a connection whose token we refused (graphql-ws reserves 4401 for this). */
export const UNAUTHORIZED_CLOSE = CloseCode.Unauthorized;

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
 * any subscription starts.
 */
export function attachWsServer(deps: {
  httpServer: Server;
  schema: GraphQLSchema;
  services: Services;
  logger: Logger;
  metrics: Metrics;
  limits: QueryLimits;
}): WsHandle {
  const { schema, services, logger, metrics, limits } = deps;
  // 4 MB frames: room for long prompts, not for abuse (ws defaults to 100 MB).
  const documents = new DocumentCache(schema);
  const wss = new WebSocketServer({ server: deps.httpServer, path: '/graphql', maxPayload: 4 * 1024 * 1024 });
  wss.on('connection', (ws) => batchSends(ws));
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
        const principal = await admission.connect(ctx.extra, ctx.extra.socket, ctx.connectionParams?.authorization, () => Object.keys(ctx.subscriptions).length);
        if (principal.kind !== 'user') {
          const reason = principal.kind === 'admin' ? 'The platform admin token cannot subscribe' : principal.reason;
          ctx.extra.socket.close(UNAUTHORIZED_CLOSE, `Unauthorized: ${reason}`.slice(0, 120));
          return false;
        }
        return true;
      },
      onClose: (ctx) => admission.disconnect(ctx.extra),
      context: (ctx, id): GraphQLContext => {
        const principal = ctx.extra.principal ?? { kind: 'anonymous', reason: 'not connected' };
        const context = createContext(principal, services, logger);
        sinks.set(context, socketSink(ctx.extra.socket, id));
        return context;
      },
      onSubscribe: async (ctx, _id, payload) => {
        // The token is checked on every operation, not only at connection_init.
        const refused = await admission.admit(ctx.extra);
        if (refused) return [...refused];
        try {
          const { document, errors } = documents.get(payload.query);
          if (errors.length > 0) return errors.map((e) => asBadInput(e));
          checkQueryLimits(schema, document, payload.operationName, payload.variables, limits);
          metrics.graphqlOperations.inc({ operation: operationLabel(payload.operationName), type: 'subscription', outcome: 'started' });
          return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
        } catch (err) {
          if (err instanceof AppError) return [new GraphQLError(err.message, { extensions: { code: err.code } })];
          if (err instanceof GraphQLError) return [asBadInput(err)];
          throw err;
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) => formatResult(result as ExecutionResult, logger),
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


function asBadInput(e: GraphQLError): GraphQLError {
  return new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } });
}

/** Subscription errors go through the same formatter as HTTP ones. */
function formatResult(result: ExecutionResult, logger: Logger): ExecutionResult | undefined {
  if (!result.errors?.length) return undefined;
  return {
    ...result,
    errors: result.errors.map((e) => {
      const f = formatError(e.toJSON(), e, logger);
      return new GraphQLError(f.message, { path: f.path, extensions: f.extensions });
    }),
  };
}

/**
 * Parsed and validated subscription documents by query text: clients send the same few queries
 * over and over, and parse + validate is most of a subscription's setup cost. Bounded; errors
 * (GraphQLError) are cached too, thrown parse errors are not.
 */
class DocumentCache {
  private readonly entries = new Map<string, { document: DocumentNode; errors: readonly GraphQLError[] }>();

  constructor(private readonly schema: GraphQLSchema) {}

  get(query: string): { document: DocumentNode; errors: readonly GraphQLError[] } {
    const hit = this.entries.get(query);
    if (hit) return hit;
    const document = parse(query);
    const entry = { document, errors: validate(this.schema, document) };
    if (this.entries.size >= 1000) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(query, entry);
    return entry;
  }
}
