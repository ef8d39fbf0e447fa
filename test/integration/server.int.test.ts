import { wsClient } from '../support/gql-client';
import { startTestApp, type TestApp } from '../support/app';

describe('HTTP and WebSocket surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('server');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('GET /healthz answers while the process is up', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 when Postgres and Redis answer, 503 naming the one that does not', async () => {
    const ok = await fetch(`${t.url}/readyz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });

    // Cut this app's Redis connection: readiness must say so, by name.
    t.app.redis.disconnect();
    const down = await fetch(`${t.url}/readyz`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { checks: Record<string, string> };
    expect(body.checks.postgres).toBe('ok');
    expect(body.checks.redis).not.toBe('ok');
    await t.app.redis.connect();
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });

  it('GET /metrics exposes process, HTTP and GraphQL metrics by operation name, never by token', async () => {
    const u = await t.createUser();
    await t.gql.ok('query WhoAmI { me { id } }', {}, u.token);
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/);
    expect(text).toMatch(/graphql_operations_total\{operation="WhoAmI",type="query",outcome="ok"\} 1/);
    expect(text).toContain('graphql_operation_duration_seconds_bucket');
    expect(text).not.toContain(u.token);
    expect(text).not.toContain(u.id);
  });

  it('rejects a query deeper than the limit with a clear BAD_USER_INPUT', async () => {
    const u = await t.createUser();
    let sel = 'id';
    for (let i = 0; i < 6; i++) sel = `organizations { organization { members { user { ${sel} } } } }`;
    const r = await t.gql.request(`{ me { ${sel} } }`, {}, u.token);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/Query depth limit of 10 exceeded, found \d+/);
  });

  it('a syntax error or unknown field is BAD_USER_INPUT', async () => {
    const u = await t.createUser();
    expect(await t.gql.code('{ me { id ', {}, u.token)).toBe('BAD_USER_INPUT');
    expect(await t.gql.code('{ me { password } }', {}, u.token)).toBe('BAD_USER_INPUT');
  });

  it('a WebSocket with a bad token is closed with 4401 and a reason before any subscription starts', async () => {
    for (const token of [undefined, 'byok_unknown', t.adminToken]) {
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        const c = wsClient(t.url, token, { onClosed: (code, reason) => resolve({ code, reason }) });
        c.subscribe({ query: 'subscription { __typename }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      });
      const { code, reason } = await closed;
      expect(code).toBe(4401);
      expect(reason).toMatch(/^Unauthorized: /);
    }
  });

  it('a WebSocket with a good token is accepted (connection_ack)', async () => {
    const u = await t.createUser();
    const acked = new Promise<boolean>((resolve, reject) => {
      const c = wsClient(t.url, u.token);
      c.on('connected', () => {
        resolve(true);
        void c.dispose();
      });
      c.on('closed', (e) => reject(new Error(`closed ${(e as { code: number }).code}`)));
      c.subscribe({ query: 'subscription { __typename }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    expect(await acked).toBe(true);
  });
});
