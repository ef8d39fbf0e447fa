import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Principal } from '../auth/principal';
import { bearerToken, sameSecret } from '../auth/tokens';
import { AppError } from '../errors/app-error';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import { OPENAI_PREFIXES, openAiRoutes } from '../rest/openai/openai-routes';
import { anthropicRoutes } from '../rest/anthropic/anthropic-routes';
import { retryAfterOf } from '../rest/http-status';
import { createContext, type GraphQLContext } from './context';
import type { Services } from '../composition/services';
import { mountWebConsole } from './web-console';

export interface Readiness {
  /** Resolves to an error message per dependency that does not answer. */
  check(): Promise<Record<string, string | 'ok'>>;
}

/** Express app: /graphql (Apollo), /healthz, /readyz, /metrics, and the web console at /. */
export function createHttpApp(deps: {
  apollo: ApolloServer<GraphQLContext>;
  services: Services;
  logger: Logger;
  metrics: Metrics;
  readiness: Readiness;
  /** The built web console's folder. */
  webDistDir: string;
  /** Largest /graphql body read (MAX_REQUEST_BYTES). */
  maxRequestBytes: number;
  /** When set, /metrics needs it as a bearer token. */
  metricsToken?: string;
  /** Refuses a /graphql document over a shape cap before Apollo validates it (document-precheck.ts). */
  documentPrecheck: RequestHandler;
}): Express {
  const { apollo, services, logger, metrics, readiness } = deps;
  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = routeLabel(req);
      end({ route });
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const checks = await readiness.check();
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', async (req, res) => {
    if (deps.metricsToken !== undefined) {
      const token = bearerToken(req.headers.authorization);
      if (token === undefined || !sameSecret(token, deps.metricsToken)) {
        res.status(401).set('www-authenticate', 'Bearer').type('text/plain').send('A valid METRICS_TOKEN is required (Authorization: Bearer <token>)\n');
        return;
      }
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use(anthropicRoutes({ services, maxBodyBytes: deps.maxRequestBytes }));

  app.use(
    '/graphql',
    // Before the body is read: an anonymous caller cannot make us buffer, parse or validate.
    authenticate(services),
    express.json({ limit: deps.maxRequestBytes }),
    bodyErrors(deps.maxRequestBytes),
    deps.documentPrecheck,
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GraphQLContext> =>
        createContext(principalOf(res), services, logger, headerRequestId(req) ?? randomUUID()),
    }),
  );
  // The OpenAI-compatible door (/v1, the Kilo Gateway paths): reads its own bodies, bounded.
  app.use(openAiRoutes({ services, logger, maxBodyBytes: deps.maxRequestBytes }));
  // Last, and it skips API paths itself: it never shadows an API route mounted before or after.
  mountWebConsole(app, deps.webDistDir, logger);
  return app;
}

/** Paths with a metrics label of their own (the REST doors' under each of their prefixes). */
const KNOWN_ROUTES = new Set([
  '/graphql',
  '/healthz',
  '/readyz',
  '/metrics',
  '/api/user',
  ...OPENAI_PREFIXES.flatMap((p) => [`${p}/chat/completions`, `${p}/models`]),
]);

/**
 * Every GraphQL operation needs a token (the platform admin token is one: it may create users).
 * Anything else is answered UNAUTHENTICATED here, before the body is read. With status 200, as
 * the auth checker's answer was before and as GraphQL-over-HTTP asks for application/json
 * responses: browsers log every 4xx as a console error (the web console's sign-in with a bad
 * token), and clients read the code, not the status. UNAVAILABLE (Postgres down, token not seen
 * within OUTAGE_STALE_MAX) is 503 with `retry-after`: clients and proxies retry a 503.
 */
function authenticate(services: Services): RequestHandler {
  return async (req, res, next) => {
    let principal: Principal;
    try {
      principal = await services.apiTokens.authenticate(req.headers.authorization);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNAVAILABLE') throw err;
      // Postgres is down and the token was not seen recently: a retryable 503, not a 500 page.
      res.status(503).set('retry-after', String(retryAfterOf(err)));
      sendError(res, err.message, err.code, err.extensions);
      return;
    }
    if (principal.kind === 'anonymous') {
      sendError(res, principal.reason, 'UNAUTHENTICATED');
      return;
    }
    res.locals.principal = principal;
    next();
  };
}

function principalOf(res: Response): Principal {
  return (res.locals.principal as Principal | undefined) ?? { kind: 'anonymous', reason: 'not authenticated' };
}

/** body-parser's errors (too large, not JSON, bad charset) as GraphQL errors in JSON, not HTML pages. */
function bodyErrors(maxRequestBytes: number): ErrorRequestHandler {
  return (err: { status?: number; type?: string }, _req, res, next) => {
    const status = err.status ?? 500;
    if (res.headersSent || status < 400 || status >= 500) {
      next(err);
      return;
    }
    res.status(status);
    if (err.type === 'entity.too.large') {
      sendError(res, `Request body larger than ${maxRequestBytes} bytes (MAX_REQUEST_BYTES)`, 'BAD_USER_INPUT', { maxRequestBytes });
    } else {
      sendError(res, err.type === 'entity.parse.failed' ? 'The request body is not valid JSON' : 'The request body could not be read', 'BAD_USER_INPUT');
    }
  };
}

function sendError(res: Response, message: string, code: string, extensions: Record<string, unknown> = {}): void {
  res.json({ errors: [{ message, extensions: { ...extensions, code } }] });
}

function routeLabel(req: Request): string {
  // req.path is relative inside mounted middleware; originalUrl is what the client asked for.
  const path = req.originalUrl.split('?', 1)[0] ?? '';
  if (KNOWN_ROUTES.has(path)) return path;
  // One label for all model ids: ids are unbounded, labels must not be.
  return OPENAI_PREFIXES.some((p) => path.startsWith(`${p}/models/`)) ? '/v1/models/{id}' : 'other';
}

/** Honour a caller's X-Request-Id when it is a sane token, so logs correlate across hops. */
export function headerRequestId(req: Pick<Request, 'headers'>): string | undefined {
  const v = req.headers['x-request-id'];
  return typeof v === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(v) ? v : undefined;
}
