import { Client } from 'pg';
import { dropDatabase, startTestApp, type TestApp } from './app';
import { startMockUpstream, type MockUpstream } from './mock-upstream';
import { TcpProxy } from './tcp-proxy';
import { uniqueNames } from './test-env';
import { FAST_VALIDATION_ENV } from './validation-env';

/** The app reaching Postgres through a TCP proxy a test can cut, and the mock upstream. */
export interface AppBehindPgProxy {
  mock: MockUpstream;
  proxy: TcpProxy;
  t: TestApp;
  /** A connection that bypasses the proxy, to look at the database while the app cannot. */
  direct: Client;
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
    async stop() {
      await direct.end();
      await t.stop();
      await proxy.close();
      await mock.close();
      await dropDatabase(names.dbName);
    },
  };
}
