import type { DataSource } from 'typeorm';
import { createDataSource, ensureDatabase } from '../src/infra/database';
import { dropDatabase } from '../test/support/app';
import { SEED_SHAPE, insertUsageChunk, seedTenants, type SeedActors } from './usage-seed';

export interface SeedInfo {
  seeded: boolean;
  seconds: number | null;
  actors: SeedActors;
  rollupRows: { model: number; user: number };
  sizesMb: { records: number; modelRollup: number; userRollup: number };
}

const DAY_MS = 86_400_000;

/**
 * Opens the bench database holding exactly `rows` seeded records, reusing it when it already
 * does; otherwise it is dropped, recreated and migrated (a run that died mid-load leaves nothing
 * behind), then bulk-loaded the way an operator would: secondary indexes and the rollup triggers
 * off during the load, then the indexes rebuilt and the rollups recomputed (usage_rollups_rebuild,
 * the function the migration backfills with), then VACUUM ANALYZE.
 */
export async function openSeeded(url: string, rows: number, force: boolean): Promise<{ db: DataSource; seed: SeedInfo }> {
  const open = async () => {
    await ensureDatabase(url);
    const db = createDataSource(url);
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
    return db;
  };
  let db = await open();
  const [have] = (await db.query('SELECT count(*)::int AS n FROM usage_records')) as Array<{ n: number }>;
  const reseed = force || have?.n !== rows;
  if (reseed) {
    console.log(`  seed: the database holds ${(have?.n ?? 0).toLocaleString('en-US')} records; recreating it for ${rows.toLocaleString('en-US')}`);
    await db.destroy();
    await dropDatabase(decodeURIComponent(new URL(url).pathname.slice(1)));
    db = await open();
  }
  try {
    return { db, seed: await load(db, rows, reseed) };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}

async function load(db: DataSource, rows: number, reseed: boolean): Promise<SeedInfo> {
  let seconds: number | null = null;
  const actors = await seedTenants(db);
  if (reseed) {
    const started = Date.now();
    const log = (msg: string) => console.log(`  seed ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s  ${msg}`);
    log(`loading ${rows.toLocaleString('en-US')} records`);
    // Every index but the primary keys, on the records and on both rollups: built once at the end.
    const indexes = (await db.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
         AND tablename IN ('usage_records', 'usage_rollups_by_model', 'usage_rollups_by_user')
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')`,
    )) as Array<{ indexname: string; indexdef: string }>;
    for (const i of indexes) await db.query(`DROP INDEX "${i.indexname}"`);
    await db.query('ALTER TABLE usage_records DISABLE TRIGGER USER');
    try {
      const end = Date.now();
      const start = end - SEED_SHAPE.days * DAY_MS;
      const chunks = Math.ceil(rows / SEED_SHAPE.chunkRows);
      for (let c = 0; c < chunks; c++) {
        const from = new Date(start + (c * (end - start)) / chunks).toISOString();
        const to = new Date(start + ((c + 1) * (end - start)) / chunks).toISOString();
        await insertUsageChunk(db, Math.min(SEED_SHAPE.chunkRows, rows - c * SEED_SHAPE.chunkRows), from, to);
        if ((c + 1) % 10 === 0 || c + 1 === chunks) log(`${Math.min(rows, (c + 1) * SEED_SHAPE.chunkRows).toLocaleString('en-US')} records`);
      }
      await db.transaction(async (tx) => {
        await tx.query(`SET LOCAL work_mem = '256MB'`);
        await tx.query('SELECT usage_rollups_rebuild()');
      });
      log('rollups rebuilt');
      for (const i of indexes) {
        await db.query(i.indexdef);
        log(`index ${i.indexname}`);
      }
    } finally {
      await db.query('ALTER TABLE usage_records ENABLE TRIGGER USER');
    }
    await db.query('VACUUM ANALYZE usage_records');
    await db.query('VACUUM ANALYZE usage_rollups_by_model');
    await db.query('VACUUM ANALYZE usage_rollups_by_user');
    seconds = (Date.now() - started) / 1000;
    log('done');
  }
  const [r] = (await db.query(
    `SELECT (SELECT count(*) FROM usage_rollups_by_model)::int AS model, (SELECT count(*) FROM usage_rollups_by_user)::int AS user,
       pg_total_relation_size('usage_records') AS records, pg_total_relation_size('usage_rollups_by_model') AS m,
       pg_total_relation_size('usage_rollups_by_user') AS u`,
  )) as Array<{ model: number; user: number; records: string; m: string; u: string }>;
  const mb = (b: string | undefined) => Number(b ?? 0) / 1024 / 1024;
  return {
    seeded: seconds !== null,
    seconds,
    actors,
    rollupRows: { model: r?.model ?? 0, user: r?.user ?? 0 },
    sizesMb: { records: mb(r?.records), modelRollup: mb(r?.m), userRollup: mb(r?.u) },
  };
}
