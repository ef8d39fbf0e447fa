import { randomBytes } from 'node:crypto';

/** A fixed master key for tests (not a secret: it protects only test fixtures). */
export const TEST_ENCRYPTION_KEYS = `test1:${Buffer.alloc(32, 7).toString('base64')}`;
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

const PG_BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh database URL (created by the app at boot) and queue prefix per test file. */
export function uniqueNames(label: string): { databaseUrl: string; queuePrefix: string; dbName: string } {
  const id = `${label.replace(/[^a-z0-9]/gi, '').slice(0, 20).toLowerCase()}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const url = new URL(PG_BASE);
  url.pathname = `/byok_t_${id}`;
  return { databaseUrl: url.toString(), queuePrefix: `byok_t_${id}`, dbName: `byok_t_${id}` };
}

export function adminDatabaseUrl(): string {
  return PG_BASE;
}
