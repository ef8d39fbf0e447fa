import type { Server } from 'node:http';
import { GraphQLError, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Principal } from '../auth/principal';
import { AppError } from '../errors/app-error';
import type { Logger } from '../infra/logger';
import { operationLabel, type Metrics } from '../infra/metrics';
import { createContext, type GraphQLContext } from './context';
import { formatError } from './format-error';
import { passThroughSubscribe, type EventSink } from './pass-through-subscribe';
import { checkQueryLimits, type QueryLimits } from './query-limits';
import type { Services } from './services';

/** Close code for a connection whose token we refused (graphql-ws reserves 4401 for this). */
export const UNAUTHORIZED_CLOSE = CloseCode.Unauthorized;

/** Per-connection state graphql-ws keeps on `ctx.extra`. */
interface ConnectionState extends Record<PropertyKey, unknown> {
  principal?: Principal;
}

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
  const dispose = useServer<Record<string, unknown>, ConnectionState>(
    {
      schema,
      subscribe: (args) => {
        const sink = sinks.get(args.contextValue as object);
        if (!sink) throw new Error('a subscription without a sink: its context was not made by attachWsServer');
        return passThroughSubscribe(args, sink);
      },
      onConnect: async (ctx) => {
        const principal = await services.apiTokens.authenticate(ctx.connectionParams?.authorization);
        if (principal.kind !== 'user') {
          const reason = principal.kind === 'admin' ? 'The platform admin token cannot subscribe' : principal.reason;
          ctx.extra.socket.close(UNAUTHORIZED_CLOSE, `Unauthorized: ${reason}`.slice(0, 120));
          return false;
        }
        ctx.extra.principal = principal;
        return true;
      },
      context: (ctx, id): GraphQLContext => {
        const principal = ctx.extra.principal ?? { kind: 'anonymous', reason: 'not connected' };
        const context = createContext(principal, services, logger);
        sinks.set(context, socketSink(ctx.extra.socket, id));
        return context;
      },
      onSubscribe: (_ctx, _id, payload) => {
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
      await dispose.dispose();
    },
    clientCount: () => wss.clients.size,
  };
}

/** Below this many unsent bytes on a socket, a send counts as done at once (see batchSends). */
const SEND_HIGH_WATER = 1024 * 1024;

/**
 * graphql-ws awaits each message's write before it pulls a subscription's next event, so every
 * event cost its own write(2), even when one upstream read carried several deltas and ten
 * subscriptions share the socket. Here a socket stays corked until the loop's check phase, so
 * what the loop produced in one turn leaves in one write, and a send counts as done at once
 * while less than SEND_HIGH_WATER is buffered: a slow client still holds its subscriptions back
 * beyond that (the real write callback), without the gateway buffering without bound.
 */
function batchSends(ws: WebSocket): void {
  const raw = (ws as unknown as { _socket?: Socket })._socket;
  if (!raw) return;
  const send = ws.send.bind(ws) as (data: string, cb?: (err?: Error) => void) => void;
  let corked = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };
  (ws as unknown as { send: (data: string, cb?: (err?: Error) => void) => void }).send = (data, cb) => {
    if (!corked && !raw.destroyed) {
      corked = true;
      raw.cork();
      setImmediate(uncork);
    }
    if (cb && ws.bufferedAmount < SEND_HIGH_WATER) {
      send(data, ignoreSendError);
      cb();
    } else send(data, cb);
  };
}

/**
 * Sends a subscription's `next` messages as graphql-ws would (`{"id","type":"next","payload"}`),
 * built from a prefix made once per subscription.
 */
function socketSink(ws: WebSocket, id: string): EventSink {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":{"data":{`;
  let key = '';
  let head = '';
  return {
    next: (responseKey, json) => {
      if (ws.readyState !== ws.OPEN) return true; // closing: graphql-ws ends the subscription
      if (responseKey !== key) head = `${prefix}${JSON.stringify((key = responseKey))}:`;
      ws.send(`${head}${json}}}}`);
      return ws.bufferedAmount < SEND_HIGH_WATER;
    },
    drained: () => {
      const raw = (ws as unknown as { _socket?: Socket })._socket;
      if (!raw || ws.readyState !== ws.OPEN || ws.bufferedAmount < SEND_HIGH_WATER) return Promise.resolve();
      return new Promise((resolve) => {
        const go = () => {
          raw.off('drain', go);
          ws.off('close', go);
          resolve();
        };
        raw.on('drain', go);
        ws.on('close', go);
      });
    },
  };
}

function ignoreSendError(): void {
  // The socket's close event ends its subscriptions; nothing to do per message.
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
