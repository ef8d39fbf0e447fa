import type { Client } from 'graphql-ws';
import { createLogger } from '../../src/infra/logger';
import { createRedis } from '../../src/infra/redis';
import { StreamSlots } from '../../src/modules/chat/stream-slots';
import { sameDeployment, startTestApp, type TestApp } from '../support/app';
import { CHAT, chatEvents, type ChatEvent } from '../support/chat';
import { collect, wsClient } from '../support/gql-client';
import { ADD_KEY, mockKeyInput, orgWithRoles, settledStatus } from '../support/keys';
import { restCall } from '../support/rest';
import { LogCapture } from '../support/log-capture';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { TcpProxy } from '../support/tcp-proxy';
import { TEST_REDIS_URL, uniqueNames } from '../support/test-env';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

const GPT = 'openai/gpt-5.4-mini';
const HELLO = [{ role: 'USER', content: 'Hi' }];

type Running = ReturnType<typeof collect<{ chatCompletion: ChatEvent }>>;

/** Starts a stream and waits for its first event (it holds a slot from then on). */
async function holding(client: Client, input: Record<string, unknown>): Promise<Running> {
  const s = collect<{ chatCompletion: ChatEvent }>(client, CHAT, { input });
  await waitFor(() => s.results.length > 0, 'the stream to start');
  expect(s.results[0]?.errors).toBeUndefined();
  return s;
}

