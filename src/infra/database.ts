import { Client, type ClientConfig } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from '../../migrations';

/** DataSource options shared by the app, the TypeORM CLI (ormconfig.ts) and tests. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    // gen_random_uuid() is built into Postgres 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: false,
    // keepAlive: the kernel probes an idle connection, so one whose peer died silently (no RST)
    // errors out and leaves the pool instead of hanging the next query on it.
    extra: { max: 20, connectionTimeoutMillis: 5000, application_name: 'byok-gateway', keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS },
  };
}

/** Idle time before the kernel's first keepalive probe on a Postgres connection. */
export const KEEPALIVE_IDLE_MS = 10_000;

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}

/**
 * The pool of the data path's reads (token checks, membership checks for routing, routing's key
 * loads), which have a last known state to fall back on: a read that has no answer within
 * `timeoutMs` fails (pg's `query_timeout`; `connectionTimeoutMillis` bounds getting a
 * connection) and counts as "Postgres unreachable", as a refused connection does. Without it a
 * silent outage (packets dropped, no RST) hangs every completion for as long as the kernel waits.
 * A pool of its own because the bound would break the rest: migrations, dashboards and jobs may
 * take longer than a data-path read ever should.
 */
export function createDataPathDataSource(url: string, timeoutMs: number): DataSource {
  const base = dataSourceOptions(url);
  return new DataSource({
    ...base,
    migrations: [],
    extra: {
      max: 10,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      application_name: 'byok-gateway-data-path',
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
      Client: ReadTimeoutClosingClient,
    },
  } as DataSourceOptions);
}

/**
 * pg's Client, except that a query that timed out (`query_timeout`) also closes its connection.
 * pg answers the caller but keeps the connection waiting for the late answer, and the pool hands
 * it out again: every query queued behind the lost one would time out too, until the kernel gives
 * up on the socket (minutes). Closed, the pool opens a fresh connection for the next read.
 */
class ReadTimeoutClosingClient extends Client {
  constructor(config?: ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const out = query(...args);
      if (out instanceof Promise) out.catch((err: unknown) => this.closeAfterReadTimeout(err));
      return out;
    }) as Client['query'];
  }

  private closeAfterReadTimeout(err: unknown): void {
    if ((err as Error | undefined)?.message === QUERY_READ_TIMEOUT) this.connection.stream.destroy();
  }
}

/** pg's message for a query that outlived `query_timeout` (pg/lib/client.js). */
export const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * Creates the database named in `url` when it does not exist yet, by connecting to the
 * server's `postgres` database. Safe under concurrent starts.
 */
export async function ensureDatabase(url: string, timeoutMs = 5000): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) {
    throw new Error(`DATABASE_URL names database ${JSON.stringify(name)}: use letters, digits, _ or -`);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: timeoutMs });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created meanwhile by another instance
      });
    }
  } finally {
    await client.end();
  }
}
