import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startApp, type AppHandle } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/infra/logger';
import { dropDatabase } from '../../test/support/app';
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEYS, TEST_REDIS_URL, adminDatabaseUrl } from '../../test/support/test-env';
import { BenchGql } from './gql';
import { onInterrupt } from './interrupt';
import { LogSink, type LogSummary } from './log-sink';

/** The real service booted in-process for a bench, with its own database and queue prefix. */
export interface BenchService {
  app: AppHandle;
  /** `http://127.0.0.1:<port>` */
  url: string;
  gql: BenchGql;
  adminToken: string;
  databaseName: string;
  queuePrefix: string;
  /** Creates a user through the public API with the admin token. */
  createUser(email: string): Promise<{ id: string; token: string }>;
  logs(): LogSummary;
  /** Stops the service, drops its database and deletes its queue prefix's Redis keys. */
  stop(): Promise<void>;
}

/**
 * Boots the service the way test/support/app.ts does (real Postgres and Redis, port 0, captured
 * logs) but without jest: database `byok_bench_<name>` (dropped before, in case an earlier run
 * died, and after), a fresh queue prefix, LOG_LEVEL warn. `env` overrides anything, e.g. the
 * mock upstream's base URLs or VALIDATION_RATE_PER_PROVIDER; everything not given keeps the
 * service's defaults, which is what a bench should measure.
 */
export async function startBenchService(name: string, env: Record<string, string> = {}): Promise<BenchService> {
  const databaseName = `byok_bench_${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`.slice(0, 63);
  const queuePrefix = `${databaseName}_${randomBytes(3).toString('hex')}`.slice(0, 64);
  const dbUrl = new URL(adminDatabaseUrl());
  dbUrl.pathname = `/${databaseName}`;
  await dropDatabase(databaseName);

  const sink = new LogSink();
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    ...env,
  });
  const cleanUp = async (app?: AppHandle): Promise<void> => {
    await app?.stop();
    await dropDatabase(databaseName);
    await deleteRedisPrefix(config.redisUrl, queuePrefix);
  };

  let app: AppHandle | undefined;
  // Registered before the boot: an interrupt while migrating must still drop the database.
  const unregister = onInterrupt(() => cleanUp(app));
  try {
    app = await startApp(config, { logger: createLogger(config.logLevel, sink) });
  } catch (err) {
    unregister();
    await cleanUp().catch(() => undefined);
    throw err;
  }
  const url = app.url;
  if (!url) {
    unregister();
    await cleanUp(app);
    throw new Error('the service did not start its HTTP server (ROLE must be all or api)');
  }
  const gql = new BenchGql(url);
  return {
    app,
    url,
    gql,
    adminToken: TEST_ADMIN_TOKEN,
    databaseName,
    queuePrefix,
    async createUser(email) {
      const d = await gql.ok<{ createUser: { user: { id: string }; token: string } }>(
        'mutation($e: String!) { createUser(email: $e) { user { id } token } }',
        { e: email },
        TEST_ADMIN_TOKEN,
      );
      return { id: d.createUser.user.id, token: d.createUser.token };
    },
    logs: () => sink.summary(),
    async stop() {
      unregister();
      await cleanUp(app);
    },
  };
}

/** Deletes every Redis key under `<prefix>:` (BullMQ queues, rate-limit counters), in batches. */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
  return deleted;
}
