import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { createDataPathDataSource } from '../../src/infra/database';
import { isPostgresUnreachable } from '../../src/infra/pg-errors';
import { TcpProxy } from '../support/tcp-proxy';
import { adminDatabaseUrl } from '../support/test-env';
import { waitFor } from '../support/wait';

const BOUND_MS = 300;

describe("the data path's pool through a silent outage", () => {
  let proxy: TcpProxy;
  let pool: DataSource;

  beforeAll(async () => {
    proxy = await new TcpProxy('127.0.0.1', 5432).start();
    pool = createDataPathDataSource(proxy.wrap(adminDatabaseUrl()), BOUND_MS);
    await pool.initialize();
  });
  afterAll(async () => {
    proxy.heal();
    await pool.destroy();
    await proxy.close();
  });

  /**
   * The pool's connections, as pg-pool counts them. (Postgres' own view would not show the close:
   * the frozen proxy does not read, so it passes no close on until the heal.)
   */
  const connections = () => ((pool.driver as PostgresDriver).master as Pool).totalCount;

  it('a read with no answer fails within the bound as "Postgres unreachable", its connection is closed, not handed out again; after the heal reads work at once', async () => {
    await pool.query('SELECT 1');
    expect(connections()).toBe(1);

    proxy.freeze();
    const started = Date.now();
    const err = await pool.query('SELECT 1').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(BOUND_MS + 500);
    expect(err).toBeDefined();
    expect(isPostgresUnreachable(err)).toBe(true);
    // Closed, though its peer never answered: the next read gets a fresh connection, not this one.
    await waitFor(() => connections() === 0, 'the timed-out connection to leave the pool', 3000);

    proxy.heal();
    await expect(pool.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  }, 20_000);
});
