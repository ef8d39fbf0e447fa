import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { dropDatabase, startTestApp, type TestApp } from './app';
import { startMockUpstream, type MockUpstream } from './mock-upstream';
import { restCall } from './rest';
import { TcpProxy } from './tcp-proxy';
import { uniqueNames } from './test-env';
import { waitFor } from './wait';
import { FAST_VALIDATION_ENV } from './validation-env';

/** The app reaching Postgres through a TCP proxy a test can cut, and the mock upstream. */
export interface AppBehindPgProxy {
  mock: MockUpstream;
  proxy: TcpProxy;
  t: TestApp;
  /** A connection that bypasses the proxy, to look at the database while the app cannot. */
  direct: Client;
  /**
   * Heals the proxy and waits until the app's data path asks Postgres again: right after an
   * unreachable answer its reads fail fast for a moment (DataPathGate), as a client's retry would see.
   */
  heal(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAppBehindPgProxy(label: string, env: Record<string, string> = {}): Promise<AppBehindPgProxy> {
  const mock = await startMockUpstream();
  const proxy = await new TcpProxy('127.0.0.1', 5432).start();
  const names = uniqueNames(label);
  const t = await startTestApp(label, { ...mock.env(), ...FAST_VALIDATION_ENV, ...env, DATABASE_URL: proxy.wrap(names.databaseUrl) }, names);
  const direct = new Client({ connectionString: names.databaseUrl });
  await direct.connect();
  return {
    mock,
    proxy,
    t,
    direct,
    async heal() {
      proxy.heal();
      // A token never seen (refusals are cached: a new one each time) needs a read: 401 once
      // Postgres answers, 503 while reads fail fast.
      const unseen = () => `byok_${randomBytes(24).toString('base64url')}`;
      await waitFor(async () => (await restCall(t, '/v1/models', { token: unseen() })).status !== 503, 'the data path to ask Postgres again', 10_000);
    },
    async stop() {
      await direct.end();
      await t.stop();
      await proxy.close();
      await mock.close();
      await dropDatabase(names.dbName);
    },
  };
}
