import { createDataSource, ensureDatabase } from '../../src/infra/database';
import { dropDatabase } from '../support/app';
import { uniqueNames } from '../support/test-env';

describe('migrations', () => {
  it('run on an empty database, and leave nothing for migration:generate to produce', async () => {
    const names = uniqueNames('migrations');
    await ensureDatabase(names.databaseUrl);
    const db = createDataSource(names.databaseUrl);
    await db.initialize();
    try {
      const applied = await db.runMigrations({ transaction: 'each' });
      expect(applied.length).toBeGreaterThan(0);
      // What `typeorm migration:generate --check` computes: the diff between entities and schema.
      const diff = await db.driver.createSchemaBuilder().log();
      expect(diff.upQueries.map((q) => q.query)).toEqual([]);
      // And they undo cleanly, newest first.
      for (let i = 0; i < applied.length; i++) await db.undoLastMigration({ transaction: 'each' });
      const tables = (await db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'",
      )) as unknown[];
      expect(tables).toEqual([]);
    } finally {
      await db.destroy();
      await dropDatabase(names.dbName);
    }
  });
});
