import { Client } from 'pg';
import { sweepInflight } from '../../src/jobs/inflight-sweeper';
import { inflightKeys } from '../../src/modules/usage/inflight-journal';
import { dropDatabase, startTestApp, type TestApp } from '../support/app';
import { CHAT, type ChatEvent } from '../support/chat';
import { collect, HttpGql, wsClient } from '../support/gql-client';
import { ADD_KEY, mockKeyInput } from '../support/keys';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { FROM_SOURCE, closedPort, startServiceProcess, type ServiceProcess } from '../support/service-process';
import { TEST_ADMIN_TOKEN, TEST_REDIS_URL, uniqueNames } from '../support/test-env';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

const STREAMS = 10;
/** Short enough that the test sees a death and a checkpoint within a second. */
const JOURNAL_ENV = { INFLIGHT_HEARTBEAT_TTL_MS: '1500', INFLIGHT_CHECKPOINT_MS: '200', INFLIGHT_SWEEP_EVERY_MS: '300' };
const MODEL = 'openai/gpt-5.4-mini';

interface Row {
  request_id: string;
  status: string;
  usage_estimated: boolean;
  error_code: string | null;
  key_id: string;
  input_tokens: number;
  output_tokens: number;
}

describe('usage of streams in flight survives a SIGKILL of the gateway (issue 16)', () => {
  const names = uniqueNames('inflight');
  let mock: MockUpstream;
  let gateway: ServiceProcess;
  let direct: Client;
  let sweeper: TestApp | undefined;
  let port: number;

  beforeAll(async () => {
    mock = await startMockUpstream();
    port = await closedPort();
    gateway = startServiceProcess(FROM_SOURCE, {
      ...mock.env(),
      ...FAST_VALIDATION_ENV,
      ...JOURNAL_ENV,
      DATABASE_URL: names.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: names.queuePrefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    });
    await waitFor(() => gateway.out().includes('serving GraphQL'), 'the gateway process to serve', 30_000);
    direct = new Client({ connectionString: names.databaseUrl });
    await direct.connect();
  }, 40_000);

  afterAll(async () => {
    gateway.child.kill('SIGKILL');
    await sweeper?.stop();
    await direct.end();
    await mock.close();
    await dropDatabase(names.dbName);
  });

  const rows = async (): Promise<Row[]> =>
    (await direct.query<Row>('SELECT request_id, status, usage_estimated, error_code, key_id, input_tokens, output_tokens FROM usage_records')).rows;

  it('SIGKILL with streams in flight: after the sweep, exactly one ABORTED, estimated record per routed request, with the tokens checkpointed', async () => {
    const url = `http://127.0.0.1:${port}`;
    const gql = new HttpGql(url);
    const token = (await gql.ok<{ createUser: { token: string } }>('mutation { createUser(email: "crash@example.com") { token } }', {}, TEST_ADMIN_TOKEN))
      .createUser.token;
    const keyId = (await gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input: mockKeyInput('OPENAI', 'good').input }, token)).addByokKey.id;
    await waitFor(async () => (await direct.query('SELECT 1 FROM byok_keys WHERE id = $1 AND status = $2', [keyId, 'VALID'])).rowCount === 1, 'the key to be VALID');

    // Long streams: still running when the process dies.
    mock.setSyntheticStream({ deltas: 1000, intervalMs: 20 });
    const client = wsClient(url, token);
    const subs = Array.from({ length: STREAMS }, () =>
      collect<{ chatCompletion: ChatEvent }>(client, CHAT, { input: { model: MODEL, messages: [{ role: 'USER', content: 'Count for me, slowly' }] } }),
    );
    const deltas = (s: (typeof subs)[number]) => s.results.filter((r) => r.data?.chatCompletion.type === 'DELTA').length;
    await waitFor(() => subs.every((s) => deltas(s) >= 20), 'every stream to have 20 deltas', 15_000);
    // Past at least one checkpoint after those deltas.
    await new Promise((r) => setTimeout(r, 400));
    const seen = new Map(subs.map((s) => [s.results[0]!.data!.chatCompletion.requestId, deltas(s)]));
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    await client.dispose();
    mock.setSyntheticStream(null);
    expect(await rows()).toEqual([]); // the process died before writing anything

    // Another process's worker sweeps once the dead one's heartbeat has expired.
    sweeper = await startTestApp('inflight-sweeper', { ...JOURNAL_ENV, ROLE: 'worker' }, names);
    await waitFor(async () => (await rows()).length >= STREAMS, 'the sweeper to write the records', 15_000);
    const swept = await rows();
    expect(swept).toHaveLength(STREAMS);
    expect(new Set(swept.map((r) => r.request_id))).toEqual(new Set(seen.keys()));
    for (const r of swept) {
      expect(r).toMatchObject({ status: 'ABORTED', usage_estimated: true, error_code: 'PROCESS_LOST', key_id: keyId });
      expect(r.input_tokens).toBeGreaterThan(0); // estimated from the prompt
      // Tokens up to the last checkpoint: at least the 20 deltas seen before the wait, never
      // more than the client had received at the kill (one short word per delta).
      expect(r.output_tokens).toBeGreaterThanOrEqual(20);
      expect(r.output_tokens).toBeLessThanOrEqual(seen.get(r.request_id)! + 1);
    }

    // The journal of the dead process is gone; sweeping again writes nothing.
    const redis = sweeper.app.redis;
    const keys = inflightKeys(names.queuePrefix);
    expect(await redis.smembers(keys.processes)).toEqual([]);
    const again = await sweepInflight({ redis, recorder: sweeper.app.services!.usageRecorder, prefix: names.queuePrefix, lockMs: 5000, logger: sweeper.app.logger, metrics: sweeper.app.metrics });
    expect(again).toBe(0);
    expect(await rows()).toHaveLength(STREAMS);
  }, 90_000);
});
