import type { Client } from 'graphql-ws';
import { sameDeployment, startTestApp, type TestApp } from '../support/app';
import { collect, wsClient } from '../support/gql-client';
import { sqlDuring } from '../support/sql-log';
import { waitFor } from '../support/wait';

const LIVE = 'subscription { usageRecorded { requestId } }';
const ME = '{ me { id } }';

interface Closed {
  code: number;
  reason: string;
}

/** A socket whose close code and reason are kept. */
function socket(url: string, token: string): { client: Client; closed: Closed[] } {
  const closed: Closed[] = [];
  return { client: wsClient(url, token, { onClosed: (code, reason) => closed.push({ code, reason }) }), closed };
}

/** Counts the SELECTs on the api_tokens table while `fn` runs. */
async function tokenQueries(t: TestApp, fn: () => Promise<unknown>): Promise<number> {
  const { sql } = await sqlDuring(t.app, fn);
  return sql.filter((q) => /\bapi_tokens\b/.test(q) && /^\s*SELECT/i.test(q)).length;
}

async function newToken(t: TestApp, userToken: string): Promise<{ id: string; token: string }> {
  const d = await t.gql.ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
    'mutation { createApiToken(name: "second") { token apiToken { id } } }',
    {},
    userToken,
  );
  return { id: d.createApiToken.apiToken.id, token: d.createApiToken.token };
}

describe('a token is checked on every operation, and a revocation reaches every instance', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // A long cache TTL: whatever stops a revoked token here is the revocation message, not expiry.
    a = await startTestApp('tokrevoke', { ROLE: 'api', AUTH_CACHE_TTL_MS: '600000' });
    b = await startTestApp('tokrevoke', { ROLE: 'api', AUTH_CACHE_TTL_MS: '600000' }, sameDeployment(a));
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  it('repeated operations with one token read api_tokens once, not once per operation', async () => {
    const u = await a.createUser();
    await a.gql.ok(ME, {}, u.token);
    const n = await tokenQueries(a, async () => {
      for (let i = 0; i < 20; i++) await a.gql.ok(ME, {}, u.token);
      const ws = wsClient(a.url, u.token);
      try {
        for (let i = 0; i < 5; i++) expect((await collect(ws, ME).done).results[0]?.data).toEqual({ me: { id: u.id } });
      } finally {
        await ws.dispose();
      }
    });
    expect(n).toBe(0);
    // An unknown token is remembered too: a client retrying it in a loop costs one lookup.
    const unknown = await tokenQueries(a, async () => {
      for (let i = 0; i < 10; i++) expect(await a.gql.code(ME, {}, 'byok_not-a-real-token-at-all')).toBe('UNAUTHENTICATED');
    });
    expect(unknown).toBe(1);
  });

  it('revoking on instance B closes the token\'s sockets on both instances with 4403, stops its HTTP use there, and spares other tokens', async () => {
    const u = await a.createUser();
    const second = await newToken(a, u.token);
    const onA = socket(a.url, second.token);
    const onB = socket(b.url, second.token);
    const firstTokenSocket = socket(a.url, u.token);
    try {
      const subA = collect(onA.client, LIVE);
      const subB = collect(onB.client, LIVE);
      const kept = collect(firstTokenSocket.client, LIVE);
      // Both instances have the token cached and its sockets serving.
      expect((await collect(onA.client, ME).done).results[0]?.data).toEqual({ me: { id: u.id } });
      expect((await collect(onB.client, ME).done).results[0]?.data).toEqual({ me: { id: u.id } });
      await a.gql.ok(ME, {}, second.token);

      await b.gql.ok('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: second.id }, u.token);

      await waitFor(() => onA.closed.length > 0 && onB.closed.length > 0, 'both sockets to close', 5000);
      expect(onA.closed[0]).toEqual({ code: 4403, reason: 'Forbidden: this API token was revoked' });
      expect(onB.closed[0]).toEqual({ code: 4403, reason: 'Forbidden: this API token was revoked' });
      expect((await subA.done).error).toBeDefined();
      expect((await subB.done).error).toBeDefined();
      const r = await a.gql.request(ME, {}, second.token);
      expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(r.errors?.[0]?.message).toMatch(/revoked/);
      // A new socket with it is refused at connection_init.
      const again = socket(a.url, second.token);
      await collect(again.client, ME).done;
      expect(again.closed[0]?.code).toBe(4401);
      await again.client.dispose();

      // The user's other token and its socket are untouched.
      expect(firstTokenSocket.closed).toEqual([]);
      expect((await collect(firstTokenSocket.client, ME).done).results[0]?.data).toEqual({ me: { id: u.id } });
      kept.cancel();
    } finally {
      await Promise.all([onA.client.dispose(), onB.client.dispose(), firstTokenSocket.client.dispose()]);
    }
  }, 30_000);
});

describe('without the revocation message, the cached lookup expires and the next operation on an open socket is refused', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('tokttl', { ROLE: 'api', AUTH_CACHE_TTL_MS: '300' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('a token revoked behind the service\'s back (no announcement) stops working on its socket within the TTL', async () => {
    const u = await t.createUser();
    const second = await newToken(t, u.token);
    const s = socket(t.url, second.token);
    const idle = socket(t.url, second.token);
    try {
      const live = collect(s.client, LIVE); // keeps the (lazy) socket open between operations
      expect((await collect(s.client, ME).done).results[0]?.data).toEqual({ me: { id: u.id } });
      // This one only listens: no further operation will come to be checked.
      const idleLive = collect(idle.client, LIVE);
      expect((await collect(idle.client, ME).done).results[0]?.data).toEqual({ me: { id: u.id } });
      // As a revocation on an instance whose Redis message was lost would leave it.
      await t.app.db.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1', [second.id]);
      await new Promise((r) => setTimeout(r, 400));
      const after = await collect(s.client, 'mutation { createApiToken(name: "minted") { token } }').done;
      expect(after.results.some((r) => r.data)).toBe(false);
      await waitFor(() => s.closed.length > 0, 'the socket to close');
      expect(s.closed[0]).toEqual({ code: 4403, reason: 'Forbidden: this API token was revoked' });
      const names = (await t.app.db.query('SELECT name FROM api_tokens WHERE user_id = $1', [u.id])) as Array<{ name: string }>;
      expect(names.map((n) => n.name)).not.toContain('minted');
      expect((await live.done).error).toBeDefined();
      // The idle socket is found by the periodic re-check.
      await waitFor(() => idle.closed.length > 0, 'the idle socket to close', 5000);
      expect(idle.closed[0]).toEqual({ code: 4403, reason: 'Forbidden: this API token was revoked' });
      expect((await idleLive.done).error).toBeDefined();
    } finally {
      await Promise.all([s.client.dispose(), idle.client.dispose()]);
    }
  }, 30_000);
});
