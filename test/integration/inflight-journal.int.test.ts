import { sweepInflight } from '../../src/jobs/inflight-sweeper';
import { inflightKeys, type InflightJournal } from '../../src/modules/usage/inflight-journal';
import { startTestApp, type TestApp } from '../support/app';
import { CHAT, type ChatEvent } from '../support/chat';
import { collect, wsClient } from '../support/gql-client';
import { ADD_KEY, mockKeyInput, settledStatus } from '../support/keys';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { TcpProxy } from '../support/tcp-proxy';
import { TEST_REDIS_URL } from '../support/test-env';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

const INPUT = { model: 'openai/gpt-5.4-mini', messages: [{ role: 'USER', content: 'Hi' }] };

describe('the in-flight journal on the normal path and through a Redis outage (issue 16)', () => {
  let mock: MockUpstream;
  let proxy: TcpProxy;
  let t: TestApp;
  let user: { id: string; token: string };

  beforeAll(async () => {
    mock = await startMockUpstream();
    const redisUrl = new URL(TEST_REDIS_URL);
    proxy = await new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379)).start();
    t = await startTestApp('inflight', { ...mock.env(), ...FAST_VALIDATION_ENV, INFLIGHT_CHECKPOINT_MS: '100', REDIS_URL: proxy.wrap(TEST_REDIS_URL) });
    user = await t.createUser();
    const keyId = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input: mockKeyInput('OPENAI', 'good').input }, user.token)).addByokKey.id;
    expect(await settledStatus(t, keyId)).toBe('VALID');
  });
  afterAll(async () => {
    await t.stop();
    await proxy.close();
    await mock.close();
  });

  const journal = (): InflightJournal => t.app.services!.journal!;
  const records = async (ids: string[]) =>
    (await t.app.db.query('SELECT request_id, status FROM usage_records WHERE request_id = ANY($1)', [ids])) as Array<{ request_id: string; status: string }>;

  it('a stream that finishes leaves no entry behind: were its process to die afterwards, the sweep writes nothing more', async () => {
    mock.setSyntheticStream({ deltas: 20, intervalMs: 20 });
    const client = wsClient(t.url, user.token);
    try {
      const { results } = await collect<{ chatCompletion: ChatEvent }>(client, CHAT, { input: INPUT }).done;
      expect(results.map((r) => r.data?.chatCompletion.type).slice(-2)).toEqual(['USAGE', 'DONE']);
      const requestId = results[0]!.data!.chatCompletion.requestId;
      const keys = inflightKeys(t.queuePrefix);
      const pid = journal().processId;
      await waitFor(async () => (await t.app.redis.hlen(keys.entries(pid))) === 0, 'the entry to be removed');
      // This process "dies": its heartbeat goes; the sweep finds nothing to write.
      await journal().stop();
      const swept = await sweepInflight({ redis: t.app.redis, recorder: t.app.services!.usageRecorder, prefix: t.queuePrefix, lockMs: 5000, logger: t.app.logger, metrics: t.app.metrics });
      expect(swept).toBe(0);
      expect(await records([requestId])).toEqual([{ request_id: requestId, status: 'SUCCEEDED' }]);
      await journal().start();
    } finally {
      await client.dispose();
      mock.setSyntheticStream(null);
    }
  });

  // Also the graceful stop after a Redis cut: afterAll's t.stop() hung here until the workers'
  // blocking connections could end while waiting to reconnect (jobs/worker-connection.ts).
  it('Redis cut mid-stream: every stream (running or started during the cut) completes and every record lands once', async () => {
    mock.setSyntheticStream({ deltas: 40, intervalMs: 25 });
    const client = wsClient(t.url, user.token);
    try {
      const chat = () => collect<{ chatCompletion: ChatEvent }>(client, CHAT, { input: INPUT });
      const running = Array.from({ length: 5 }, chat);
      await waitFor(() => running.every((s) => s.results.length >= 3), 'the streams to run');
      proxy.cut();
      const during = Array.from({ length: 3 }, chat);
      const all = await Promise.all([...running, ...during].map((s) => s.done));
      proxy.heal();
      for (const { results, error } of all) {
        expect(error).toBeUndefined();
        expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
        expect(results.map((r) => r.data!.chatCompletion.type).slice(-2)).toEqual(['USAGE', 'DONE']);
      }
      const ids = all.map(({ results }) => results[0]!.data!.chatCompletion.requestId);
      await waitFor(async () => (await records(ids)).length === ids.length, 'every record to land');
      expect((await records(ids)).every((r) => r.status === 'SUCCEEDED')).toBe(true);
      // Fail open, said once: the journal could not write while Redis was away.
      expect(t.logs.text()).toContain('in-flight journal: Redis write failed');
    } finally {
      await client.dispose();
      mock.setSyntheticStream(null);
    }
  }, 30_000);
});
