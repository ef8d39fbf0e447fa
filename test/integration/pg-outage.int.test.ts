import type { Client } from 'pg';
import type { TestApp } from '../support/app';
import { startAppBehindPgProxy, type AppBehindPgProxy } from '../support/app-behind-pg-proxy';
import { CHAT, type ChatEvent } from '../support/chat';
import { collect, wsClient } from '../support/gql-client';
import { ADD_KEY, SET_ENABLED, mockKeyInput, settledStatus } from '../support/keys';
import { restCall } from '../support/rest';
import type { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';

const INPUT = { model: 'openai/gpt-5.4-mini', messages: [{ role: 'USER', content: 'Hi' }] };
const REST_BODY = { model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true };
/** Token lookups expire quickly here, so a check during the cut must read Postgres (or its last known state). */
const AUTH_CACHE_TTL_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('completions through a Postgres outage (issue 16)', () => {
  let env: AppBehindPgProxy;
  let proxy: TcpProxy;
  let t: TestApp;
  /** A connection that bypasses the proxy, to look at the database while the app cannot. */
  let direct: Client;

  beforeAll(async () => {
    env = await startAppBehindPgProxy('pgoutage', { AUTH_CACHE_TTL_MS: String(AUTH_CACHE_TTL_MS) });
    ({ proxy, t, direct } = env);
  });
  afterAll(() => env.stop());

  it('an owner routed before the cut keeps streaming on its open socket; an owner never seen gets UNAVAILABLE (postgres); the record lands once after the heal', async () => {
    const known = await t.createUser();
    const stranger = await t.createUser();
    for (const u of [known, stranger]) {
      const keyId = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input: mockKeyInput('OPENAI', 'good').input }, u.token)).addByokKey.id;
      expect(await settledStatus(t, keyId)).toBe('VALID');
    }
    const knownSocket = wsClient(t.url, known.token);
    const strangerSocket = wsClient(t.url, stranger.token);
    try {
      // Both sockets stay open through the cut (a lazy client would close an idle one).
      for (const socket of [knownSocket, strangerSocket]) {
        const connected = new Promise<void>((resolve) => socket.on('connected', () => resolve()));
        socket.subscribe({ query: 'subscription { byokKeyStatusChanged { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
        await connected;
      }
      const chat = (c: typeof knownSocket) => collect<{ chatCompletion: ChatEvent }>(c, CHAT, { input: INPUT }).done;
      // The known owner routes once before the cut; the stranger never does.
      expect((await chat(knownSocket)).results.at(-1)?.data?.chatCompletion.type).toBe('DONE');

      proxy.cut();
      await new Promise((r) => setTimeout(r, 300));
      const during = await chat(knownSocket);
      expect(during.results.flatMap((r) => r.errors ?? [])).toEqual([]);
      expect(during.results.map((r) => r.data!.chatCompletion.type).slice(-2)).toEqual(['USAGE', 'DONE']);
      const requestId = during.results[0]!.data!.chatCompletion.requestId;

      const refused = await chat(strangerSocket);
      const errors = refused.results.flatMap((r) => r.errors ?? []);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.extensions).toMatchObject({ code: 'UNAVAILABLE', dependency: 'postgres', retryable: true });

      await env.heal();
      const count = async () => ((await direct.query('SELECT count(*)::int n FROM usage_records WHERE request_id = $1', [requestId])).rows[0] as { n: number }).n;
      await waitFor(async () => (await count()) === 1, 'the outage record to land after the heal', 30_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(await count()).toBe(1);
    } finally {
      await env.heal();
      await knownSocket.dispose();
      await strangerSocket.dispose();
    }
  }, 60_000);
  const addKey = async (token: string, organizationId?: string) => {
    const input = { ...mockKeyInput('OPENAI', 'good').input, ...(organizationId ? { organizationId } : {}) };
    const keyId = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, token)).addByokKey.id;
    expect(await settledStatus(t, keyId)).toBe('VALID');
    return keyId;
  };
  const lastType = (r: { results: Array<{ data?: { chatCompletion: ChatEvent } | null }> }) => r.results.at(-1)?.data?.chatCompletion.type;

  it('a token seen before the cut works on a NEW socket and on both REST doors (org-routed too); a token not seen gets UNAVAILABLE: ws 1013 naming postgres, HTTP 503 with retry-after; a key mutation gets UNAVAILABLE', async () => {
    const known = await t.createUser();
    const unseen = await t.createUser();
    const keyId = await addKey(known.token);
    const orgId = (await t.gql.ok<{ createOrganization: { id: string } }>('mutation { createOrganization(name: "Outage") { id } }', {}, known.token)).createOrganization.id;
    await addKey(known.token, orgId);
    const orgHeader = { 'x-organization-id': orgId };
    // Seen before the cut: the token, the user's and the organization's keys, the membership.
    const before = wsClient(t.url, known.token);
    expect(lastType(await collect<{ chatCompletion: ChatEvent }>(before, CHAT, { input: INPUT }).done)).toBe('DONE');
    await before.dispose();
    expect((await restCall(t, '/v1/chat/completions', { token: known.token, body: REST_BODY, headers: orgHeader })).status).toBe(200);
    // Every cached token lookup has expired: a check now reads Postgres.
    await sleep(AUTH_CACHE_TTL_MS * 2);

    proxy.cut();
    const closes: Array<{ code: number; reason: string }> = [];
    const fresh = wsClient(t.url, known.token);
    const refused = wsClient(t.url, unseen.token, { onClosed: (code, reason) => closes.push({ code, reason }) });
    try {
      await sleep(100);
      const during = await collect<{ chatCompletion: ChatEvent }>(fresh, CHAT, { input: INPUT }).done;
      expect(during.results.flatMap((r) => r.errors ?? [])).toEqual([]);
      expect(lastType(during)).toBe('DONE');

      for (const headers of [{}, orgHeader]) {
        const rest = await restCall(t, '/v1/chat/completions', { token: known.token, body: REST_BODY, headers });
        expect(rest.status).toBe(200);
        expect(rest.text).toContain('data: [DONE]');
      }
      const anthropic = await restCall(t, '/v1/messages', {
        token: known.token,
        body: { model: 'openai/gpt-5.4-mini', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] },
        headers: { 'anthropic-version': '2023-06-01' },
      });
      expect(anthropic.status).toBe(200);

      // A token this process has not seen: refused as retryable on every transport, never 4500/500.
      const unseenChat = await collect<{ chatCompletion: ChatEvent }>(refused, CHAT, { input: INPUT }).done;
      expect(unseenChat.error).toBeDefined();
      expect(closes).toHaveLength(1);
      expect(closes[0]!.code).toBe(1013);
      expect(closes[0]!.reason).toMatch(/postgres/);
      const rest = await restCall(t, '/v1/chat/completions', { token: unseen.token, body: REST_BODY });
      expect(rest.status).toBe(503);
      expect(rest.headers['retry-after']).toBe('2');
      expect(rest.json()).toMatchObject({ error: { type: 'server_error', code: 'unavailable' } });
      const messages = await restCall(t, '/v1/messages', { token: unseen.token, body: { model: 'openai/gpt-5.4-mini', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] } });
      expect(messages.status).toBe(503);
      expect(messages.headers['retry-after']).toBe('2');
      const gql = await t.gql.request('{ me { id } }', {}, unseen.token);
      expect(gql.status).toBe(503);
      expect(gql.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', dependency: 'postgres', retryable: true });

      // Key management needs Postgres: UNAVAILABLE, not INTERNAL_SERVER_ERROR.
      const mutation = await t.gql.request(SET_ENABLED, { id: keyId, enabled: false }, known.token);
      expect(mutation.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', dependency: 'postgres', retryable: true });
    } finally {
      await env.heal();
      await fresh.dispose();
      await refused.dispose();
    }
    // Nothing changed while the database was away: the key is still enabled.
    expect(((await direct.query('SELECT enabled FROM byok_keys WHERE id = $1', [keyId])).rows[0] as { enabled: boolean }).enabled).toBe(true);
  }, 60_000);

  it('a request that needs Postgres for something not known (an organization never checked, a dashboard query) gets UNAVAILABLE on every door, never a 500', async () => {
    const u = await t.createUser();
    await addKey(u.token);
    const orgId = (await t.gql.ok<{ createOrganization: { id: string } }>('mutation { createOrganization(name: "Never routed") { id } }', {}, u.token)).createOrganization.id;
    // The token is seen (a model list of the personal keys); the organization never is.
    expect((await restCall(t, '/v1/models', { token: u.token })).status).toBe(200);

    proxy.cut();
    try {
      const orgHeader = { 'x-organization-id': orgId };
      const openai = await restCall(t, '/v1/models', { token: u.token, headers: orgHeader });
      const anthropic = await restCall(t, '/v1/models', { token: u.token, headers: { ...orgHeader, 'anthropic-version': '2023-06-01' } });
      const count = await restCall(t, '/v1/messages/count_tokens', {
        token: u.token,
        headers: { ...orgHeader, 'anthropic-version': '2023-06-01' },
        body: { model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'Hi' }] },
      });
      for (const r of [openai, anthropic, count]) {
        expect(r.status).toBe(503);
        expect(r.headers['retry-after']).toBe('2');
      }
      expect(openai.json()).toMatchObject({ error: { type: 'server_error', code: 'unavailable' } });
      expect(anthropic.json()).toMatchObject({ type: 'error', error: { type: 'api_error' } });

      const now = Date.now();
      const filter = { from: new Date(now - 86_400_000).toISOString(), to: new Date(now).toISOString() };
      for (const query of [
        'query($f: UsageFilter!) { usageSummary(filter: $f) { totals { requests } } }',
        'query($f: UsageFilter!) { usageRecords(filter: $f) { edges { node { id } } } }',
      ]) {
        const dashboard = await t.gql.request(query, { f: filter }, u.token);
        expect(dashboard.errors?.map((e) => e.extensions?.code)).toEqual(['UNAVAILABLE']);
      }
    } finally {
      await env.heal();
    }
  }, 60_000);

  it('a key disabled just before the cut (its notification lost) is honoured within seconds of the heal', async () => {
    const u = await t.createUser();
    const keyId = await addKey(u.token);
    expect((await restCall(t, '/v1/chat/completions', { token: u.token, body: REST_BODY })).status).toBe(200);

    // Another instance disables the key; the proxy holds the NOTIFY back and the cut loses it.
    proxy.freeze();
    await direct.query('UPDATE byok_keys SET enabled = false WHERE id = $1', [keyId]);
    await sleep(100);
    proxy.cut();
    await sleep(300);
    await env.heal();
    const healedAt = Date.now();
    const refusedWithin = await waitFor(
      async () => {
        const r = await restCall(t, '/v1/chat/completions', { token: u.token, body: REST_BODY });
        return r.status === 403 && (r.json() as { error: { code: string } }).error.code === 'byok_key_disabled' ? Date.now() - healedAt : undefined;
      },
      'the disabled key to be honoured after the heal',
      10_000,
      100,
    );
    expect(refusedWithin).toBeLessThan(5000);
    // And it stays honoured once the LISTEN connection is back and the cache trusts itself again.
    await sleep(3000);
    const later = await restCall(t, '/v1/chat/completions', { token: u.token, body: REST_BODY });
    expect(later.status).toBe(403);
  }, 60_000);
});
