import type { Client } from 'pg';
import { insertUsage } from '../../src/modules/usage/usage-recorder';
import { KeySource, UsageStatus } from '../../src/modules/usage/usage-enums';
import type { TestApp } from '../support/app';
import { startAppBehindPgProxy, type AppBehindPgProxy } from '../support/app-behind-pg-proxy';
import { CHAT, type ChatEvent } from '../support/chat';
import { collect, wsClient } from '../support/gql-client';
import { ADD_KEY, mockKeyInput, settledStatus } from '../support/keys';
import type { MockUpstream } from '../support/mock-upstream';
import type { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';

describe('usage records survive a Postgres outage', () => {
  let env: AppBehindPgProxy;
  let mock: MockUpstream;
  let proxy: TcpProxy;
  let t: TestApp;
  /** A connection that bypasses the proxy, to look at the database while the app cannot. */
  let direct: Client;

  beforeAll(async () => {
    env = await startAppBehindPgProxy('pgcut');
    ({ mock, proxy, t, direct } = env);
  });
  afterAll(() => env.stop());

  it('Postgres cut while a stream finishes: the stream completes normally; the record appears exactly once after the cut heals', async () => {
    const u = await t.createUser();
    const { input } = mockKeyInput('OPENAI', 'good');
    const keyId = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, u.token)).addByokKey.id;
    expect(await settledStatus(t, keyId)).toBe('VALID');
    mock.setSyntheticStream({ deltas: 30, intervalMs: 40 });

    const client = wsClient(t.url, u.token);
    try {
      const sub = collect<{ chatCompletion: ChatEvent }>(client, CHAT, {
        input: { model: 'openai/gpt-5.4-mini', messages: [{ role: 'USER', content: 'Hi' }] },
      });
      await waitFor(() => sub.results.filter((r) => r.data?.chatCompletion.type === 'DELTA').length >= 3, 'the stream to start');
      proxy.cut();
      const { results } = await sub.done;
      // The stream itself never noticed: every delta, one USAGE, then DONE, no error.
      expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
      const types = results.map((r) => r.data!.chatCompletion.type);
      expect(types.filter((x) => x === 'DELTA')).toHaveLength(30);
      expect(types.slice(-2)).toEqual(['USAGE', 'DONE']);
      const requestId = results[0]!.data!.chatCompletion.requestId;

      // Meanwhile nothing could be written; the record waits in the durable queue.
      await new Promise((r) => setTimeout(r, 500));
      const count = async () =>
        ((await direct.query('SELECT count(*)::int n FROM usage_records WHERE request_id = $1', [requestId])).rows[0] as { n: number }).n;
      expect(await count()).toBe(0);
      expect(t.logs.text()).toContain('usage write failed; queueing it for retry');

      proxy.heal();
      await waitFor(async () => (await count()) === 1, 'the record to land after the heal', 30_000);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await count()).toBe(1);
      const row = (await direct.query('SELECT status, key_id, output_tokens FROM usage_records WHERE request_id = $1', [requestId])).rows[0];
      expect(row).toMatchObject({ status: 'SUCCEEDED', key_id: keyId });
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toMatch(/byok_usage_records_total\{outcome="retried"\} [1-9]/);
      expect(metrics).toMatch(/byok_usage_records_total\{outcome="written"\} [1-9]/);
    } finally {
      await client.dispose();
      mock.setSyntheticStream(null);
    }
  }, 60_000);

  it('the same record written twice (direct write raced by its retry) lands once: request_id is unique', async () => {
    const u = await t.createUser();
    const input = {
      requestId: '6b0f7e2c-51a4-4b1e-9d4f-0a1b2c3d4e5f',
      userId: u.id,
      organizationId: null,
      provider: 'OPENAI',
      keySource: KeySource.PLATFORM,
      keyId: null,
      model: 'openai/gpt-5.4-mini',
      upstreamModel: 'gpt-5.4-mini',
      inputTokens: 1,
      outputTokens: 2,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      usageEstimated: false,
      costMicroUsd: 3,
      status: UsageStatus.SUCCEEDED,
      errorCode: null,
      timeToFirstTokenMs: 5,
      durationMs: 9,
      createdAt: new Date().toISOString(),
    };
    await Promise.all([insertUsage(t.app.db, input), insertUsage(t.app.db, input), t.app.services!.usageRecorder.retry(input)]);
    const rows = (await direct.query('SELECT count(*)::int n FROM usage_records WHERE request_id = $1', [input.requestId])).rows[0] as { n: number };
    expect(rows.n).toBe(1);
  });
});
