import type { AppHandle } from '../../src/app';

/**
 * Every SQL statement the app runs while `fn` runs (through TypeORM's logger, on both of its pools:
 * the data path's reads go through their own), and fn's result.
 */
export async function sqlDuring<T>(app: AppHandle, fn: () => Promise<T>): Promise<{ sql: string[]; result: T }> {
  const sql: string[] = [];
  const restore = [...new Set([app.db, app.dataPathDb])].map((db) => {
    const logger = db.logger;
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (...args: Parameters<typeof original>) => {
      sql.push(args[0]);
      return original(...args);
    };
    return () => {
      logger.logQuery = original;
    };
  });
  try {
    return { sql, result: await fn() };
  } finally {
    for (const r of restore) r();
  }
}
