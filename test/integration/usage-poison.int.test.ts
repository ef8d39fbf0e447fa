import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { USAGE_QUEUE } from '../../src/jobs/queues';
import type { UsageRecordInput } from '../../src/modules/usage/usage-record';
import { ProviderId } from '../../src/providers/types';
import { startTestApp, type TestApp } from '../support/app';
import { chatEvents } from '../support/chat';
import { addKey } from '../support/keys';
import { mockKey, startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { TEST_REDIS_URL } from '../support/test-env';
import { usage } from '../support/usage';
import { waitFor } from '../support/wait';

const HELLO = [{ role: 'USER', content: 'Hello' }];

/**
 * Issue 11, finding 9: model ids of 201-300 characters were accepted but never recorded (the
 * column holds 200), their usage record was retried for days and dragged the rest of its batch
 * into the retry queue. Now the limits agree, and a record the database refuses is isolated:
 * the rest of the batch lands at once, the record goes to usage_dead_letters, never to retry.
 */
describe('usage records the database refuses', () => {
  let mock: MockUpstream;
  let t: TestApp;
  let redis: Redis;
  let queue: Queue<UsageRecordInput>;

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('usage-poison', mock.env());
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue<UsageRecordInput>(USAGE_QUEUE, { connection: redis, prefix: t.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await t.stop();
    await mock.close();
  });

  const deadLetters = async () =>
    (await t.app.db.query('SELECT request_id, error_code, error, record FROM usage_dead_letters ORDER BY id')) as Array<{
      request_id: string;
      error_code: string | null;
      error: string;
      record: UsageRecordInput;
    }>;
  const recorded = async (ids: string[]) =>
    ((await t.app.db.query('SELECT request_id FROM usage_records WHERE request_id = ANY($1)', [ids])) as unknown[]).length;

  it('a model id longer than the usage column is refused up front, one that fits streams and is recorded', async () => {
    const u = await t.createUser();
    await addKey(t, u.token, { provider: 'OPENAI', apiKey: mockKey(ProviderId.OPENAI, 'good') });
    mock.reset();
    const tooLong = `openai/${'x'.repeat(230)}`;
    const refused = await chatEvents(t, u.token, { model: tooLong, messages: HELLO });
    expect(refused.errors.map((e) => [e.extensions?.code, e.message])).toEqual([['BAD_USER_INPUT', 'model must be 1-200 characters']]);
    expect(mock.requests.filter((r) => r.endpoint === 'chat')).toHaveLength(0);

    const longest = `openai/${'y'.repeat(193)}`; // 200 characters
    const served = await chatEvents(t, u.token, { model: longest, messages: HELLO });
    expect(served.errors).toEqual([]);
    const requestId = served.events[0]!.requestId;
    await waitFor(async () => (await recorded([requestId])) === 1, 'the 200-character model’s usage record');
  });

  it('one refused record in a batch: the others land at once, it is dead-lettered with its error, nothing is queued', async () => {
    const u = await t.createUser();
    const now = new Date().toISOString();
    const good = Array.from({ length: 5 }, () => usage(now, { userId: u.id }));
    // What a 201-300 character id did before the limits agreed (or any value the column refuses).
    const poison = usage(now, { userId: u.id, model: `openai/${'z'.repeat(250)}` });
    const batch = [good[0]!, good[1]!, poison, good[2]!, good[3]!, good[4]!];
    const recorder = t.app.services!.usageRecorder;
    const outcomes = await Promise.all(batch.map((r) => recorder.record(r))); // one 10 ms window: one batch
    expect(outcomes).toEqual(['written', 'written', 'dead_lettered', 'written', 'written', 'written']);
    expect(await recorded(good.map((g) => g.requestId))).toBe(5);
    const dead = (await deadLetters()).filter((d) => d.request_id === poison.requestId);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ error_code: '22001', record: { requestId: poison.requestId, model: poison.model } });
    expect(dead[0]!.error).toMatch(/too long/);
    for (const r of batch) expect(await queue.getJob(r.requestId)).toBeUndefined();
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/byok_usage_records_total\{outcome="dead_lettered"\} 1\b/);
    expect(t.logs.text()).toContain('usage record refused by the database; kept in usage_dead_letters');
  });

  it('a refused record already in the retry queue is dead-lettered by the worker and its job ends', async () => {
    const u = await t.createUser();
    const poison = usage(new Date().toISOString(), { userId: u.id, upstreamModel: 'w'.repeat(260) });
    await queue.add('usage', poison, { jobId: poison.requestId, attempts: 10_000, backoff: { type: 'capped' } });
    await waitFor(async () => (await queue.getJobState(poison.requestId)) === 'completed', 'the poison job to complete', 20_000);
    const job = await queue.getJob(poison.requestId);
    expect(job?.failedReason).toBeFalsy(); // never retried: refused once, kept, done
    expect(job!.attemptsMade).toBeLessThanOrEqual(1);
    expect((await deadLetters()).map((d) => d.request_id)).toContain(poison.requestId);
    expect(await recorded([poison.requestId])).toBe(0);
  });
});