describe('per-user and per-organization stream limits, across instances', () => {
  let mock: MockUpstream;
  let a: TestApp;
  let b: TestApp;
  const limits = { MAX_STREAMS_PER_USER: '2', MAX_STREAMS_PER_ORGANIZATION: '3', MAX_CONCURRENT_STREAMS: '4' };
  beforeAll(async () => {
    mock = await startMockUpstream();
    a = await startTestApp('streamcap', { ...mock.env(), ...FAST_VALIDATION_ENV, ...limits });
    b = await startTestApp('streamcap', { ...mock.env(), ...FAST_VALIDATION_ENV, ...limits, ROLE: 'api' }, sameDeployment(a));
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
    await mock.close();
  });
  afterEach(() => mock.setSyntheticStream(null));

  async function userWithKey(extra: Record<string, unknown> = {}, token?: string): Promise<{ id: string; token: string }> {
    const u = token ? { id: '', token } : await a.createUser();
    const { input } = mockKeyInput('OPENAI', 'good', extra);
    const id = (await a.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, u.token)).addByokKey.id;
    expect(await settledStatus(a, id)).toBe('VALID');
    return u;
  }

  it('one user cannot take every slot: their third stream is refused on any instance, naming the limit; another user still streams', async () => {
    const hog = await userWithKey();
    const other = await userWithKey();
    mock.setSyntheticStream({ deltas: 200, intervalMs: 50 });
    const client = wsClient(a.url, hog.token);
    try {
      const running = [await holding(client, { model: GPT, messages: HELLO }), await holding(client, { model: GPT, messages: HELLO })];
      const completionsSent = () => mock.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions')).length;
      const sentBefore = completionsSent();
      for (const app of [a, b]) {
        const third = await chatEvents(app, hog.token, { model: GPT, messages: HELLO });
        expect(third.events).toEqual([]);
        expect(third.errors).toHaveLength(1);
        expect(third.errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'streamsPerUser' } });
        expect(third.errors[0]!.message).toMatch(/per-user limit/);
      }
      // The upstream request is built while the slot is asked for, but a refused one is never sent.
      expect(completionsSent()).toBe(sentBefore);
      // The process still has room (MAX_CONCURRENT_STREAMS 4): another user streams to the end.
      mock.setSyntheticStream({ deltas: 3, intervalMs: 10 });
      const theirs = await chatEvents(a, other.token, { model: GPT, messages: HELLO });
      expect(theirs.errors).toEqual([]);
      expect(theirs.events.at(-1)?.type).toBe('DONE');

      // Ending a stream gives its slot back.
      running[0]!.cancel();
      const again = await waitFor(async () => {
        const r = await chatEvents(b, hog.token, { model: GPT, messages: HELLO });
        return r.errors.length === 0 ? r : undefined;
      }, 'a slot to come back');
      expect(again.events.at(-1)?.type).toBe('DONE');
      running[1]!.cancel();
    } finally {
      await client.dispose();
    }
  }, 60_000);

  it('the REST doors hold the same per-user limit (their slot is asked for before the body is read), and a request that fails before streaming gives its slot back', async () => {
    const hog = await userWithKey();
    mock.setSyntheticStream({ deltas: 200, intervalMs: 50 });
    const client = wsClient(a.url, hog.token);
    const completionsSent = () => mock.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions')).length;
    const rest = (body: unknown, path = '/v1/chat/completions') => restCall(a, path, { token: hog.token, body });
    const anthropic = (body: unknown) => rest(body, '/v1/messages');
    try {
      const running = [await holding(client, { model: GPT, messages: HELLO }), await holding(client, { model: GPT, messages: HELLO })];
      const sentBefore = completionsSent();
      const third = await rest({ model: GPT, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
      expect(third.status).toBe(429);
      expect(third.text).toMatch(/per-user limit/);
      const viaAnthropic = await anthropic({ model: GPT, max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
      expect(viaAnthropic.status).toBe(429);
      expect(viaAnthropic.text).toMatch(/per-user limit/);
      expect(completionsSent()).toBe(sentBefore);

      running[0]!.cancel();
      // Requests that fail before any stream starts (bad body, unknown model) each asked for a slot.
      for (const body of ['{"model":', { model: GPT }, { model: 'nobody/none', messages: [{ role: 'user', content: 'Hi' }] }]) {
        expect((await rest(body)).status).toBeGreaterThanOrEqual(400);
        expect((await anthropic(body)).status).toBeGreaterThanOrEqual(400);
      }
      // None of them keeps it: with one stream running, the user's second slot comes back.
      mock.setSyntheticStream({ deltas: 3, intervalMs: 10 });
      const ok = await waitFor(async () => {
        const r = await rest({ model: GPT, messages: [{ role: 'user', content: 'Hi' }] });
        return r.status === 200 ? r : undefined;
      }, 'a slot for the REST request', 5000);
      expect(ok.json()).toMatchObject({ object: 'chat.completion' });
      running[1]!.cancel();
    } finally {
      await client.dispose();
    }
  }, 60_000);

  it("an organization's streams are limited across its members; personal streams do not count toward it", async () => {
    const o = await orgWithRoles(a);
    await userWithKey({ organizationId: o.orgId }, o.owner.token);
    await userWithKey({}, o.member.token);
    const org = { model: GPT, messages: HELLO, organizationId: o.orgId };
    mock.setSyntheticStream({ deltas: 200, intervalMs: 50 });
    const owner = wsClient(a.url, o.owner.token);
    const admin = wsClient(b.url, o.admin.token);
    const member = wsClient(a.url, o.member.token);
    try {
      await holding(owner, org);
      await holding(owner, org);
      await holding(admin, org);
      await holding(member, { model: GPT, messages: HELLO }); // personal: outside the organization's count
      const fourth = await chatEvents(b, o.member.token, org);
      expect(fourth.errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'streamsPerOrganization' } });
      expect(fourth.errors[0]!.message).toMatch(/per-organization limit/);
    } finally {
      await Promise.all([owner.dispose(), admin.dispose(), member.dispose()]);
    }
  }, 60_000);
});

