import type { AppHandle } from '../../src/app';

/** Every SQL statement the app runs while `fn` runs (through TypeORM's logger), and fn's result. */
export async function sqlDuring<T>(app: AppHandle, fn: () => Promise<T>): Promise<{ sql: string[]; result: T }> {
  const logger = app.db.logger;
  const original = logger.logQuery.bind(logger);
  const sql: string[] = [];
  logger.logQuery = (...args: Parameters<typeof original>) => {
    sql.push(args[0]);
    return original(...args);
  };
  try {
    return { sql, result: await fn() };
  } finally {
    logger.logQuery = original;
  }
}
