import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { DestinationStream } from 'pino';
import type { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import type { AppConfig } from './config/config';
import { createDataPathDataSource, createDataSource, ensureDatabase } from './infra/database';
import { createLogger, type Logger } from './infra/logger';
import { Metrics } from './infra/metrics';
import { createRedis } from './infra/redis';
import { RedisPubSub } from './infra/pubsub';
import { PgListener } from './infra/pg-listener';
import { InflightJournal } from './modules/usage/inflight-journal';
import { KEY_CHANGES_CHANNEL, KeyChanges, parseOwnerRef } from './modules/byok-keys/key-changes';
import { startWorkers } from './jobs/workers';
import { USAGE_QUEUE, VALIDATION_QUEUE, type ValidationJobData } from './jobs/queues';
import type { UsageRecordInput } from './modules/usage/usage-record';
import { Queue } from 'bullmq';
import { metricsPlugin, queryLimitsPlugin, subscriptionsOnWebSocketPlugin } from './server/apollo-plugins';
import { documentLimitRules, documentParseOptions } from './server/document-rules';
import { documentPrecheck } from './server/document-precheck';
import { DocumentLru, apolloDocumentStore } from './server/document-cache';
import type { GraphQLContext } from './server/context';
import { formatError } from './server/format-error';
import { createHttpApp } from './server/http-app';
import { buildAppSchema } from './server/schema';
import { createServices, type Services } from './composition/services';
import { attachWsServer } from './server/ws-server';
import { DependencyError, checkDependencies } from './boot-checks';
import { createCatalog } from './catalog/catalog';
import { loadCatalogFile } from './catalog/catalog-file';

export interface AppHandle {
  config: AppConfig;
  logger: Logger;
  db: DataSource;
  /** The data path's bounded pool (infra/database.ts); `db` itself in a worker. */
  dataPathDb: DataSource;
  redis: Redis;
  metrics: Metrics;
  /** The HTTP server when the role serves the API. */
  httpServer?: Server;
  /** `http://host:port` once listening. */
  url?: string;
  services?: Services;
  /** Graceful stop: stop accepting, drain, close sockets, workers, Redis, Postgres. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where log lines go (tests capture them). */
  logDestination?: DestinationStream;
  logger?: Logger;
}

/**
 * Boots one process: config → dependency checks → database (created, migrated) → Redis →
 * schema → HTTP + WS (ROLE all|api) → workers (ROLE all|worker).
 */
export async function startApp(config: AppConfig, opts: StartOptions = {}): Promise<AppHandle> {
  const logger = opts.logger ?? createLogger(config.logLevel, opts.logDestination);
  await checkDependencies(config);

  await ensureDatabase(config.databaseUrl);
  const db = createDataSource(config.databaseUrl);
  await db.initialize();
  const applied = await db.runMigrations({ transaction: 'each' });
  if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
  // Reads on a completion's way, bounded by DB_DATA_PATH_TIMEOUT: a silent outage must not hang them.
  const dataPathDb = config.role === 'worker' ? db : createDataPathDataSource(config.databaseUrl, config.dbDataPathTimeoutMs);
  if (!dataPathDb.isInitialized) await dataPathDb.initialize();

  const redis = createRedis(config.redisUrl, 'command', 'app');
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  await redis.connect();

  const metrics = new Metrics();
  const catalog = createCatalog(config.catalogFile ? await loadCatalogFile(config.catalogFile) : []);
  const subscriber = createRedis(config.redisUrl, 'blocking', 'subscriber');
  subscriber.on('error', (err) => logger.warn({ err: err.message }, 'redis subscriber error'));
  await subscriber.connect();
  const pubsub = new RedisPubSub(redis, subscriber, config.queuePrefix, logger);
  // Fails fast while Redis is down (the key is still stored; the reconciler queues it later).
  const queueConnection = createRedis(config.redisUrl, 'command', 'queue');
  queueConnection.on('error', () => undefined);
  const validationQueue = new Queue<ValidationJobData>(VALIDATION_QUEUE, {
    connection: queueConnection,
    prefix: config.queuePrefix,
    defaultJobOptions: {
      attempts: config.validation.attempts,
      backoff: { type: 'exponential', delay: config.validation.backoffMs },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 24 * 3600 },
    },
  });
  // An 'error' event without a listener would crash the process while Redis is away.
  validationQueue.on('error', (err) => logger.warn({ err: err.message }, 'validation queue: redis error'));
  metrics.watchQueue(VALIDATION_QUEUE, async () => {
    const c = await validationQueue.getJobCounts('waiting', 'delayed', 'active');
    return (c.waiting ?? 0) + (c.delayed ?? 0) + (c.active ?? 0);
  });
  const usageQueue = new Queue<UsageRecordInput>(USAGE_QUEUE, {
    connection: queueConnection,
    prefix: config.queuePrefix,
    defaultJobOptions: {
      // Retried until Postgres takes it (the worker's backoff is capped at 30 s): ~3.5 days.
      attempts: 10_000,
      backoff: { type: 'capped' },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: false,
    },
  });
  usageQueue.on('error', (err) => logger.warn({ err: err.message }, 'usage queue: redis error'));
  metrics.watchQueue(USAGE_QUEUE, async () => {
    const c = await usageQueue.getJobCounts('waiting', 'delayed', 'active');
    return (c.waiting ?? 0) + (c.delayed ?? 0) + (c.active ?? 0);
  });
  // Routing reads keys from memory (routing/owner-keys.ts) only while this connection listens.
  const keyChanges = new KeyChanges();
  const keyListener =
    config.role === 'worker'
      ? undefined
      : new PgListener({
          url: config.databaseUrl,
          channel: KEY_CHANGES_CHANNEL,
          logger,
          onMessage: (payload) => keyChanges.changed(parseOwnerRef(payload)),
          onGap: () => keyChanges.changed(null),
          healthTimeoutMs: config.dbDataPathTimeoutMs,
        });
  await keyListener?.start();
  // Crash-safe usage: this process's streams journaled in Redis, under a heartbeat (issue 16).
  const journal = config.role === 'worker' ? undefined : new InflightJournal(redis, config.queuePrefix, config.inflight, logger);
  await journal?.start();
  const services = createServices({
    config, db, dataPathDb, redis, logger, catalog, pubsub, validationQueue, usageQueue, metrics, keyChanges,
    keysTrusted: () => keyListener?.listening ?? false,
    journal,
  });
  const closers: Array<() => Promise<void>> = [];

  let httpServer: Server | undefined;
  let url: string | undefined;
  if (config.role !== 'worker') {
    // Before serving: a revocation announced while we start must not be missed.
    await services.tokenRevocations.start();
    closers.push(async () => services.tokenRevocations.stop());
    const schema = await buildAppSchema();
    httpServer = createServer();
    // Parsed documents of both transports, within one memory budget.
    const documents = new DocumentLru(config.documentCacheBytes);
    // Keep idle client connections longer than Node's 5 s: SDKs and agents keep a pool and come
    // back after a pause between turns; a socket the server closes just as the client reuses it
    // fails that request with ECONNRESET (the rest bench saw it after its 1 s settle pauses).
    // Above the 60 s idle timeout of common load balancers, so they close first.
    httpServer.keepAliveTimeout = 65_000;
    httpServer.headersTimeout = 66_000;
    const apollo = new ApolloServer<GraphQLContext>({
      schema,
      introspection: true,
      includeStacktraceInErrorResponses: false,
      // main.ts owns SIGTERM/SIGINT: Apollo's own handler would re-raise the signal and kill
      // the process before workers, Redis and Postgres are closed.
      stopOnTerminationSignals: false,
      formatError: (formatted, error) => formatError(formatted, error, logger),
      // The same document caps as the WebSocket's (server/document-rules.ts).
      parseOptions: documentParseOptions(config.limits),
      validationRules: documentLimitRules(config.limits),
      documentStore: apolloDocumentStore(documents),
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        // We set no cache hints. Left on, Apollo wraps every field resolver of the shared schema
        // (in place, at the first HTTP operation), which also slows every streamed event.
        ApolloServerPluginCacheControlDisabled(),
        queryLimitsPlugin(() => schema, config.limits),
        subscriptionsOnWebSocketPlugin(),
        metricsPlugin(metrics),
      ],
    });
    await apollo.start();
    const readiness = {
      check: async () => ({
        // Bounded: a silent outage answers "not ready" within DB_DATA_PATH_TIMEOUT, not never.
        postgres: await dataPathDb.query('SELECT 1').then(
          () => 'ok' as const,
          (err: Error) => err.message,
        ),
        redis: await redis.ping().then(
          () => 'ok' as const,
          (err: Error) => err.message,
        ),
      }),
    };
    const { maxRequestBytes, metricsToken } = config;
    httpServer.on('request', createHttpApp({
        apollo,
        services,
        logger,
        metrics,
        readiness,
        webDistDir: config.webDistDir,
        maxRequestBytes,
        metricsToken,
        documentPrecheck: documentPrecheck({ schema, lru: documents, parseOptions: documentParseOptions(config.limits), limitRules: documentLimitRules(config.limits) }),
      }),);
    const ws = attachWsServer({ httpServer, schema, services, logger, metrics, limits: config.limits, maxRequestBytes, documents });
    // Order matters: sockets first (clients get 1001), then Apollo drains in-flight HTTP.
    closers.push(() => ws.close(), () => apollo.stop());
    await new Promise<void>((resolve, reject) => {
      httpServer!.once('error', reject);
      // Node's default accept backlog (511) overflows when a thousand REST clients connect at once
      // (each stream is its own HTTP connection): the kernel resets the rest (the rest bench saw
      // ECONNRESET at 1000). The kernel caps it at net.core.somaxconn.
      httpServer!.listen({ port: config.port, host: config.host, backlog: 8192 }, () => resolve());
    });
    const addr = httpServer.address() as AddressInfo;
    url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${addr.port}`;
    logger.info({ url: `${url}/graphql`, role: config.role }, 'serving GraphQL over HTTP and WebSocket');
  }

  if (config.role !== 'api') {
    const workers = await startWorkers({ config, services, redis, logger, metrics });
    closers.push(() => workers.close());
  }
  closers.push(() => validationQueue.close(), () => usageQueue.close(), async () => subscriber.disconnect(), async () => queueConnection.disconnect());
  closers.push(async () => keyListener?.stop());
  closers.push(async () => services.streamSlots.close());
  closers.push(async () => journal?.stop());

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down');
      for (const close of closers) {
        await close().catch((err: unknown) => logger.warn({ err }, 'error while closing'));
      }
      await redis.quit().catch(() => redis.disconnect());
      if (dataPathDb !== db) await dataPathDb.destroy();
      await db.destroy();
      logger.info('stopped');
    })();
    return stopping;
  };

  return { config, logger, db, dataPathDb, redis, metrics, httpServer, url, services, stop };
}

export { DependencyError };
