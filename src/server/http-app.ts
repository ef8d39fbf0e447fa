import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request } from 'express';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import { DEFAULT_MAX_BODY_BYTES } from '../rest/json-body';
import { OPENAI_PREFIXES, openAiRoutes } from '../rest/openai/openai-routes';
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

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GraphQLContext> => {
        const principal = await services.apiTokens.authenticate(req.headers.authorization);
        return createContext(principal, services, logger, headerRequestId(req) ?? randomUUID());
      },
    }),
  );
  // The OpenAI-compatible door (/v1, the Kilo Gateway paths): reads its own bodies, bounded.
  app.use(openAiRoutes({ services, logger, maxBodyBytes: DEFAULT_MAX_BODY_BYTES }));
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
