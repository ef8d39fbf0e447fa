import { Client } from 'pg';
import { startApp, type AppHandle } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/infra/logger';
import { HttpGql } from './gql-client';
import { LogCapture } from './log-capture';
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEYS, TEST_REDIS_URL, adminDatabaseUrl, uniqueNames } from './test-env';

export interface TestApp {
  app: AppHandle;
  url: string;
  gql: HttpGql;
  logs: LogCapture;
  adminToken: string;
  databaseUrl: string;
  queuePrefix: string;
  /** Creates a user through the public API and returns its id and token. */
  createUser(email?: string): Promise<{ id: string; token: string; email: string }>;
  stop(): Promise<void>;
}

let counter = 0;

/**
 * Boots the real service in-process against real Postgres and Redis: its own database and
 * queue prefix per call, every log line captured.
 */
export async function startTestApp(
  label: string,
  env: Record<string, string> = {},
  shared?: { databaseUrl: string; queuePrefix: string; dbName: string },
): Promise<TestApp> {
  const names = shared ?? uniqueNames(label);
  const logs = new LogCapture();
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: names.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: names.queuePrefix,
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'debug',
    ...env,
  });
  const app = await startApp(config, { logger: createLogger('debug', logs) });
  const url = app.url!;
  const gql = new HttpGql(url);
  return {
    app,
    url,
    gql,
    logs,
    adminToken: TEST_ADMIN_TOKEN,
    databaseUrl: names.databaseUrl,
    queuePrefix: names.queuePrefix,
    async createUser(email = `user${++counter}-${Date.now()}@example.com`) {
      const d = await gql.ok<{ createUser: { user: { id: string }; token: string } }>(
        'mutation($e: String!) { createUser(email: $e) { user { id } token } }',
        { e: email },
        TEST_ADMIN_TOKEN,
      );
      return { id: d.createUser.user.id, token: d.createUser.token, email };
    },
    async stop() {
      await app.stop();
      if (!shared) await dropDatabase(names.dbName);
    },
  };
}

export async function dropDatabase(name: string): Promise<void> {
  const c = new Client({ connectionString: adminDatabaseUrl() });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/** Counts rows of a table in the app's database (to prove a rejected request wrote nothing). */
export async function countRows(app: AppHandle, table: string): Promise<number> {
  const rows = (await app.db.query(`SELECT count(*)::int AS n FROM "${table}"`)) as Array<{ n: number }>;
  return rows[0]?.n ?? 0;
}

/** `shared` for a second instance of `t`: the same database and queue prefix (another process of one deployment). */
export function sameDeployment(t: TestApp): { databaseUrl: string; queuePrefix: string; dbName: string } {
  return { databaseUrl: t.databaseUrl, queuePrefix: t.queuePrefix, dbName: new URL(t.databaseUrl).pathname.slice(1) };
}