describe('StreamSlots against Redis directly', () => {
  const logs = new LogCapture();
  const logger = createLogger('debug', logs);

  it('a slot of a process that died (never released, never renewed) expires with its lease', async () => {
    const redis = createRedis(TEST_REDIS_URL, 'command', 'test');
    await redis.connect();
    const { queuePrefix } = uniqueNames('slotlease');
    const dead = new StreamSlots({ redis, prefix: queuePrefix, limits: { user: 1, organization: 5 }, logger, leaseMs: 600 });
    dead.close(); // no renewals: as if the process had died
    const alive = new StreamSlots({ redis, prefix: queuePrefix, limits: { user: 1, organization: 5 }, logger });
    try {
      expect(await dead.acquire('u1', null)).not.toHaveProperty('code');
      expect(await alive.acquire('u1', null)).toMatchObject({ code: 'RATE_LIMITED' });
      await new Promise((r) => setTimeout(r, 700));
      const slot = await alive.acquire('u1', null);
      expect(slot).not.toHaveProperty('code');
      (slot as { release(): void }).release();
    } finally {
      alive.close();
      const keys = await redis.keys(`{${queuePrefix}:streams}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('a live holder keeps its slot past the lease by renewing it', async () => {
    const redis = createRedis(TEST_REDIS_URL, 'command', 'test');
    await redis.connect();
    const { queuePrefix } = uniqueNames('slotrenew');
    const slots = new StreamSlots({ redis, prefix: queuePrefix, limits: { user: 1, organization: 5 }, logger, leaseMs: 600 });
    try {
      const held = await slots.acquire('u1', null);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await slots.acquire('u1', null)).toMatchObject({ code: 'RATE_LIMITED' });
      (held as { release(): void }).release();
      await waitFor(async () => {
        const s = await slots.acquire('u1', null);
        if ('code' in s) return undefined;
        s.release();
        return true;
      }, 'the released slot');
    } finally {
      slots.close();
      redis.disconnect();
    }
  });

  it('with Redis unreachable a stream is let through (fail open) and the skip is logged', async () => {
    const redis = createRedis('redis://127.0.0.1:1', 'command', 'test'); // never connected
    const slots = new StreamSlots({ redis, prefix: 'x', limits: { user: 1, organization: 1 }, logger });
    try {
      const s1 = await slots.acquire('u1', 'o1');
      const s2 = await slots.acquire('u1', 'o1');
      expect(s1).not.toHaveProperty('code');
      expect(s2).not.toHaveProperty('code');
      (s1 as { release(): void }).release();
      expect(logs.text()).toMatch(/stream limits skipped: Redis did not answer/);
    } finally {
      slots.close();
      redis.disconnect();
    }
  });
});

describe('a Redis outage does not fail completions', () => {
  let mock: MockUpstream;
  let proxy: TcpProxy;
  let t: TestApp;
  beforeAll(async () => {
    mock = await startMockUpstream();
    proxy = await new TcpProxy('127.0.0.1', Number(new URL(TEST_REDIS_URL).port || 6379)).start();
    t = await startTestApp('streamredis', { ...mock.env(), ...FAST_VALIDATION_ENV, REDIS_URL: proxy.wrap(TEST_REDIS_URL) });
  });
  afterAll(async () => {
    proxy.heal();
    // Let every connection (queues, workers, subscriber) come back before stopping gracefully.
    await waitFor(async () => (await fetch(`${t.url}/readyz`)).status === 200, 'Redis to be back', 20_000, 200);
    await t.stop();
    await proxy.close();
    await mock.close();
  }, 60_000);

  it('Redis cut: the stream limits are skipped, logged, and the completion streams to DONE', async () => {
    const u = await t.createUser();
    const { input } = mockKeyInput('OPENAI', 'good');
    expect(await settledStatus(t, (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, u.token)).addByokKey.id)).toBe('VALID');
    proxy.cut();
    const { events, errors } = await chatEvents(t, u.token, { model: GPT, messages: HELLO });
    expect(errors).toEqual([]);
    expect(events.at(-1)?.type).toBe('DONE');
    expect(t.logs.text()).toMatch(/stream limits skipped: Redis did not answer/);
  }, 60_000);
});
