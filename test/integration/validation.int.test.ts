import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { VALIDATION_QUEUE } from '../../src/jobs/queues';
import { ProviderId } from '../../src/providers/types';
import { startTestApp, type TestApp } from '../support/app';
import { ADD_KEY, DELETE_KEY, UPDATE_KEY, jobsSettled, mockKeyInput, settledStatus } from '../support/keys';
import { flaky, startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { leakedSecrets } from '../support/secret-scan';
import { TEST_REDIS_URL } from '../support/test-env';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

const JOBS = `query($k: ID!, $first: Int, $after: String) {
  validationJobs(keyId: $k, first: $first, after: $after) {
    edges { cursor node { id keyId provider trigger outcome attempts httpStatus error queuedAt startedAt finishedAt durationMs key { id } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface JobNode {
  id: string;
  trigger: string;
  outcome: string;
  attempts: number;
  httpStatus: number | null;
  error: string | null;
  key: { id: string } | null;
}

describe('key validation jobs', () => {
  let mock: MockUpstream;
  let t: TestApp;
  const secrets: string[] = [];

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('validation', { ...mock.env(), ...FAST_VALIDATION_ENV });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });

  async function add(token: string, provider: string, scenario: Parameters<typeof mockKeyInput>[1]): Promise<string> {
    const { input, secret } = mockKeyInput(provider, scenario);
    secrets.push(secret);
    const d = await t.gql.ok<{ addByokKey: { id: string; status: string } }>(ADD_KEY, { input }, token);
    expect(d.addByokKey.status).toBe('PENDING');
    return d.addByokKey.id;
  }

  it('for every one of the 18 providers: a good key ends VALID and a bad key INVALID, with audit rows', async () => {
    const good = await t.createUser();
    const bad = await t.createUser();
    const ids: Record<string, { good: string; bad: string }> = {};
    for (const p of Object.values(ProviderId)) {
      ids[p] = { good: await add(good.token, p, 'good'), bad: await add(bad.token, p, 'bad') };
    }
    const statuses: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const p of Object.values(ProviderId)) {
      statuses[`${p} good`] = await settledStatus(t, ids[p]!.good);
      statuses[`${p} bad`] = await settledStatus(t, ids[p]!.bad);
      expected[`${p} good`] = 'VALID';
      expected[`${p} bad`] = 'INVALID';
    }
    expect(statuses).toEqual(expected);

    for (const p of Object.values(ProviderId)) {
      const [g] = await jobsSettled(t, ids[p]!.good);
      const [b] = await jobsSettled(t, ids[p]!.bad);
      expect(g).toMatchObject({ outcome: 'VALID', attempts: 1, trigger: 'created', provider: p, secret_version: 1 });
      expect(g!.http_status).toBeGreaterThanOrEqual(200);
      expect(b).toMatchObject({ outcome: 'INVALID', attempts: 1, trigger: 'created' });
      expect([400, 401, 403]).toContain(b!.http_status);
      expect(b!.error).toBeTruthy();
      expect(g!.finished_at).toBeTruthy();
    }
    // Each status change wrote an audit event by the system (actor null).
    const audit = (await t.app.db.query(
      "SELECT action, count(*)::int n FROM audit_events WHERE action IN ('byok_key.validated','byok_key.invalidated') AND actor_id IS NULL GROUP BY action ORDER BY action",
    )) as Array<{ action: string; n: number }>;
    expect(audit).toEqual([
      { action: 'byok_key.invalidated', n: 18 },
      { action: 'byok_key.validated', n: 18 },
    ]);
    // The last error is visible on the key, without the secret.
    const k = await t.gql.ok<{ byokKey: { status: string; lastError: string; lastValidatedAt: string } }>(
      'query($id: ID!) { byokKey(id: $id) { status lastError lastValidatedAt } }',
      { id: ids.OPENAI!.bad },
      bad.token,
    );
    expect(k.byokKey).toMatchObject({ status: 'INVALID' });
    expect(k.byokKey.lastError).toMatch(/401/);
  });

  it('500, 500, 200 ends VALID after 3 attempts; always 500 ends UNREACHABLE after the configured 3', async () => {
    const u = await t.createUser();
    const flakyKey = await add(u.token, 'ANTHROPIC', flaky(2));
    const downKey = await add(u.token, 'MISTRAL', 'server-error');
    expect(await settledStatus(t, flakyKey)).toBe('VALID');
    expect(await settledStatus(t, downKey)).toBe('UNREACHABLE');
    const [f] = await jobsSettled(t, flakyKey);
    expect(f).toMatchObject({ outcome: 'VALID', attempts: 3, http_status: 200 });
    const [d] = await jobsSettled(t, downKey);
    expect(d).toMatchObject({ outcome: 'UNREACHABLE', attempts: 3 });
    expect(d!.error).toMatch(/after 3 attempts/);
    const upstreamCalls = mock.requests.filter((r) => r.endpoint === 'validation' && r.provider === 'MISTRAL' && r.scenario === 'server-error');
    expect(upstreamCalls.length).toBe(3);
  });

  it('pages a key’s jobs; validateByokKey queues a manual one; the rows outlive the key', async () => {
    const u = await t.createUser();
    const id = await add(u.token, 'XAI', 'good');
    await settledStatus(t, id);
    await jobsSettled(t, id);
    const manual = await t.gql.ok<{ validateByokKey: { id: string; trigger: string; outcome: string } }>(
      'mutation($id: ID!) { validateByokKey(id: $id) { id trigger outcome keyId } }',
      { id },
      u.token,
    );
    expect(manual.validateByokKey).toMatchObject({ trigger: 'manual', outcome: 'QUEUED' });
    await waitFor(async () => (await jobsSettled(t, id)).length === 2, 'manual job');
    const page1 = await t.gql.ok<{ validationJobs: { edges: Array<{ node: JobNode }>; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      JOBS,
      { k: id, first: 1 },
      u.token,
    );
    expect(page1.validationJobs.edges.map((e) => e.node.trigger)).toEqual(['manual']);
    expect(page1.validationJobs.pageInfo.hasNextPage).toBe(true);
    const page2 = await t.gql.ok<{ validationJobs: { edges: Array<{ node: JobNode }>; pageInfo: { hasNextPage: boolean } } }>(
      JOBS,
      { k: id, first: 1, after: page1.validationJobs.pageInfo.endCursor },
      u.token,
    );
    expect(page2.validationJobs.edges.map((e) => e.node.trigger)).toEqual(['created']);
    expect(page2.validationJobs.pageInfo.hasNextPage).toBe(false);
    // Through the key too.
    const viaKey = await t.gql.ok<{ byokKey: { validationJobs: { edges: unknown[] } } }>(
      'query($id: ID!) { byokKey(id: $id) { validationJobs(first: 5) { edges { node { id outcome } } } } }',
      { id },
      u.token,
    );
    expect(viaKey.byokKey.validationJobs.edges).toHaveLength(2);
    // Another user sees nothing and learns nothing.
    const other = await t.createUser();
    expect(await t.gql.code(JOBS, { k: id }, other.token)).toBe('NOT_FOUND');
    // After deletion the jobs stay, with key null.
    await t.gql.ok(DELETE_KEY, { id }, u.token);
    const after = await t.gql.ok<{ validationJobs: { edges: Array<{ node: JobNode }> } }>(JOBS, { k: id }, u.token);
    expect(after.validationJobs.edges).toHaveLength(2);
    expect(after.validationJobs.edges.every((e) => e.node.key === null)).toBe(true);
  });

  it('a key replaced while its old validation runs: the old result is not applied', async () => {
    const u = await t.createUser();
    mock.setSlowMs(2500);
    const id = await add(u.token, 'OPENAI', 'slow');
    await waitFor(async () => {
      const r = (await t.app.db.query("SELECT 1 FROM validation_jobs WHERE key_id = $1 AND outcome = 'RUNNING'", [id])) as unknown[];
      return r.length > 0;
    }, 'the slow validation to start');
    const { input, secret } = mockKeyInput('OPENAI', 'bad');
    secrets.push(secret);
    await t.gql.ok(UPDATE_KEY, { input: { id, apiKey: input.apiKey } }, u.token);
    const jobs = await jobsSettled(t, id, 20_000);
    const byVersion = Object.fromEntries(jobs.map((j) => [j.secret_version as number, j]));
    expect(byVersion[1]).toMatchObject({ outcome: 'DISCARDED', trigger: 'created' });
    expect(byVersion[2]).toMatchObject({ outcome: 'INVALID', trigger: 'updated' });
    // The slow good answer for version 1 arrived after the bad one and changed nothing.
    const key = (await t.app.db.query('SELECT status, secret_version FROM byok_keys WHERE id = $1', [id])) as Array<Record<string, unknown>>;
    expect(key[0]).toEqual({ status: 'INVALID', secret_version: 2 });
    mock.setSlowMs(1500);
  });

  it('a QUEUED row whose job never reached the queue (process died in between) is swept to DISCARDED', async () => {
    const u = await t.createUser();
    const id = await add(u.token, 'FIREWORKS', 'good');
    await jobsSettled(t, id);
    await t.app.db.query(
      `INSERT INTO validation_jobs (id, key_id, user_id, provider, secret_version, trigger, queued_at)
       VALUES ($1, $2, $3, 'FIREWORKS', 1, 'reconcile', now() - interval '10 seconds'),
              ($4, $2, $3, 'FIREWORKS', 1, 'reconcile', now())`,
      [`${id}.v1.orphan00`, id, u.id, `${id}.v1.orphan01`],
    );
    expect(await t.app.services!.validation.sweepOrphans(5000)).toBe(1);
    const rows = (await t.app.db.query("SELECT id, outcome, error FROM validation_jobs WHERE id LIKE '%orphan%' ORDER BY id")) as unknown[];
    expect(rows).toEqual([
      { id: `${id}.v1.orphan00`, outcome: 'DISCARDED', error: 'the job never reached the queue' },
      { id: `${id}.v1.orphan01`, outcome: 'QUEUED', error: null },
    ]);
    await t.app.db.query("DELETE FROM validation_jobs WHERE id LIKE '%orphan%'");
  });

  it('job payloads, audit rows, logs and metrics carry no secret; metrics count by provider and outcome', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    const queue = new Queue(VALIDATION_QUEUE, { connection: redis, prefix: t.queuePrefix });
    try {
      const keys = await redis.keys(`${t.queuePrefix}:${VALIDATION_QUEUE}:*`);
      let dump = '';
      for (const k of keys) {
        const type = await redis.type(k);
        if (type === 'hash') dump += JSON.stringify(await redis.hgetall(k));
        else if (type === 'string') dump += (await redis.get(k)) ?? '';
      }
      expect(dump.includes('keyId')).toBe(true);
      const tables = JSON.stringify(await t.app.db.query('SELECT * FROM validation_jobs')) + JSON.stringify(await t.app.db.query('SELECT * FROM audit_events'));
      const haystack = `${dump}\n${tables}\n${t.logs.text()}\n${t.gql.transcript.join('\n')}`;
      expect(secrets.length).toBeGreaterThan(30);
      expect(leakedSecrets(haystack, secrets)).toEqual([]);
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toMatch(/byok_validations_total\{provider="OPENAI",outcome="VALID"\} \d+/);
      expect(metrics).toMatch(/byok_validations_total\{provider="MISTRAL",outcome="UNREACHABLE"\} 1/);
      expect(metrics).toMatch(/byok_validations_total\{provider="MISTRAL",outcome="RETRYING"\} 2/);
      expect(metrics).toMatch(/byok_queue_depth\{queue="byok-validation"\} \d+/);
      expect(metrics).toContain('byok_validation_duration_seconds_bucket');
      expect(leakedSecrets(metrics, secrets)).toEqual([]);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});
