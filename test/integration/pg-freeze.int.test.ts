import type { TestApp } from '../support/app';
import { startAppBehindPgProxy, type AppBehindPgProxy } from '../support/app-behind-pg-proxy';
import { CHAT, type ChatEvent } from '../support/chat';
import { collect, wsClient } from '../support/gql-client';
import { ADD_KEY, mockKeyInput, settledStatus } from '../support/keys';
import { restCall } from '../support/rest';
import type { TcpProxy } from '../support/tcp-proxy';

const INPUT = { model: 'openai/gpt-5.4-mini', messages: [{ role: 'USER', content: 'Hi' }] };
const REST_BODY = { model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true };
/** Token lookups expire quickly here, so a check during the freeze must read Postgres (or its last known state). */
const AUTH_CACHE_TTL_MS = 300;
/** DB_DATA_PATH_TIMEOUT of this app: a data-path read with no answer by then counts as Postgres unreachable. */
const BOUND_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A silent outage (issue 16 follow-up): the proxy drops nothing and resets nothing, it just stops
 * forwarding, as a partition does. Without a bound the data path's reads wait forever.
 */
describe('completions through a silent Postgres outage (proxy frozen, no RST)', () => {
  let env: AppBehindPgProxy;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    env = await startAppBehindPgProxy('pgfreeze', { AUTH_CACHE_TTL_MS: String(AUTH_CACHE_TTL_MS), DB_DATA_PATH_TIMEOUT: `${BOUND_MS}ms` });
    ({ proxy, t } = env);
  });
  afterAll(() => env.stop());

  const addKey = async (token: string) => {
    const keyId = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input: mockKeyInput('OPENAI', 'good').input }, token)).addByokKey.id;
    expect(await settledStatus(t, keyId)).toBe('VALID');
  };
  const timed = async <T>(p: Promise<T>): Promise<[T, number]> => {
    const started = Date.now();
    const out = await p;
    return [out, Date.now() - started];
  };

  it('a known token on a NEW socket streams to DONE within seconds; an unknown token, or a membership never checked, gets UNAVAILABLE within the bound', async () => {
    const known = await t.createUser();
    const unseen = await t.createUser();
    await addKey(known.token);
    const orgId = (await t.gql.ok<{ createOrganization: { id: string } }>('mutation { createOrganization(name: "Frozen") { id } }', {}, known.token)).createOrganization.id;
    const before = wsClient(t.url, known.token);
    expect((await collect<{ chatCompletion: ChatEvent }>(before, CHAT, { input: INPUT }).done).results.at(-1)?.data?.chatCompletion.type).toBe('DONE');
    await before.dispose();
    // Every cached token lookup has expired: a check now reads Postgres.
    await sleep(AUTH_CACHE_TTL_MS * 2);

    proxy.freeze();
    const closes: Array<{ code: number; reason: string }> = [];
    const fresh = wsClient(t.url, known.token);
    const refused = wsClient(t.url, unseen.token, { onClosed: (code, reason) => closes.push({ code, reason }) });
    try {
      const [during, tookMs] = await timed(collect<{ chatCompletion: ChatEvent }>(fresh, CHAT, { input: INPUT }).done);
      expect(during.results.flatMap((r) => r.errors ?? [])).toEqual([]);
      expect(during.results.at(-1)?.data?.chatCompletion.type).toBe('DONE');
      expect(tookMs).toBeLessThan(5 * BOUND_MS);

      const [rest, restMs] = await timed(restCall(t, '/v1/chat/completions', { token: known.token, body: REST_BODY }));
      expect(rest.status).toBe(200);
      expect(rest.text).toContain('data: [DONE]');
      expect(restMs).toBeLessThan(5 * BOUND_MS);
      // Postgres was just found unreachable: the next request does not wait out the bound again.
      const [again, againMs] = await timed(restCall(t, '/v1/chat/completions', { token: known.token, body: REST_BODY }));
      expect(again.status).toBe(200);
      expect(againMs).toBeLessThan(BOUND_MS / 2);

      const [unseenChat, unseenMs] = await timed(collect<{ chatCompletion: ChatEvent }>(refused, CHAT, { input: INPUT }).done);
      expect(unseenChat.error).toBeDefined();
      expect(closes).toEqual([expect.objectContaining({ code: 1013 })]);
      expect(unseenMs).toBeLessThan(3 * BOUND_MS);

      const [unseenRest, unseenRestMs] = await timed(restCall(t, '/v1/chat/completions', { token: unseen.token, body: REST_BODY }));
      expect(unseenRest.status).toBe(503);
      expect(unseenRest.headers['retry-after']).toBe('2');
      expect(unseenRestMs).toBeLessThan(3 * BOUND_MS);

      // The known token, in an organization whose membership this process never checked.
      const [models, modelsMs] = await timed(restCall(t, '/v1/models', { token: known.token, headers: { 'x-organization-id': orgId } }));
      expect(models.status).toBe(503);
      expect(models.json()).toMatchObject({ error: { code: 'unavailable' } });
      expect(modelsMs).toBeLessThan(3 * BOUND_MS);

      // Readiness says so within the bound instead of hanging.
      const [ready, readyMs] = await timed(restCall(t, '/readyz'));
      expect(ready.status).toBe(503);
      expect(readyMs).toBeLessThan(3 * BOUND_MS);
    } finally {
      await env.heal();
      await fresh.dispose();
      await refused.dispose();
    }
    // After the heal, the token not seen before works again.
    const healed = await restCall(t, '/v1/chat/completions', { token: unseen.token, body: REST_BODY });
    expect(healed.status).not.toBe(503);
  }, 60_000);
});
