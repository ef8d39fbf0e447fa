import { Client } from 'pg';
import type { AppConfig } from './config/config';
import { maskUrlPassword } from './crypto/redaction';
import { connectRedisOnce } from './infra/redis';

/** An expected start-up failure: printed as one clear line, no stack trace. */
export class DependencyError extends Error {
  override name = 'DependencyError';
}

const BOOT_TIMEOUT_MS = 4000;

/**
 * Checks that Postgres and Redis answer before anything else starts, so a missing service is
 * one clear line naming the URL (password masked) and how to start it, within seconds.
 */
export async function checkDependencies(config: AppConfig): Promise<void> {
  const [pg, redis] = await Promise.all([checkPostgres(config.databaseUrl), checkRedis(config.redisUrl)]);
  const problems = [pg, redis].filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new DependencyError(problems.join('\n'));
}

async function checkPostgres(url: string): Promise<string | undefined> {
  // The server's maintenance database: ours may not exist yet (it is created next).
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: BOOT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (
      `Cannot reach Postgres at ${maskUrlPassword(url)} (${describe(err)}). ` +
      'Start it with `docker compose up -d postgres`, or install Debian\'s package ' +
      '(`apt-get install postgresql`) and run `pg_ctlcluster <version> main start`; or set DATABASE_URL.'
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkRedis(url: string): Promise<string | undefined> {
  try {
    await connectRedisOnce(url, BOOT_TIMEOUT_MS);
    return undefined;
  } catch (err) {
    return (
      `Cannot reach Redis at ${maskUrlPassword(url)} (${describe(err)}). ` +
      'Start it with `docker compose up -d redis`, or install Debian\'s package ' +
      '(`apt-get install redis-server`) and run `redis-server --daemonize yes`; or set REDIS_URL.'
    );
  }
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: Array<{ code?: string }> };
  const code = e.code ?? e.errors?.[0]?.code;
  return (code ?? e.message ?? 'unknown error').toString().slice(0, 120);
}
