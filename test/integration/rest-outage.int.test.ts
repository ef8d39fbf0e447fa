import { startAppBehindPgProxy, type AppBehindPgProxy } from '../support/app-behind-pg-proxy';

/**
 * Issue 16: what a REST door cannot serve while Postgres is cut is UNAVAILABLE (503, retry-after),
 * never INTERNAL_SERVER_ERROR, on every route, not only the completion and model routes.
 */
describe('REST doors through a Postgres cut', () => {
  let env: AppBehindPgProxy;
  beforeAll(async () => {
    env = await startAppBehindPgProxy('rest-outage');
  });
  afterAll(() => env.stop());

  it('GET /api/user with a token seen before the cut: 503 UNAVAILABLE with retry-after, not a 500', async () => {
    const { t, proxy } = env;
    const user = await t.createUser();
    const get = () => fetch(`${t.url}/api/user`, { headers: { authorization: `Bearer ${user.token}` } });
    expect((await get()).status).toBe(200);
    proxy.cut();
    try {
      const res = await get();
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect({ status: res.status, code: body.error.code }).toEqual({ status: 503, code: 'unavailable' });
      expect(res.headers.get('retry-after')).toBe('2');
      expect(body.error.message).toMatch(/postgres/);
    } finally {
      await env.heal();
    }
    expect(t.logs.lines.some((l) => /unexpected error/.test(l))).toBe(false);
  });
});
