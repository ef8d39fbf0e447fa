import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startTestApp } from '../support/app';
import { collect, wsClient } from '../support/gql-client';
import { ADD_KEY, jobsSettled, mockKeyInput, settledStatus } from '../support/keys';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { TcpProxy } from '../support/tcp-proxy';
import { TEST_ENCRYPTION_KEYS, TEST_REDIS_URL } from '../support/test-env';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

const ROOT = resolve(__dirname, '../..');

describe('validation survives faults', () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startMockUpstream();
  });
  afterAll(async () => {
    await mock.close();
  });

  it('Redis cut while a key is added: the mutation succeeds (PENDING); when Redis returns the reconciler queues it and it ends VALID', async () => {
    const redisUrl = new URL(TEST_REDIS_URL);
    const proxy = await new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379)).start();
    const t = await startTestApp('rediscut', { ...mock.env(), ...FAST_VALIDATION_ENV, REDIS_URL: proxy.wrap(TEST_REDIS_URL) });
    try {
      const u = await t.createUser();
      proxy.cut();
      await new Promise((r) => setTimeout(r, 200));
      const { input } = mockKeyInput('OPENAI', 'good');
      const r = await t.gql.request<{ addByokKey: { id: string; status: string } }>(ADD_KEY, { input }, u.token);
      expect(r.errors).toBeUndefined();
      expect(r.data!.addByokKey.status).toBe('PENDING');
      const id = r.data!.addByokKey.id;
      // Nothing was queued: no job row, and the key stays PENDING while Redis is away.
      await new Promise((res) => setTimeout(res, 1000));
      expect(await t.app.db.query('SELECT id FROM validation_jobs WHERE key_id = $1', [id])).toEqual([]);
      expect((await t.app.db.query('SELECT status FROM byok_keys WHERE id = $1', [id]))[0].status).toBe('PENDING');
      proxy.heal();
      expect(await settledStatus(t, id, 30_000)).toBe('VALID');
      const jobs = await jobsSettled(t, id);
      expect(jobs.map((j) => [j.trigger, j.outcome])).toEqual([['reconcile', 'VALID']]);
      expect(t.logs.text()).toContain('could not queue validation; the reconciler will');
    } finally {
      await t.stop();
      await proxy.close();
    }
  }, 60_000);

  it('a worker killed mid-job (SIGKILL): the job is picked up again and finishes; the audit row shows the extra attempt', async () => {
    const t = await startTestApp('workerkill', { ...mock.env(), ...FAST_VALIDATION_ENV, ROLE: 'api' });
    const workers: ChildProcess[] = [];
    const startWorker = (): ChildProcess => {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          ROLE: 'worker',
          DATABASE_URL: t.databaseUrl,
          REDIS_URL: TEST_REDIS_URL,
          QUEUE_PREFIX: t.queuePrefix,
          ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
          LOG_LEVEL: 'warn',
          ...mock.env(),
          ...FAST_VALIDATION_ENV,
        },
        stdio: 'ignore',
      });
      workers.push(child);
      return child;
    };
    try {
      mock.setSlowMs(8000);
      const first = startWorker();
      const u = await t.createUser();
      const { input } = mockKeyInput('OPENAI', 'slow');
      const id = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, u.token)).addByokKey.id;
      await waitFor(async () => {
        const rows = (await t.app.db.query("SELECT attempts FROM validation_jobs WHERE key_id = $1 AND outcome = 'RUNNING'", [id])) as unknown[];
        return rows.length > 0;
      }, 'the worker process to start the job', 30_000);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      mock.setSlowMs(200);
      startWorker();
      expect(await settledStatus(t, id, 30_000)).toBe('VALID');
      const [job] = await jobsSettled(t, id);
      expect(job).toMatchObject({ outcome: 'VALID', attempts: 2, trigger: 'created' });
    } finally {
      mock.setSlowMs(1500);
      for (const w of workers) w.kill('SIGKILL');
      await t.stop();
    }
  }, 90_000);

  it('two instances: a byokKeyStatusChanged subscriber on one hears a change made on the other', async () => {
    const a = await startTestApp('twoinst', { ...mock.env(), ...FAST_VALIDATION_ENV, ROLE: 'api' });
    const b = await startTestApp('twoinst', { ...mock.env(), ...FAST_VALIDATION_ENV }, {
      databaseUrl: a.databaseUrl,
      queuePrefix: a.queuePrefix,
      dbName: new URL(a.databaseUrl).pathname.slice(1),
    });
    const u = await a.createUser();
    const client = wsClient(a.url, u.token);
    try {
      const sub = collect<{ byokKeyStatusChanged: { id: string; status: string; hint: string } }>(
        client,
        'subscription { byokKeyStatusChanged { id status hint provider { id } } }',
      );
      await new Promise((r) => setTimeout(r, 500));
      const { input } = mockKeyInput('GOOGLE', 'good');
      const id = (await b.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, u.token)).addByokKey.id;
      const event = await waitFor(() => sub.results.find((r) => r.data?.byokKeyStatusChanged.id === id), 'the status event on instance A');
      expect(event.data!.byokKeyStatusChanged.status).toBe('VALID');
      // Someone else's subscription does not hear it.
      const other = await a.createUser();
      const otherClient = wsClient(a.url, other.token);
      const otherSub = collect<{ byokKeyStatusChanged: { id: string } }>(otherClient, 'subscription { byokKeyStatusChanged { id } }');
      await new Promise((r) => setTimeout(r, 300));
      await b.gql.ok('mutation($id: ID!) { validateByokKey(id: $id) { id } }', { id }, u.token);
      const { input: bad } = mockKeyInput('GOOGLE', 'bad');
      await b.gql.ok('mutation($input: UpdateByokKeyInput!) { updateByokKey(input: $input) { id } }', { input: { id, apiKey: bad.apiKey } }, u.token);
      await waitFor(() => sub.results.find((r) => r.data?.byokKeyStatusChanged.status === 'INVALID'), 'the INVALID event');
      expect(otherSub.results).toEqual([]);
      otherSub.cancel();
      await otherClient.dispose();
      sub.cancel();
    } finally {
      await client.dispose();
      await b.stop();
      await a.stop();
    }
  }, 60_000);
});
