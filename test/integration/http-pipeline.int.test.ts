import { startTestApp, type TestApp } from '../support/app';

/**
 * The HTTP request pipeline as a hostile caller meets it: who may make the server parse a
 * document, how large and how wide a document may be, what a subscription over HTTP gets, how
 * large a request may be, and what /metrics shows and to whom.
 */
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const MiB = 1024 * 1024;

async function post(t: TestApp, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let json: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } | undefined;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

describe('HTTP request pipeline', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp('httppipe', { METRICS_TOKEN });
    token = (await t.createUser()).token;
  });
  afterAll(async () => {
    await t.stop();
  });

  describe('the bearer token is checked before anything is parsed', () => {
    const unauthenticated = (r: { json?: { errors?: Array<{ extensions?: Record<string, unknown> }> } }) => r.json?.errors?.[0]?.extensions?.code;

    it('without a usable token, a document that does not even parse is UNAUTHENTICATED, not a parse error', async () => {
      for (const headers of [{}, { authorization: 'Bearer byok_unknown' }, { authorization: 'Basic abc' }] as Array<Record<string, string>>) {
        const r = await post(t, JSON.stringify({ query: '{ me { id ' }), headers);
        expect(unauthenticated(r)).toBe('UNAUTHENTICATED');
      }
    });

    it('an anonymous body is not even read: invalid JSON and a 1 MB document are both UNAUTHENTICATED', async () => {
      expect(unauthenticated(await post(t, '{not json'))).toBe('UNAUTHENTICATED');
      const bomb = JSON.stringify({ query: `{ ${'a '.repeat(500_000)}}` });
      expect(unauthenticated(await post(t, bomb))).toBe('UNAUTHENTICATED');
      const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`);
      expect(((await get.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    });

    it('the platform admin token is a token: it passes the gate and gets the auth checker’s answer', async () => {
      const r = await post(t, JSON.stringify({ query: '{ me { id } }' }), { authorization: `Bearer ${t.adminToken}` });
      expect(r.status).toBe(200);
      expect(r.json?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('document caps (graphql-armor rules + graphql-js token limit)', () => {
    it('more aliases than MAX_QUERY_ALIASES is BAD_USER_INPUT', async () => {
      const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: me { id }`).join(' ');
      const r = await t.gql.request(`{ ${aliases} }`, {}, token);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded, found 16/);
      expect(r.data ?? null).toBeNull();
    });

    it('more directives than MAX_QUERY_DIRECTIVES is BAD_USER_INPUT', async () => {
      const r = await t.gql.request(`{ me { ${'id @skip(if: false) '.repeat(51)} } }`, {}, token);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(/Directives limit of 50 exceeded/);
    });

    it('more tokens than MAX_QUERY_TOKENS is BAD_USER_INPUT, whatever the document asks', async () => {
      const r = await t.gql.request(`{ me { ${'id '.repeat(2100)} } }`, {}, token);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(/contains more tha[nt] 2000 tokens/);
    });

    it('a document within every cap still runs', async () => {
      const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: me { id }`).join(' ');
      const d = await t.gql.ok<Record<string, { id: string }>>(`{ ${aliases} }`, {}, token);
      expect(Object.keys(d)).toHaveLength(15);
    });
  });

  it('a subscription over HTTP is BAD_USER_INPUT pointing at the WebSocket, with no stack in the log', async () => {
    const before = t.logs.lines.length;
    const r = await t.gql.request('subscription { usageRecorded { id } }', {}, token);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/WebSocket/);
    const logged = t.logs.lines.slice(before).join('\n');
    expect(logged).not.toMatch(/"level":50/);
    expect(logged).not.toContain('stack');
  });

  describe('request size (MAX_REQUEST_BYTES, 20 MiB by default)', () => {
    it('a 19 MiB request is read and reaches the resolver', async () => {
      const r = await post(t, JSON.stringify({ query: 'mutation($n: String!) { createOrganization(name: $n) { id } }', variables: { n: 'x'.repeat(19 * MiB) } }), {
        authorization: `Bearer ${token}`,
      });
      expect(r.status).toBe(200);
      expect(r.json?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.json?.errors?.[0]?.message).toMatch(/name must be at most/);
    });

    it('a 21 MiB request is 413 with a JSON error and a code', async () => {
      const r = await post(t, JSON.stringify({ query: '{ me { id } }', variables: { n: 'x'.repeat(21 * MiB) } }), {
        authorization: `Bearer ${token}`,
      });
      expect(r.status).toBe(413);
      expect(r.json?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.json?.errors?.[0]?.message).toMatch(/larger than 20971520 bytes/);
    });

    it('a body that is not JSON is 400 BAD_USER_INPUT in JSON, not an HTML page', async () => {
      const r = await post(t, '{not json', { authorization: `Bearer ${token}` });
      expect(r.status).toBe(400);
      expect(r.json?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('/metrics', () => {
    const scrape = (auth?: string) => fetch(`${t.url}/metrics`, { headers: auth ? { authorization: auth } : {} });

    it('is refused without METRICS_TOKEN, and served with it', async () => {
      expect((await scrape()).status).toBe(401);
      expect((await scrape('Bearer wrong-token-0123456789abcdef')).status).toBe(401);
      const ok = await scrape(`Bearer ${METRICS_TOKEN}`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('process_cpu_user_seconds_total');
    });

    it('labels only operations that validated; the others share one bucket, and nothing grows per request', async () => {
      await t.gql.ok('query PipelineWhoAmI { me { id } }', {}, token);
      const read = async () => (await (await scrape(`Bearer ${METRICS_TOKEN}`)).text()).split('\n').filter((l) => l.startsWith('graphql_operations_total')).join('\n');
      const unvalidated = (text: string) => Number(/operation="unvalidated",type="unknown",outcome="error"\} (\d+)/.exec(text)?.[1] ?? 0);
      const before = unvalidated(await read());
      for (let i = 0; i < 5; i++) {
        await t.gql.request(`query Random${i}x { nope${i} }`, {}, token);
        await t.gql.request(`query Unparsed${i}x { me { id `, {}, token);
        await post(t, JSON.stringify({ query: `query Anon${i}x { me { id } }` }));
      }
      const text = await read();
      expect(text).toMatch(/operation="PipelineWhoAmI",type="query",outcome="ok"\} 1/);
      expect(text).not.toMatch(/Random|Unparsed|Anon/);
      expect(unvalidated(text)).toBe(before + 10);
      const again = await read();
      await t.gql.request('query Random99x { nope }', {}, token);
      expect((await read()).length).toBe(again.length);
    });
  });
});
