import { wsClient } from '../support/gql-client';
import { dropDatabase } from '../support/app';
import { FROM_SOURCE, closedPort, startServiceProcess } from '../support/service-process';
import { TEST_ADMIN_TOKEN, TEST_REDIS_URL, uniqueNames } from '../support/test-env';
import { waitFor } from '../support/wait';

/** Runs the real entry point (src/main.ts) as its own process, as `npm start` does. */
const startProcess = (env: Record<string, string>) => startServiceProcess(FROM_SOURCE, env);

describe('the process (src/main.ts)', () => {
  it('exits non-zero within 10 s with one clear line when Postgres is unreachable (password masked)', async () => {
    const port = await closedPort();
    const p = startProcess({ DATABASE_URL: `postgres://app:hunter2secret@127.0.0.1:${port}/byok`, REDIS_URL: TEST_REDIS_URL });
    const { code, ms } = await p.exited;
    expect(code).toBe(1);
    expect(ms).toBeLessThan(10_000);
    const out = p.out();
    expect(out).toContain(`Cannot reach Postgres at postgres://app:***@127.0.0.1:${port}/byok (ECONNREFUSED)`);
    expect(out).toContain('docker compose up -d');
    expect(out).not.toContain('hunter2secret');
    expect(out).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits non-zero within 10 s with one clear line when Redis is unreachable', async () => {
    const port = await closedPort();
    const p = startProcess({ REDIS_URL: `redis://:topsecretpw@127.0.0.1:${port}` });
    const { code, ms } = await p.exited;
    expect(code).toBe(1);
    expect(ms).toBeLessThan(10_000);
    expect(p.out()).toContain(`Cannot reach Redis at redis://:***@127.0.0.1:${port} (ECONNREFUSED)`);
    expect(p.out()).not.toContain('topsecretpw');
    expect(p.out()).not.toMatch(/\n\s+at /);
  });

  it('refuses a bad configuration value, naming the variable', async () => {
    const p = startProcess({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.out()).toContain('PORT: Expected number');
    expect(p.out()).toContain('LOG_LEVEL:');
  });

  it('production refuses to start without ENCRYPTION_KEYS', async () => {
    const p = startProcess({ NODE_ENV: 'production', ENCRYPTION_KEYS: '' });
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.out()).toContain('ENCRYPTION_KEYS: required in production');
  });

  it('on SIGTERM in production: closes subscriptions with 1001, finishes, exits 0 within 10 s', async () => {
    const names = uniqueNames('sigterm');
    const port = await closedPort();
    const p = startProcess({
      DATABASE_URL: names.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: names.queuePrefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      // Production, as deployed: libraries behave differently outside NODE_ENV=test.
      NODE_ENV: 'production',
    });
    try {
      // ts-node transpiles every file at start: 7 s of CPU, 40 s and more on a busy machine
      // (bench/README.md "startup").
      await waitFor(() => p.out().includes('serving GraphQL'), 'the service to listen', 90_000);
      const url = `http://127.0.0.1:${port}`;
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        body: JSON.stringify({ query: 'mutation { createUser(email: "sig@example.com") { token } }' }),
      });
      const token = ((await res.json()) as { data: { createUser: { token: string } } }).data.createUser.token;
      const closed = new Promise<number>((resolveClose) => {
        const c = wsClient(url, token, { onClosed: (code) => resolveClose(code) });
        // A real, open-ended subscription: the socket stays open until the server closes it.
        c.subscribe({ query: 'subscription { byokKeyStatusChanged { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
        c.on('connected', () => setTimeout(() => p.child.kill('SIGTERM'), 200));
      });
      const started = Date.now();
      expect(await closed).toBe(1001);
      const { code } = await p.exited;
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(p.out()).toContain('"msg":"stopped"');
    } finally {
      p.child.kill('SIGKILL');
      await dropDatabase(names.dbName);
    }
  }, 120_000);
});
