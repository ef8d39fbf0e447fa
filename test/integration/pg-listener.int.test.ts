import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { createLogger } from '../../src/infra/logger';
import { PgListener } from '../../src/infra/pg-listener';
import { TcpProxy } from '../support/tcp-proxy';
import { adminDatabaseUrl } from '../support/test-env';
import { waitFor } from '../support/wait';

const HEALTH_EVERY_MS = 200;
const HEALTH_TIMEOUT_MS = 300;

/**
 * The LISTEN connection only receives: when its peer goes silent (packets dropped, no RST) no
 * error ever comes, notifications just stop. It must notice by itself, say so (a gap: caches
 * built on it stop trusting themselves) and reconnect once Postgres answers again.
 */
describe('PgListener through a silent outage', () => {
  let proxy: TcpProxy;
  let direct: Client;
  let listener: PgListener | undefined;

  beforeAll(async () => {
    proxy = await new TcpProxy('127.0.0.1', 5432).start();
    direct = new Client({ connectionString: adminDatabaseUrl() });
    await direct.connect();
  });
  afterAll(async () => {
    await listener?.stop();
    await direct.end();
    await proxy.close();
  });

  it('a frozen connection is a gap within the health check bound; after the heal it listens again and hears notifications', async () => {
    const channel = `listener_test_${randomBytes(4).toString('hex')}`;
    const heard: string[] = [];
    let gaps = 0;
    const logger = createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() }));
    listener = new PgListener({
      url: proxy.wrap(adminDatabaseUrl()),
      channel,
      logger,
      onMessage: (payload) => heard.push(payload),
      onGap: () => gaps++,
      healthEveryMs: HEALTH_EVERY_MS,
      healthTimeoutMs: HEALTH_TIMEOUT_MS,
    });
    await listener.start();
    expect(listener.listening).toBe(true);
    const gapsBefore = gaps;

    proxy.freeze();
    const frozenAt = Date.now();
    await waitFor(() => !listener!.listening, 'the listener to notice the frozen connection', 5000, 20);
    expect(Date.now() - frozenAt).toBeLessThan(HEALTH_EVERY_MS + HEALTH_TIMEOUT_MS + 500);
    expect(gaps).toBe(gapsBefore + 1);

    proxy.heal();
    await waitFor(() => listener!.listening, 'the listener to listen again after the heal', 10_000, 20);
    expect(gaps).toBe(gapsBefore + 2);
    await direct.query(`SELECT pg_notify($1, 'after-heal')`, [channel]);
    await waitFor(() => heard.includes('after-heal'), 'a notification sent after the heal', 5000, 20);
    // Healthy again: the checks keep passing, no new gap.
    await new Promise((r) => setTimeout(r, HEALTH_EVERY_MS * 3));
    expect(listener.listening).toBe(true);
    expect(gaps).toBe(gapsBefore + 2);
  }, 30_000);
});
